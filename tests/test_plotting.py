"""Tests of lossutils.plotting: each helper draws the data it claims, on the axes
it was given, in the palette's colours, without changing matplotlib's global state."""

from __future__ import annotations

import copy

import matplotlib
import matplotlib.colors as mcolors
import matplotlib.pyplot as plt
import numpy as np
import pytest

from lossutils import plotting as lp
from plotutils import same_color


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


# --- ax in, ax out, no global state ------------------------------------------

HELPERS = [
    lambda ax: lp.plot_likelihood([0, 0.5, 1], [0, 1, 0], mark=0.5, ax=ax),
    lambda ax: lp.plot_log_loss_curve(ax=ax),
    lambda ax: lp.plot_loss_comparison(1, ax=ax),
    lambda ax: lp.plot_expected_log_loss([0.2, 0.7], ax=ax),
    lambda ax: lp.plot_running_product({"float32": np.cumprod(np.full(5, 0.5, np.float32))}, ax=ax),
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


# --- plot_likelihood -----------------------------------------------------------

def test_plot_likelihood_draws_the_given_curve():
    theta = np.linspace(0, 1, 11)
    values = theta**7 * (1 - theta) ** 3
    ax = lp.plot_likelihood(theta, values)
    x, y = ax.lines[0].get_data()
    np.testing.assert_array_equal(x, theta)
    np.testing.assert_array_equal(y, values)


def test_plot_likelihood_marks_the_maximiser_on_the_curve():
    theta = np.linspace(0, 1, 1001)
    ax = lp.plot_likelihood(theta, theta**7 * (1 - theta) ** 3, mark=0.7)
    dot = [ln for ln in ax.lines if ln.get_marker() == "o"][0]
    x, y = dot.get_data()
    assert x[0] == pytest.approx(0.7)
    assert y[0] == pytest.approx(0.7**7 * 0.3**3, rel=1e-9)


def test_plot_likelihood_uses_the_likelihood_colour():
    ax = lp.plot_likelihood([0, 1], [1, 2])
    assert same_color(ax.lines[0].get_color(), lp.COLORS["likelihood"])


# --- plot_log_loss_curve -------------------------------------------------------

def test_log_loss_curve_y1_is_minus_log_p():
    ax = lp.plot_log_loss_curve()
    p, loss = ax.lines[0].get_data()
    np.testing.assert_allclose(np.exp(-loss), p, rtol=1e-12)


def test_log_loss_curve_y0_is_minus_log_one_minus_p():
    ax = lp.plot_log_loss_curve()
    p, loss = ax.lines[1].get_data()
    np.testing.assert_allclose(1 - np.exp(-loss), p, rtol=1e-9)


def test_log_loss_curve_marks_the_requested_probabilities_on_both_curves():
    marks = [0.05, 0.5, 0.99]
    ax = lp.plot_log_loss_curve(marks=marks)
    x1, y1 = ax.lines[2].get_data()
    x0, y0 = ax.lines[3].get_data()
    np.testing.assert_array_equal(x1, marks)
    np.testing.assert_array_equal(x0, marks)
    np.testing.assert_allclose(y1, [2.995732273553991, 0.6931471805599453, 0.01005033585350145])
    np.testing.assert_allclose(y0, [0.05129329438755058, 0.6931471805599453, 4.605170185988091])


def test_log_loss_curve_colours_follow_the_labels():
    ax = lp.plot_log_loss_curve()
    assert same_color(ax.lines[0].get_color(), lp.COLORS["y1"])
    assert same_color(ax.lines[1].get_color(), lp.COLORS["y0"])


# --- plot_loss_comparison ------------------------------------------------------

@pytest.mark.parametrize("y", [0, 1])
def test_loss_comparison_draws_log_loss_squared_and_zero_one(y):
    ax = lp.plot_loss_comparison(y, num=201)
    p = ax.lines[0].get_xdata()
    logl = -np.log(p) if y == 1 else -np.log(1 - p)
    np.testing.assert_allclose(ax.lines[0].get_ydata(), logl, rtol=1e-12)
    np.testing.assert_allclose(ax.lines[1].get_ydata(), (p - y) ** 2, rtol=1e-12)
    wrong = (p >= 0.5) != bool(y)
    np.testing.assert_array_equal(ax.lines[2].get_ydata(), wrong.astype(float))


def test_loss_comparison_colours_come_from_the_palette():
    ax = lp.plot_loss_comparison(1)
    for line, key in zip(ax.lines, ["log_loss", "squared_error", "zero_one"]):
        assert same_color(line.get_color(), lp.COLORS[key])


def test_loss_comparison_rejects_a_label_other_than_zero_or_one():
    with pytest.raises(ValueError, match="y must be 0 or 1"):
        lp.plot_loss_comparison(2)


# --- plot_expected_log_loss ----------------------------------------------------

def test_expected_log_loss_curve_is_the_cross_entropy_of_q_and_p():
    ax = lp.plot_expected_log_loss(0.2)
    p, v = ax.lines[0].get_data()
    np.testing.assert_allclose(v, -0.2 * np.log(p) - 0.8 * np.log(1 - p), rtol=1e-12)


def test_expected_log_loss_marks_minimum_at_q_with_the_entropy():
    qs = [0.2, 0.5, 0.9]
    ax = lp.plot_expected_log_loss(qs)
    for i, q in enumerate(qs):
        x, y = ax.lines[2 * i + 1].get_data()
        assert x[0] == q
        assert y[0] == pytest.approx(-q * np.log(q) - (1 - q) * np.log(1 - q), rel=1e-12)


def test_expected_log_loss_marked_point_is_below_every_point_of_its_curve():
    ax = lp.plot_expected_log_loss(0.35, num=2001)
    curve = ax.lines[0].get_ydata()
    assert ax.lines[1].get_ydata()[0] <= curve.min()


def test_expected_log_loss_rejects_q_outside_open_unit_interval():
    with pytest.raises(ValueError, match="strictly between 0 and 1"):
        lp.plot_expected_log_loss([0.5, 1.0])


# --- plot_running_product ------------------------------------------------------

def test_running_product_curve_is_log10_of_the_product():
    prod = np.cumprod(np.full(50, 0.9))
    ax = lp.plot_running_product({"float64": prod}, limits=False)
    k, y = ax.lines[0].get_data()
    np.testing.assert_array_equal(k, np.arange(1, 51))
    np.testing.assert_allclose(y, np.arange(1, 51) * np.log10(0.9), rtol=1e-12)


def test_running_product_leaves_zeros_out_and_marks_first_zero():
    prod = np.array([1e-40, 1e-44, 0.0, 0.0], dtype=np.float32)
    ax = lp.plot_running_product({"float32": prod}, limits=False)
    y = ax.lines[0].get_ydata()
    assert np.isnan(y[2:]).all() and np.isfinite(y[:2]).all()
    vlines = [ln for ln in ax.lines[1:] if ln.get_linestyle() == ":"]
    assert [ln.get_xdata()[0] for ln in vlines] == [3]


def test_running_product_draws_the_dtype_limits():
    prod = np.cumprod(np.full(3, 0.5, dtype=np.float32))
    ax = lp.plot_running_product({"float32": prod})
    levels = sorted(ln.get_ydata()[0] for ln in ax.lines[1:])
    info = np.finfo(np.float32)
    expected = sorted([np.log10(float(info.smallest_normal)), np.log10(float(info.smallest_subnormal))])
    np.testing.assert_allclose(levels, expected)


def test_running_product_draws_the_exact_curve_dashed_in_black():
    exact = np.arange(1, 6) * np.log10(0.3)
    ax = lp.plot_running_product({"float64": np.cumprod(np.full(5, 0.3))}, exact_log10=exact,
                                 limits=False)
    line = ax.lines[1]
    assert line.get_linestyle() == "--"
    assert same_color(line.get_color(), lp.COLORS["exact"])
    np.testing.assert_allclose(line.get_ydata(), exact)
