"""Tests of the plotting helpers of chapters 4-5 (logits, stability, many classes):
each draws the data it is given, in the palette's colours, on the axes it is given,
and leaves matplotlib's global state alone."""

from __future__ import annotations

import copy

import matplotlib
import matplotlib.pyplot as plt
import numpy as np
import pytest

from lossutils import plotting as lp
from plotutils import same_color


def sigmoid(z):
    return 1.0 / (1.0 + np.exp(-z))


# --- plot_naive_vs_stable -----------------------------------------------------------

def test_naive_vs_stable_draws_relative_errors():
    z = np.array([0.0, 1.0])
    ax = lp.plot_naive_vs_stable(z, [1.1, 2.4], [1.0, 2.0], [1.0, 2.0], floor=1e-9)
    np.testing.assert_allclose(ax.lines[0].get_ydata(), [0.1, 0.2])
    np.testing.assert_allclose(ax.lines[1].get_ydata(), [1e-9, 1e-9])   # exact: drawn at the floor
    assert ax.get_yscale() == "log"


def test_naive_vs_stable_stops_naive_curve_at_first_nonfinite_value():
    z = np.array([0.0, 1.0, 2.0, 3.0])
    ax = lp.plot_naive_vs_stable(z, [1.5, np.inf, 1.5, np.nan], np.ones(4), np.ones(4))
    drawn = ax.lines[0].get_ydata()
    assert drawn[0] == 0.5
    assert np.isnan(drawn[1:]).all()
    assert ax.lines[-1].get_xdata()[0] == 1.0


def test_naive_vs_stable_no_breakdown_line_when_all_finite():
    z = np.array([0.0, 1.0])
    ax = lp.plot_naive_vs_stable(z, [1.0, 1.0], [1.0, 1.0], [1.0, 1.0])
    assert len(ax.lines) == 3                 # naive, stable, floor


def test_naive_vs_stable_legend_names_only_the_two_curves():
    ax = lp.plot_naive_vs_stable([0.0, 1.0], [1.0, np.inf], [1.0, 1.0], [1.0, 1.0])
    assert [t.get_text() for t in ax.get_legend().get_texts()] == [
        "naive: sigmoid, then log", "stable: softplus form"]


def test_naive_vs_stable_rejects_mismatched_shapes():
    with pytest.raises(ValueError, match="one shape"):
        lp.plot_naive_vs_stable([0.0, 1.0], [0.0], [0.0, 1.0], [1.0, 1.0])


def test_naive_vs_stable_rejects_zero_reference():
    with pytest.raises(ValueError, match="nonzero"):
        lp.plot_naive_vs_stable([0.0], [1.0], [1.0], [0.0])


# --- plot_gradient_factors ----------------------------------------------------------

def test_gradient_factors_match_closed_forms_for_label_one():
    z = np.linspace(-8, 8, 33)
    s = sigmoid(z)
    ax = lp.plot_gradient_factors(z)
    np.testing.assert_allclose(ax.lines[0].get_ydata(), 1 - s, rtol=1e-12)
    np.testing.assert_allclose(ax.lines[1].get_ydata(), 2 * (1 - s) * s * (1 - s), rtol=1e-12)
    np.testing.assert_allclose(ax.lines[2].get_ydata(), s * (1 - s), rtol=1e-12)


def test_gradient_factors_for_label_zero_use_s():
    z = np.array([-2.0, 3.0])
    s = sigmoid(z)
    ax = lp.plot_gradient_factors(z, y=0)
    np.testing.assert_allclose(ax.lines[0].get_ydata(), s, rtol=1e-12)


def test_gradient_factors_finite_at_huge_logits():
    ax = lp.plot_gradient_factors(np.array([-1e4, 1e4]))
    for line in ax.lines:
        assert np.isfinite(line.get_ydata()).all()


def test_gradient_factors_use_loss_colours():
    ax = lp.plot_gradient_factors(np.linspace(-1, 1, 3))
    assert same_color(ax.lines[0].get_color(), lp.COLORS["log_loss"])
    assert same_color(ax.lines[1].get_color(), lp.COLORS["squared_error"])


def test_gradient_factors_reject_bad_label():
    with pytest.raises(ValueError, match="y must be 0 or 1"):
        lp.plot_gradient_factors([0.0], y=2)


# --- plot_class_distributions -------------------------------------------------------

def test_class_distributions_bar_heights_and_ticks():
    ax = lp.plot_class_distributions({"p": [0.1, 0.2, 0.7], "q": [0.3, 0.3, 0.4]},
                                     class_names=["a", "b", "c"])
    assert len(ax.containers) == 2
    assert [b.get_height() for b in ax.containers[1]] == [0.3, 0.3, 0.4]
    assert [t.get_text() for t in ax.get_xticklabels()] == ["a", "b", "c"]


def test_class_distributions_bars_do_not_overlap():
    ax = lp.plot_class_distributions({"p": [0.5, 0.5], "q": [0.5, 0.5]})
    left, right = ax.containers[0][0], ax.containers[1][0]
    assert left.get_x() + left.get_width() <= right.get_x() + 1e-12


def test_class_distributions_reject_unequal_lengths():
    with pytest.raises(ValueError, match="same length"):
        lp.plot_class_distributions({"p": [0.5, 0.5], "q": [1.0]})


# --- plot_cross_entropy_decomposition -----------------------------------------------

def test_decomposition_draws_curve_floor_and_mark():
    t = np.linspace(0, 2, 21)
    ce = 1.0 + (t - 1) ** 2
    ax = lp.plot_cross_entropy_decomposition(t, ce, 1.0, mark=1.0)
    np.testing.assert_allclose(ax.lines[0].get_ydata(), ce)
    np.testing.assert_allclose(ax.lines[1].get_ydata(), 1.0)
    assert ax.lines[2].get_ydata()[0] == pytest.approx(1.0)
    assert same_color(ax.lines[0].get_color(), lp.COLORS["cross_entropy"])


def test_decomposition_rejects_mismatched_shapes():
    with pytest.raises(ValueError, match="one shape"):
        lp.plot_cross_entropy_decomposition([0.0, 1.0], [1.0], 0.5)


# --- shared conventions -------------------------------------------------------------

CALLS = [
    lambda ax: lp.plot_naive_vs_stable([0.0, 1.0], [1.0, np.inf], [1.0, 1.0], [1.0, 1.0], ax=ax),
    lambda ax: lp.plot_gradient_factors([0.0, 1.0], ax=ax),
    lambda ax: lp.plot_class_distributions({"p": [0.5, 0.5]}, ax=ax),
    lambda ax: lp.plot_cross_entropy_decomposition([0.0, 1.0], [1.0, 0.8], 0.8, ax=ax),
]


@pytest.mark.parametrize("call", CALLS)
def test_helper_draws_on_given_axes_and_returns_it(call):
    _, ax = plt.subplots()
    assert call(ax) is ax


@pytest.mark.parametrize("call", CALLS)
def test_helper_leaves_rcparams_alone(call):
    before = copy.deepcopy(dict(matplotlib.rcParams))
    call(None)
    assert dict(matplotlib.rcParams) == before


@pytest.mark.parametrize("call", CALLS)
def test_helper_has_lowercase_axis_labels_and_no_title(call):
    ax = call(None)
    assert ax.get_title() == ""
    for label in (ax.get_xlabel(), ax.get_ylabel()):
        assert label and label[0] == label[0].lower()
