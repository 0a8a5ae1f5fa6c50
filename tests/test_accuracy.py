"""Accuracy against mpmath at 50 significant digits: a few ulp, also where PyTorch loses every digit.

The exact values are computed from the very floating-point numbers the
functions receive, so the only error measured is the functions' own.
"""

from __future__ import annotations

import mpmath as mp
import numpy as np
import pytest
import scipy.special
import torch
import torch.nn.functional as F
from hypothesis import given, settings
from hypothesis import strategies as st

import lossutils as lu
from torch_oracle import to_torch as t

pytestmark = pytest.mark.filterwarnings("error::RuntimeWarning")

mp.mp.dps = 50
SETTINGS = settings(max_examples=150, deadline=None)
MAX_ULP = 4


def ulp_error(value, exact, dtype=np.float64) -> float:
    """|value - exact| in units of the last place of ``exact`` in ``dtype``."""
    exact_f = dtype(exact)
    spacing = (
        float(np.spacing(np.abs(exact_f)))
        if exact_f != 0
        else float(np.finfo(dtype).smallest_subnormal)
    )
    return float(abs(mp.mpf(float(value)) - exact) / spacing)


def exact_nll(x, t) -> mp.mpf:
    """-log_softmax(x)[t] = log(1 + sum_{c != t} exp(x_c - x_t)), exact for the given floats."""
    xt = mp.mpf(float(x[t]))
    return mp.log1p(mp.fsum(mp.exp(mp.mpf(float(v)) - xt) for i, v in enumerate(x) if i != t))


def exact_softplus(x) -> mp.mpf:
    return mp.log1p(mp.exp(mp.mpf(float(x))))


@st.composite
def logit_rows(draw, dtype=np.float64):
    c = draw(st.integers(2, 8))
    scale = draw(st.sampled_from([1.0, 10.0, 100.0, 1e4]))
    rng = np.random.default_rng(draw(st.integers(0, 2**32 - 1)))
    x = (scale * rng.normal(size=c)).astype(dtype)
    if draw(st.booleans()):  # make one class dominate by a margin of 5 to 700
        x[draw(st.integers(0, c - 1))] = x.max() + draw(st.floats(5, 700))
    return x, draw(st.integers(0, c - 1))


# --- cross-entropy --------------------------------------------------------------------


@SETTINGS
@given(logit_rows())
def test_cross_entropy_float64_is_within_a_few_ulp(row):
    x, t = row
    out = lu.cross_entropy(x[None], np.array([t]), reduction="none")[0]
    assert ulp_error(out, exact_nll(x, t)) <= MAX_ULP


@SETTINGS
@given(logit_rows(np.float32))
def test_cross_entropy_float32_is_within_a_few_float32_ulp(row):
    x, t = row
    out = lu.cross_entropy(x[None], np.array([t]), reduction="none")[0]
    assert ulp_error(out, exact_nll(x, t), np.float32) <= MAX_ULP + 2


@pytest.mark.parametrize("margin", [20.0, 41.0, 100.0, 700.0])
def test_cross_entropy_of_a_dominant_true_class_keeps_its_tiny_value(margin):
    x = np.array([[margin, 0.0, -3.0]])
    out = lu.cross_entropy(x, np.array([0]))
    assert ulp_error(out, exact_nll(x[0], 0)) <= MAX_ULP


def test_pytorch_rounds_a_cross_entropy_of_1e_minus_18_to_zero():
    # the claim made in cross_entropy's docstring
    x = np.array([[41.0, 0.0]])
    assert F.cross_entropy(t(x), torch.tensor([0])).item() == 0.0
    np.testing.assert_allclose(
        lu.cross_entropy(x, np.array([0])), float(exact_nll(x[0], 0)), rtol=1e-15
    )


def test_logits_of_magnitude_1e4_that_differ_by_1e_minus_9_keep_their_digits():
    x = np.array([1e4, 1e4 + 1e-9, 1e4 - 2e-9, 1e4 + 3e-9])
    for target in range(4):
        out = lu.cross_entropy(x[None], np.array([target]), reduction="none")[0]
        assert ulp_error(out, exact_nll(x, target)) <= MAX_ULP


def test_subtracting_the_target_logit_after_the_log_sum_exp_loses_digits_at_magnitude_1e4():
    # the textbook logsumexp(x) - x_t rounds at the scale of 1e4 (ulp 1.8e-12) before subtracting
    x = np.array([1e4, 1e4 + 1e-9, 1e4 - 2e-9, 1e4 + 3e-9])
    naive = float(scipy.special.logsumexp(x) - x[0])
    assert ulp_error(naive, exact_nll(x, 0)) > 100


