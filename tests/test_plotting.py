"""Tests of lossutils.plotting: the palette, new_ax and plot_loss_curves (what chapters share)."""

from __future__ import annotations

import copy

import matplotlib
import matplotlib.colors as mcolors
import matplotlib.pyplot as plt
import numpy as np
import pytest

from lossutils import plotting as lp


def same_color(a, b) -> bool:
    """True if two matplotlib colour specifications name the same RGBA colour."""
    return mcolors.to_rgba(a) == mcolors.to_rgba(b)


# --- palette -----------------------------------------------------------------


def test_palette_gives_the_two_labels_distinct_colours():
    assert not same_color(lp.COLORS["y1"], lp.COLORS["y0"])


def test_palette_gives_each_loss_a_distinct_colour():
    keys = ["log_loss", "squared_error", "zero_one", "cross_entropy", "nll", "hinge"]
    rgba = {mcolors.to_rgba(lp.COLORS[k]) for k in keys}
    assert len(rgba) == len(keys)


def test_palette_entries_are_valid_matplotlib_colours():
    for name, colour in lp.COLORS.items():
        assert mcolors.is_color_like(colour), name


def test_new_ax_returns_the_axes_it_is_given():
    _, ax = plt.subplots()
    assert lp.new_ax(ax) is ax


# --- ax in, ax out, no global state ------------------------------------------

HELPERS = [
    lambda ax: lp.plot_loss_curves(
        {"train": [1.0, 0.5], "test": [1.1, 0.7]}, hlines={"floor": 0.2}, ax=ax
    ),
]


@pytest.mark.parametrize("draw", HELPERS)
def test_helper_draws_on_the_axes_it_is_given_and_returns_them(draw):
    fig, ax = plt.subplots()
    assert draw(ax) is ax
    assert len(ax.lines) > 0


@pytest.mark.parametrize("draw", HELPERS)
def test_helper_makes_one_new_figure_when_no_axes_given(draw):
    before = len(plt.get_fignums())
    ax = draw(None)
    assert len(plt.get_fignums()) == before + 1
    assert ax.figure.get_size_inches().tolist() == list(lp.FIGSIZE)


@pytest.mark.parametrize("draw", HELPERS)
def test_helper_leaves_rcparams_unchanged(draw):
    before = copy.deepcopy(dict(matplotlib.rcParams))
    draw(None)
    after = dict(matplotlib.rcParams)
    changed = [k for k in before if before[k] != after[k]]
    assert changed == []


@pytest.mark.parametrize("draw", HELPERS)
def test_helper_sets_no_title_and_lowercase_axis_labels(draw):
    ax = draw(None)
    assert ax.get_title() == ""
    for label in (ax.get_xlabel(), ax.get_ylabel()):
        assert label, "axis label missing"
        plain = label.replace("$", "")
        assert plain[0] == plain[0].lower(), label


# --- plot_loss_curves ----------------------------------------------------------


def test_loss_curves_draw_each_curve_against_its_index():
    curves = {"train": [1.0, 0.6, 0.4], "test": [1.1, 0.8, 0.7]}
    ax = lp.plot_loss_curves(curves)
    for line, values in zip(ax.lines, curves.values()):
        np.testing.assert_array_equal(line.get_xdata(), [0, 1, 2])
        np.testing.assert_array_equal(line.get_ydata(), values)


def test_loss_curves_resolve_palette_keys_and_line_styles():
    ax = lp.plot_loss_curves(
        {"train": [1.0, 0.5], "test": [1.0, 0.7]},
        colors={"train": "bce", "test": "bce"},
        linestyles={"test": "--"},
    )
    assert same_color(ax.lines[0].get_color(), lp.COLORS["bce"])
    assert same_color(ax.lines[1].get_color(), lp.COLORS["bce"])
    assert ax.lines[0].get_linestyle() == "-"
    assert ax.lines[1].get_linestyle() == "--"


def test_loss_curves_accept_a_plain_matplotlib_colour():
    ax = lp.plot_loss_curves({"a": [1.0, 0.5]}, colors={"a": "#123456"})
    assert same_color(ax.lines[0].get_color(), "#123456")


def test_loss_curves_draw_reference_lines_after_curves_in_limit_colour():
    ax = lp.plot_loss_curves({"a": [1.0, 0.5]}, hlines={"floor": 0.25})
    assert len(ax.lines) == 2
    np.testing.assert_array_equal(ax.lines[1].get_ydata(), [0.25, 0.25])
    assert same_color(ax.lines[1].get_color(), lp.COLORS["limit"])


def test_loss_curves_put_every_label_in_the_legend():
    ax = lp.plot_loss_curves({"a": [1.0], "b": [2.0]}, hlines={"c": 0.5})
    assert [t.get_text() for t in ax.get_legend().get_texts()] == ["a", "b", "c"]


def test_loss_curves_reject_two_dimensional_curves():
    with pytest.raises(ValueError, match="one-dimensional"):
        lp.plot_loss_curves({"a": [[1.0, 2.0]]})
