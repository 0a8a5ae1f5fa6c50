"""lossutils.plotting.plot_bce_saturation (chapter 6's figure)."""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np
import pytest

from lossutils.plotting import COLORS, plot_bce_saturation


def test_draws_both_paths_in_the_naive_and_stable_colours():
    z = np.linspace(0, 30, 7)
    ax = plot_bce_saturation(z, np.minimum(z, 100), z)
    assert ax.lines[0].get_color() == COLORS["float32"]
    assert ax.lines[1].get_color() == COLORS["float64"]
    np.testing.assert_array_equal(ax.lines[1].get_ydata(), z)


def test_marks_the_clamp_and_the_first_logit_that_reaches_it():
    z = np.array([0.0, 10.0, 17.0, 20.0])
    ax = plot_bce_saturation(z, [0.7, 10.0, 100.0, 100.0], [0.7, 10.0, 17.0, 20.0], clamp=100.0)
    assert ax.lines[2].get_ydata()[0] == 100.0
    assert ax.lines[3].get_xdata()[0] == 17.0


def test_draws_no_saturation_line_when_the_clamp_is_never_reached():
    ax = plot_bce_saturation([0.0, 1.0], [0.7, 1.3], [0.7, 1.3])
    assert len(ax.lines) == 3


def test_rejects_arrays_of_different_shapes():
    with pytest.raises(ValueError, match="one shape"):
        plot_bce_saturation([0.0, 1.0], [0.7], [0.7, 1.3])


def test_draws_on_the_axes_it_is_given():
    fig, ax = plt.subplots()
    assert plot_bce_saturation([0.0], [0.7], [0.7], ax=ax) is ax
