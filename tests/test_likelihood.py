"""likelihood and log_likelihood: closed forms, underflow, and the log without the product."""

from __future__ import annotations

from fractions import Fraction

import numpy as np
import pytest
import torch
import torch.nn.functional as F
from hypothesis import given, settings
from hypothesis import strategies as st

import lossutils as lu

pytestmark = pytest.mark.filterwarnings("error::RuntimeWarning")

SEED_TARGET = np.array([0, 1, 1, 0])
SEED_PROB = np.array([0.4, 0.6, 0.9, 0.1])


def test_seed_example_likelihood_is_the_product_of_true_label_probabilities():
    expected = 0.6 * 0.6 * 0.9 * 0.9
    np.testing.assert_allclose(lu.likelihood(SEED_TARGET, SEED_PROB), expected, rtol=1e-15)


def test_seed_example_log_likelihood_is_the_sum_of_logs():
    expected = np.log(0.6) + np.log(0.6) + np.log(0.9) + np.log(0.9)
    np.testing.assert_allclose(lu.log_likelihood(SEED_TARGET, SEED_PROB), expected, rtol=1e-15)


def test_boolean_labels_work_like_0_and_1():
    np.testing.assert_allclose(
        lu.likelihood(SEED_TARGET.astype(bool), SEED_PROB), lu.likelihood(SEED_TARGET, SEED_PROB)
    )


def test_multiclass_likelihood_picks_the_true_class_column():
    prob = np.array([[0.2, 0.3, 0.5], [0.6, 0.3, 0.1], [0.1, 0.8, 0.1]])
    np.testing.assert_allclose(lu.likelihood([2, 0, 1], prob), 0.5 * 0.6 * 0.8, rtol=1e-15)


def test_multiclass_log_likelihood_is_minus_torch_nll_sum():
    rng = np.random.default_rng(0)
    prob = rng.dirichlet(np.ones(4), size=10)
    y = rng.integers(0, 4, 10)
    log_prob = torch.from_numpy(np.log(prob))
    expected = -F.nll_loss(log_prob, torch.from_numpy(y), reduction="sum").item()
    np.testing.assert_allclose(lu.log_likelihood(y, prob), expected, rtol=1e-14)


def test_binary_log_likelihood_is_minus_n_times_torch_bce():
    rng = np.random.default_rng(1)
    p, y = rng.random(50), rng.integers(0, 2, 50)
    bce = F.binary_cross_entropy(torch.from_numpy(p), torch.from_numpy(y.astype(float))).item()
    np.testing.assert_allclose(lu.log_likelihood(y, p), -50 * bce, rtol=1e-13)


@settings(max_examples=50, deadline=None)
@given(st.integers(0, 2**32 - 1), st.integers(1, 40))
def test_log_of_likelihood_equals_log_likelihood_while_the_product_is_representable(seed, n):
    rng = np.random.default_rng(seed)
    p, y = rng.uniform(0.05, 0.95, n), rng.integers(0, 2, n)
    np.testing.assert_allclose(np.log(lu.likelihood(y, p)), lu.log_likelihood(y, p), rtol=1e-12)


def test_product_underflows_to_zero_but_log_likelihood_stays_finite():
    y, p = np.ones(2000, dtype=int), np.full(2000, 0.4)
    assert lu.likelihood(y, p) == 0.0  # 0.4**2000 = 1e-796
    np.testing.assert_allclose(lu.log_likelihood(y, p), 2000 * np.log(0.4), rtol=1e-13)


def stuck_units(prob: float) -> int:
    """Where a float64 running product of ``prob`` stops, in units of the smallest subnormal.

    Computed exactly: a subnormal is m units, one more factor gives round-half-even(m * f)
    units (f the stored factor as a fraction), and the product walks down from far above.
    """
    f, m = Fraction(float(prob)), 10**6
    while round(m * f) != m:
        m = round(m * f)
    return m


@pytest.mark.parametrize("prob, units", [(0.6, 1), (0.9, 5), (0.99, 49)])
def test_product_of_many_equal_probabilities_above_half_sticks_at_a_few_subnormal_units(
    prob, units
):
    # the docstring's values, checked with exact rounding of the stored factor
    assert stuck_units(prob) == units
    assert units <= 1 / (2 * (1 - prob)) + 1e-9
    n = 100_000
    y, p = np.ones(n, dtype=int), np.full(n, prob)
    s = np.finfo(np.float64).smallest_subnormal
    assert lu.likelihood(y, p) == units * s
    np.testing.assert_allclose(lu.log_likelihood(y, p), n * np.log(prob), rtol=1e-12)


def test_product_of_probabilities_of_one_half_or_less_reaches_zero():
    y = np.ones(5000, dtype=int)
    for prob in (0.5, 0.4, 0.3):
        assert lu.likelihood(y, np.full(5000, prob)) == 0.0


def test_float32_likelihood_is_the_float64_product_cast_so_a_stuck_product_becomes_zero():
    y = np.ones(100_000, dtype=int)
    out = lu.likelihood(y, np.full(100_000, 0.9, dtype=np.float32))
    assert out.dtype == np.float32 and out == 0.0


def test_float32_likelihood_underflows_to_zero_below_float32_range_and_keeps_float32():
    y, p = np.ones(200, dtype=int), np.full(200, 0.4, np.float32)
    out = lu.likelihood(y, p)
    assert out.dtype == np.float32 and out == 0.0  # 0.4**200 = 1e-80 is below float32's range
    assert lu.log_likelihood(y, p).dtype == np.float32


def test_log_likelihood_of_label_0_uses_log1p_and_keeps_tiny_values():
    # log(1 - 1e-20) = -1e-20, but 1 - 1e-20 rounds to 1 and log(1) = 0
    np.testing.assert_allclose(lu.log_likelihood([0], [1e-20]), -1e-20, rtol=1e-15)


def test_probability_1e_minus_300_gives_a_finite_log_likelihood():
    np.testing.assert_allclose(lu.log_likelihood([1], [1e-300]), np.log(1e-300), rtol=1e-15)


def test_true_label_with_probability_zero_gives_minus_inf_without_clamping():
    assert lu.log_likelihood([1, 0], [0.0, 0.5]) == -np.inf
    assert lu.likelihood([1, 0], [0.0, 0.5]) == 0.0


def test_empty_batch_has_likelihood_one_and_log_likelihood_zero():
    assert lu.likelihood(np.zeros(0, int), np.zeros(0)) == 1.0
    assert lu.log_likelihood(np.zeros(0, int), np.zeros(0)) == 0.0


def test_results_are_0d_arrays():
    assert lu.likelihood(SEED_TARGET, SEED_PROB).shape == ()
    assert lu.log_likelihood(SEED_TARGET, SEED_PROB).shape == ()