def test_mean_of_float32_losses_is_accumulated_in_float64():
    # 2**25 + 1 losses of exactly log 2 in float32 would stall a float32 running sum
    x = np.zeros((2**20, 2), np.float32)
    out = lu.cross_entropy(x, np.zeros(2**20, dtype=np.int64), reduction="sum")
    assert ulp_error(out, 2**20 * mp.log(2), np.float32) <= 1


# --- the softmax family ----------------------------------------------------------------


@SETTINGS
@given(logit_rows())
def test_log_softmax_is_within_a_few_ulp_for_every_class(row):
    x, _ = row
    out = lu.log_softmax(x)
    for c in range(x.size):
        assert ulp_error(out[c], -exact_nll(x, c)) <= MAX_ULP


@SETTINGS
@given(logit_rows())
def test_logsumexp_is_within_a_few_ulp_of_the_scale_of_its_inputs(row):
    # m + log1p(s) cancels when the result is near 0 but m is not (x = [-0.64, -0.79] gives
    # -0.016): no float64 algorithm does better than rounding at the scale of max|x| there
    x, _ = row
    exact = mp.log(mp.fsum(mp.exp(mp.mpf(float(v))) for v in x))
    scale = max(abs(exact), mp.mpf(float(np.abs(x).max())))
    assert abs(mp.mpf(float(lu.logsumexp(x))) - exact) <= MAX_ULP * np.spacing(float(scale))


def test_logsumexp_close_to_zero_keeps_its_digits():
    x = np.array([0.0, -40.0, -45.0])
    exact = mp.log1p(mp.exp(-40) + mp.exp(-45))
    assert ulp_error(lu.logsumexp(x) - 0.0, exact) <= MAX_ULP


@SETTINGS
@given(st.floats(-745, 745))
def test_log_sigmoid_is_within_a_few_ulp(x):
    assert ulp_error(lu.log_sigmoid(np.float64(x)), -exact_softplus(-x)) <= MAX_ULP


@SETTINGS
@given(st.floats(-700, 700), st.floats(0, 1), st.floats(0.1, 10))
def test_bce_with_logits_is_within_a_few_ulp(x, y, pos_weight):
    out = lu.binary_cross_entropy_with_logits(
        np.array([x]), np.array([y]), pos_weight=np.array([pos_weight]), reduction="none"
    )[0]
    exact = mp.mpf(pos_weight) * mp.mpf(y) * exact_softplus(-x) + (1 - mp.mpf(y)) * exact_softplus(
        x
    )
    assert ulp_error(out, exact) <= MAX_ULP + 2


@pytest.mark.parametrize("x, y", [(40.0, 1.0), (-40.0, 0.0)])
def test_bce_with_logits_at_logit_40_for_the_true_label(x, y):
    out = lu.binary_cross_entropy_with_logits(np.array([x]), np.array([y]))
    assert ulp_error(out, exact_softplus(-40.0)) <= 1


def test_pytorch_bce_with_logits_returns_zero_at_logit_minus_40_with_label_0():
    assert (
        F.binary_cross_entropy_with_logits(
            torch.tensor([-40.0], dtype=torch.float64), torch.tensor([0.0], dtype=torch.float64)
        ).item()
        == 0.0
    )


@SETTINGS
@given(st.floats(1e-300, 1.0, exclude_max=True), st.sampled_from([0.0, 1.0]))
def test_binary_cross_entropy_is_within_a_few_ulp_where_no_clamp_applies(p, y):
    exact = -mp.log(mp.mpf(p)) if y == 1 else -mp.log1p(-mp.mpf(p))
    if exact > 100:
        return  # the clamp at -100 applies (tested elsewhere)
    out = lu.binary_cross_entropy(np.array([p]), np.array([y]))
    assert ulp_error(out, exact) <= MAX_ULP


def test_binary_cross_entropy_of_a_tiny_probability_with_label_0_uses_log1p():
    p = 1e-10
    exact = -mp.log1p(-mp.mpf(p))
    assert ulp_error(lu.binary_cross_entropy(np.array([p]), np.array([0.0])), exact) <= 1
    assert ulp_error(-np.log(1 - p), exact) > 1000  # the textbook log(1 - p)
