"""Chapter 2: the underflow thresholds and the log-likelihood numbers, recomputed independently.

The thresholds come from the float formats' limits (``np.finfo``) and logarithms,
the stuck values from exact rational arithmetic on the stored factors
(``fractions.Fraction``, rounding to nearest with ties to even), and exact
products from mpmath at 50 digits; the chapter's loop is not rerun.
"""

from __future__ import annotations

import math
import re
from fractions import Fraction

import mpmath as mp
import numpy as np
import pytest
from scipy.stats import entropy, gmean
from sklearn.metrics import log_loss

from bookutils import figure_image

DOC = "chapters/02-product-to-sum"
mp.mp.dps = 50

CASES = [(0.9, "float32"), (0.9, "float64"), (0.3, "float32"), (0.3, "float64")]


def stored(prob, name):
    """The factor as the format stores it, as an exact rational and as an mpf."""
    value = float(np.dtype(name).type(prob))
    return Fraction(value), mp.mpf(value)


def tag(prob, name):
    return f"ch2_p{int(prob * 10)}_{name}"


def fixed_points(f: Fraction, limit=60):
    """Multiples m of the smallest subnormal with round-half-even(m f) == m."""
    return [m for m in range(1, limit) if round(m * f) == m]  # Python's round: half to even


@pytest.mark.parametrize("name", ["float32", "float64"])
def test_glued_limits_are_the_format_limits(g, name):
    info = np.finfo(name)
    assert g[f"ch2_{name}_normal"] == float(info.smallest_normal)
    assert g[f"ch2_{name}_subnormal"] == float(info.smallest_subnormal)


@pytest.mark.parametrize("prob,name", CASES)
def test_product_leaves_normal_range_where_the_logs_say(g, prob, name):
    _, f = stored(prob, name)
    expected = math.ceil(mp.log(float(np.finfo(name).smallest_normal)) / mp.log(f))
    assert int(g[f"{tag(prob, name)}_k_subnormal"]) == expected


@pytest.mark.parametrize("name", ["float32", "float64"])
def test_product_of_03_reaches_zero_near_half_the_smallest_subnormal(g, name):
    _, f = stored(0.3, name)
    half_s = mp.mpf(float(np.finfo(name).smallest_subnormal)) / 2
    estimate = mp.log(half_s) / mp.log(f)
    assert abs(int(g[f"{tag(0.3, name)}_k_end"]) - estimate) <= 1.5
    assert g[f"{tag(0.3, name)}_end_value"] == 0.0
    assert g[f"{tag(0.3, name)}_rel_err"] == -1.0


@pytest.mark.parametrize("name", ["float32", "float64"])
def test_product_of_09_gets_stuck_at_a_fixed_point_of_the_rounding(g, name):
    frac, f = stored(0.9, name)
    s = float(np.finfo(name).smallest_subnormal)
    units = g[f"{tag(0.9, name)}_end_value"] / s
    assert units == round(units) and round(units) in fixed_points(frac)
    assert int(g[f"{tag(0.9, name)}_units"]) == round(units)
    # the product arrives there about when the exact value does
    estimate = mp.log(units * s) / mp.log(f)
    assert abs(int(g[f"{tag(0.9, name)}_k_end"]) - estimate) <= 5


def test_float32_09_sticks_at_four_and_float64_at_five(g):
    assert max(fixed_points(stored(0.9, "float32")[0])) == 4
    assert max(fixed_points(stored(0.9, "float64")[0])) == 5
    assert int(g["ch2_p9_float32_units"]) == 4
    assert int(g["ch2_p9_float64_units"]) == 5


def test_factors_below_one_half_have_no_fixed_point(g):
    for name in ("float32", "float64"):
        assert fixed_points(stored(0.3, name)[0]) == []
    assert g["ch2_bound_09"] == pytest.approx(5.0)


