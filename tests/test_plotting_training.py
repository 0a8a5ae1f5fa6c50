"""Tests of the plotting helpers of chapters 8-9: plot_softmax_floor and plot_loss_curves."""

from __future__ import annotations

import copy

import matplotlib
import matplotlib.pyplot as plt
import numpy as np
import pytest

from lossutils import plotting as lp
from plotutils import same_color


C = np.array([2, 3, 10, 100, 1000])
FLOOR = np.log1p((C - 1) / np.e)
LOGC = np.log(C)


def test_softmax_floor_draws_floor_then_log_c():
    ax = lp.plot_softmax_floor(C, FLOOR, LOGC)
    np.testing.assert_array_equal(ax.lines[0].get_ydata(), FLOOR)
    np.testing.assert_array_equal(ax.lines[1].get_ydata(), LOGC)
    np.testing.assert_array_equal(ax.lines[0].get_xdata(), C)


def test_softmax_floor_uses_cross_entropy_colour_and_log_x():
    ax = lp.plot_softmax_floor(C, FLOOR, LOGC)
    assert same_color(ax.lines[0].get_color(), lp.COLORS["cross_entropy"])
    assert ax.get_xscale() == "log"


def words(label):
    """The text of an axis label outside its $...$ maths."""
    return "".join(label.split("$")[::2])


def test_softmax_floor_labels_axes_in_lower_case_without_title():
    ax = lp.plot_softmax_floor(C, FLOOR, LOGC)
    assert words(ax.get_xlabel()) == words(ax.get_xlabel()).lower()
    assert words(ax.get_ylabel()) == words(ax.get_ylabel()).lower()
    assert ax.get_title() == ""


def test_softmax_floor_rejects_mismatched_shapes():
    with pytest.raises(ValueError, match="one shape"):
        lp.plot_softmax_floor(C, FLOOR[:-1], LOGC)


def test_softmax_floor_draws_on_given_axes():
    fig, ax = plt.subplots()
    assert lp.plot_softmax_floor(C, FLOOR, LOGC, ax=ax) is ax
    assert len(fig.axes) == 1


def test_loss_curves_draw_each_curve_against_its_index():
    curves = {"train": [1.0, 0.6, 0.4], "test": [1.1, 0.8, 0.7]}
    ax = lp.plot_loss_curves(curves)
    for line, values in zip(ax.lines, curves.values()):
        np.testing.assert_array_equal(line.get_xdata(), [0, 1, 2])
        np.testing.assert_array_equal(line.get_ydata(), values)


def test_loss_curves_resolve_palette_keys_and_line_styles():
    ax = lp.plot_loss_curves({"train": [1.0, 0.5], "test": [1.0, 0.7]},
                             colors={"train": "bce", "test": "bce"}, linestyles={"test": "--"})
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


def test_helpers_leave_rcparams_unchanged():
    before = copy.deepcopy(dict(matplotlib.rcParams))
    lp.plot_softmax_floor(C, FLOOR, LOGC)
    lp.plot_loss_curves({"a": [1.0, 0.5]}, hlines={"b": 0.1})
    assert dict(matplotlib.rcParams) == before
