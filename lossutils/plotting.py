"""Plotting helpers for the book: one palette, one look, no global state.

This is the only module of :mod:`lossutils` that imports matplotlib, and it
holds only what several chapters share: the palette, the figure size, a way to
get axes, and the learning-curve plot. A figure that one chapter draws lives in
that chapter's hidden figure cell, where a reader who downloads the notebook can
change it. Helpers take an optional ``ax`` (a new figure of phone-friendly size
is made when it is ``None``), draw on it and return it; they never touch
``matplotlib.rcParams``, never set titles (the chapter's caption does that),
and label axes in lower case.

Colours come from :data:`COLORS`, so that the same thing has the same colour
in every chapter: the true label y = 1 is always ``COLORS["y1"]``, y = 0 is
always ``COLORS["y0"]``, log-loss is always ``COLORS["log_loss"]``, and so on.
The palette is Okabe and Ito's, which stays distinguishable for the common
forms of colour blindness.

    >>> from lossutils import plotting as lp
    >>> lp.COLORS["y1"], lp.COLORS["y0"]
    ('#0072B2', '#E69F00')
"""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np

__all__ = ["COLORS", "FIGSIZE", "new_ax", "plot_loss_curves"]

#: Default figure size in inches: wide enough for a laptop, still legible on a phone.
FIGSIZE = (6.0, 3.5)

#: One colour per meaning, used by every chapter (Okabe–Ito palette).
COLORS = {
    # the two binary labels
    "y1": "#0072B2",  # blue: true label 1 / positive class
    "y0": "#E69F00",  # orange: true label 0 / negative class
    # losses
    "log_loss": "#D55E00",  # vermillion: log-loss = binary cross-entropy
    "bce": "#D55E00",  # the same loss under its PyTorch name
    "cross_entropy": "#CC79A7",  # reddish purple: multiclass cross-entropy
    "nll": "#882255",  # wine: negative log-likelihood (nll_loss)
    "squared_error": "#009E73",  # bluish green
    "zero_one": "#555555",  # dark grey: 0-1 loss
    "hinge": "#56B4E9",  # sky blue
    # quantities
    "likelihood": "#0072B2",  # blue: a likelihood curve
    "log_likelihood": "#56B4E9",  # sky blue
    "exact": "#000000",  # black: the exact (high-precision) reference
    "float32": "#D55E00",  # vermillion
    "float64": "#0072B2",  # blue
    "limit": "#999999",  # light grey: thresholds, guide lines
    "mark": "#000000",  # black: marked points, maxima and minima
}


def new_ax(ax=None, figsize=FIGSIZE):
    """Return ``ax`` if given, else the axes of a new figure of size ``figsize``.

    >>> ax = new_ax()
    >>> ax.figure.get_size_inches().tolist()
    [6.0, 3.5]
    """
    if ax is not None:
        return ax
    _, ax = plt.subplots(figsize=figsize, layout="constrained")
    return ax


def plot_loss_curves(
    curves,
    *,
    colors=None,
    linestyles=None,
    hlines=None,
    ax=None,
    xlabel="epoch",
    ylabel="mean loss (nats)",
):
    """Plot several loss curves against the epoch (or step), with optional reference lines.

    Parameters
    ----------
    curves : dict of str to array_like
        Legend label to values; ``curves[label][k]`` is drawn at ``x = k``.
    colors : dict of str to str, optional
        Label to a :data:`COLORS` key (e.g. ``"cross_entropy"``, ``"bce"``) or
        a matplotlib colour. Curves without an entry use ``COLORS["mark"]``.
    linestyles : dict of str to str, optional
        Label to a matplotlib line style (e.g. ``"--"`` for a test curve).
    hlines : dict of str to float, optional
        Label to the height of a dotted horizontal reference line, drawn in
        ``COLORS["limit"]`` (e.g. a loss floor, or another model's loss).
    ax : matplotlib.axes.Axes, optional
        Axes to draw on; a new figure when ``None``.
    xlabel, ylabel : str
        Axis labels.

    Returns
    -------
    matplotlib.axes.Axes
        The curves are ``ax.lines[:len(curves)]`` in the order given, then the
        reference lines.

    Examples
    --------
    >>> ax = plot_loss_curves({"train": [1.0, 0.5, 0.3]}, colors={"train": "bce"},
    ...                       hlines={"floor": 0.2})
    >>> ax.lines[0].get_color() == COLORS["bce"], float(ax.lines[1].get_ydata()[0])
    (True, 0.2)
    """
    ax = new_ax(ax)
    colors = {} if colors is None else colors
    linestyles = {} if linestyles is None else linestyles
    hlines = {} if hlines is None else hlines
    for label, values in curves.items():
        values = np.asarray(values, dtype=float)
        if values.ndim != 1:
            raise ValueError(f"curve {label!r} must be one-dimensional, got shape {values.shape}")
        color = colors.get(label, "mark")
        ax.plot(
            np.arange(values.size),
            values,
            color=COLORS.get(color, color),
            linestyle=linestyles.get(label, "-"),
            label=label,
        )
    for label, y in hlines.items():
        ax.axhline(float(y), color=COLORS["limit"], linestyle=":", linewidth=1.5, label=label)
    ax.set_ylim(bottom=0)
    ax.set_xlabel(xlabel)
    ax.set_ylabel(ylabel)
    ax.legend(frameon=False, loc="upper right", fontsize=9)
    return ax
