"""Small helpers shared by the tests of lossutils.plotting."""

from __future__ import annotations

import matplotlib.colors as mcolors


def same_color(a, b) -> bool:
    """True if two matplotlib colour specifications name the same RGBA colour."""
    return mcolors.to_rgba(a) == mcolors.to_rgba(b)