@pytest.mark.parametrize("prob,name", CASES)
def test_exact_value_and_relative_error_at_the_end(g, prob, name):
    _, f = stored(prob, name)
    k = int(g[f"{tag(prob, name)}_k_end"])
    exact = f**k
    assert g[f"{tag(prob, name)}_exact"] == pytest.approx(float(exact), rel=1e-12)
    assert g[f"{tag(prob, name)}_exact_log10"] == pytest.approx(float(mp.log10(exact)), rel=1e-12)
    rel = (mp.mpf(g[f"{tag(prob, name)}_end_value"]) - exact) / exact
    assert g[f"{tag(prob, name)}_rel_err"] == pytest.approx(float(rel), rel=1e-9, abs=1e-15)


@pytest.mark.parametrize("prob,name", CASES)
def test_table_shows_the_exact_value_as_mantissa_and_power_of_ten(g, prob, name):
    # the table prints mantissa "e" exponent: it must be the exact product, even below float64
    _, f = stored(prob, name)
    exact = f ** int(g[f"{tag(prob, name)}_k_end"])
    mant, exp = g[f"{tag(prob, name)}_exact_mant"], int(g[f"{tag(prob, name)}_exact_exp"])
    assert 1 <= mant < 10
    assert mp.mpf(mant) * mp.mpf(10) ** exp == pytest.approx(exact, rel=1e-12)


def test_exact_value_of_the_stuck_float64_09_product_differs_from_the_product(g):
    # the reader's report: the table showed the float64-rounded exact value, equal to the product
    t = tag(0.9, "float64")
    # compared as printed: a float would round the exact value to float64 again
    shown_exact = f"{g[t + '_exact_mant']:.2f}e{int(g[t + '_exact_exp'])}"
    shown_product = f"{g[t + '_end_value']:.2e}"
    assert shown_exact != shown_product
    assert abs(g[t + "_rel_err"]) > 0.01


@pytest.mark.parametrize("name", ["float32", "float64"])
def test_product_is_accurate_just_before_leaving_the_normal_range(g, name):
    assert g[f"ch2_p9_{name}_rel_err_normal"] < 4 * float(np.finfo(name).eps)


@pytest.mark.parametrize("name", ["float32", "float64"])
def test_stuck_product_is_orders_of_magnitude_too_large(g, name):
    _, f = stored(0.9, name)
    n = int(g[f"ch2_p9_{name}_n"])
    off = mp.log10(g[f"ch2_p9_{name}_end_value"]) - n * mp.log10(f)
    assert g[f"ch2_p9_{name}_orders_off"] == pytest.approx(float(off), rel=1e-9)
    assert g[f"ch2_p9_{name}_orders_off"] > 10


def test_example_log_likelihood(g):
    exact = 2 * mp.log(mp.mpf("0.6")) + 2 * mp.log(mp.mpf("0.9"))
    assert g["ch2_loglik"] == pytest.approx(float(exact), rel=1e-14)
    assert g["ch2_nll_sum"] == pytest.approx(float(-exact), rel=1e-14)


def test_example_mean_nll_is_sklearn_log_loss(g):
    expected = log_loss([0, 1, 1, 0], [0.4, 0.6, 0.9, 0.1])
    assert g["ch2_nll_mean"] == pytest.approx(expected, rel=1e-14)


def test_geometric_mean_is_fourth_root_of_likelihood(g):
    assert g["ch2_geomean"] == pytest.approx(0.2916**0.25, rel=1e-14)
    assert g["ch2_log2"] == pytest.approx(math.log(2))


def test_perplexity_is_the_reciprocal_geometric_mean(g):
    assert g["ch2_perplexity"] == pytest.approx(1 / gmean([0.6, 0.6, 0.9, 0.9]), rel=1e-14)
    assert g["ch2_perplexity"] == pytest.approx(
        math.exp(log_loss([0, 1, 1, 0], [0.4, 0.6, 0.9, 0.1])), rel=1e-14
    )


def test_base_rate_predictor_scores_the_label_entropy_below_log_2(g):
    n, ones = int(g["ch2_base_n"]), int(g["ch2_base_ones"])
    y = np.zeros(n, dtype=int)
    y[:ones] = 1
    q = ones / n
    assert g["ch2_base_q"] == q
    sk = log_loss(y, np.full(n, q))
    assert g["ch2_base_nll"] == pytest.approx(sk, rel=1e-12)
    assert g["ch2_base_nll"] == pytest.approx(float(entropy([q, 1 - q])), rel=1e-12)
    assert g["ch2_base_nll"] < math.log(2) - 0.1
    assert g["ch2_base_perplexity"] == pytest.approx(math.exp(sk), rel=1e-12)


def test_big_log_likelihood(g):
    n = int(g["ch2_p9_float64_n"])
    assert g["ch2_loglik_big"] == pytest.approx(n * math.log(0.9), rel=1e-12)


def test_coin_log_likelihood_maximiser(g):
    assert g["ch2_coin_theta_hat"] == pytest.approx(g["ch2_coin_k"] / g["ch2_coin_n"], abs=1e-12)


def test_exercise_099_sticks_at_largest_fixed_point(g):
    frac, _ = stored(0.99, "float64")
    assert int(g["ch2_ex_units"]) == max(fixed_points(frac, limit=80))
    assert g["ch2_ex_bound"] == pytest.approx(50.0)


def test_exercise_batch_numbers(g):
    assert g["ch2_ex_sum"] == pytest.approx(6.4)
    assert g["ch2_ex_gm"] == pytest.approx(math.exp(-0.1))


def test_exercise_overflow_count(g):
    expected = float(np.finfo(np.float32).max) / -math.log(0.9)
    assert g["ch2_ex_count"] == pytest.approx(expected, rel=1e-12)


@pytest.mark.parametrize(
    "name, words",
    [
        ("fig-ch2-product09", ["0.9", "exact", "flat", "subnormal"]),
        ("fig-ch2-product03", ["0.3", "exact", "zero", "dotted"]),
    ],
)
def test_running_product_figures_are_on_the_page_with_descriptive_alt_text(page_html, name, words):
    image = figure_image(page_html, name)
    assert image["src"].endswith(".png")
    assert all(word in image["alt"] for word in words), image["alt"]
    assert "/" not in image["alt"]


@pytest.mark.parametrize("name", ["float32", "float64"])
def test_figure_09_curves_end_at_the_stuck_value_and_the_exact_line_far_below(g, name):
    frac, f = stored(0.9, name)
    s = float(np.finfo(name).smallest_subnormal)
    stuck = max(fixed_points(frac))
    assert g[f"ch2_fig09_{name}_last_log10"] == pytest.approx(math.log10(stuck * s), rel=1e-12)
    n = int(g["ch2_p9_float64_n"])
    exact = float(n * mp.log10(stored(0.9, "float64")[1]))
    assert g["ch2_fig09_exact_last_log10"] == pytest.approx(exact, rel=1e-12)
    assert int(g["ch2_fig09_n_zero_marks"]) == 0


@pytest.mark.parametrize("name", ["float32", "float64"])
def test_figure_03_marks_where_each_product_becomes_zero(g, name):
    assert int(g["ch2_fig03_n_zero_marks"]) == 2
    _, f = stored(0.3, name)
    half_s = mp.mpf(float(np.finfo(name).smallest_subnormal)) / 2
    assert abs(int(g[f"ch2_fig03_{name}_zero_at"]) - mp.log(half_s) / mp.log(f)) <= 1.5
    assert int(g[f"ch2_fig03_{name}_zero_at"]) == int(g[f"{tag(0.3, name)}_k_end"])


def test_going_deeper_aside_is_a_collapsed_dropdown(page_html):
    assert re.search(
        r'<div class="[^"]*\bdropdown\b[^"]*">\s*<p class="admonition-title">'
        r"Going deeper: why 0\.9 gets stuck",
        page_html,
    )
