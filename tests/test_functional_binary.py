"""binary_cross_entropy and binary_cross_entropy_with_logits against torch.nn.functional."""

from __future__ import annotations

import mpmath
import numpy as np
import pytest
import torch.nn.functional as F
from hypothesis import given, settings
from hypothesis import strategies as st

import lossutils as lu
from torch_oracle import to_torch as t
from torch_oracle import torch_kwargs

pytestmark = pytest.mark.filterwarnings("error::RuntimeWarning")

SETTINGS = settings(max_examples=80, deadline=None)
DTYPES = [np.float32, np.float64]
TOL = {np.float32: dict(rtol=1e-5, atol=1e-6), np.float64: dict(rtol=1e-12, atol=1e-14)}


@st.composite
def binary_cases(draw):
    """Input shape, dtype, reduction and weight / pos_weight shapes that broadcast to it."""
    dtype = draw(st.sampled_from(DTYPES))
    shape = tuple(draw(st.lists(st.integers(0, 4), min_size=1, max_size=3)))
    rng = np.random.default_rng(draw(st.integers(0, 2**32 - 1)))

    def broadcastable():
        kind = draw(st.sampled_from(["none", "scalar", "last", "full"]))
        if kind == "none":
            return None
        if kind == "scalar":
            return np.asarray(rng.uniform(0.1, 3), dtype)
        if kind == "last":
            return rng.uniform(0.1, 3, size=shape[-1:]).astype(dtype)
        return rng.uniform(0.1, 3, size=shape).astype(dtype)

    reduction = draw(st.sampled_from(["none", "mean", "sum"]))
    hard = draw(st.booleans())
    y = (rng.random(shape) < 0.5).astype(dtype) if hard else rng.random(shape).astype(dtype)
    scale = draw(st.sampled_from([1.0, 5.0, 30.0]))
    x = (scale * rng.normal(size=shape)).astype(dtype)
    return x, y, reduction, broadcastable(), broadcastable()


def as_float64(a):
    return None if a is None else a.astype(np.float64)


def kw(**kwargs):
    return {k: v for k, v in kwargs.items() if v is not None}


def tkw(**kwargs):
    return torch_kwargs(kwargs)


@SETTINGS
@given(binary_cases())
def test_binary_cross_entropy_with_logits_matches_torch(case):
    x, y, reduction, weight, pos_weight = case
    out = lu.binary_cross_entropy_with_logits(
        x, y, reduction=reduction, **kw(weight=weight, pos_weight=pos_weight)
    )
    # torch in float64, rounded to the input's dtype: in float32 torch loses the
    # digits of a tiny loss (for y = 0 it computes x + softplus(-x), which cancels
    # when x << 0), where lossutils keeps them (listed on the API page)
    expected = F.binary_cross_entropy_with_logits(
        *(t(a.astype(np.float64)) for a in (x, y)),
        reduction=reduction,
        **tkw(weight=as_float64(weight), pos_weight=as_float64(pos_weight)),
    ).numpy()
    assert out.dtype == x.dtype and out.shape == expected.shape
    np.testing.assert_allclose(out, expected.astype(x.dtype), **TOL[x.dtype.type])


def test_bce_with_logits_keeps_the_digits_of_a_tiny_loss_that_float32_torch_loses():
    # Hypothesis found it: y = 0, x = -11.986891, weight 2.2457645. The loss is
    # w * log1p(e^x); torch's float32 kernel is 7% off, lossutils to float32 rounding.
    x, y, w = np.float32([-11.986891]), np.float32([0.0]), np.float32(2.2457645)
    exact = float(w) * float(mpmath.log1p(mpmath.exp(float(x[0]))))
    ours = lu.binary_cross_entropy_with_logits(x, y, weight=w, reduction="none")
    theirs = F.binary_cross_entropy_with_logits(t(x), t(y), weight=t(w), reduction="none").numpy()
    assert abs(ours[0] / exact - 1) < 1e-6
    assert abs(theirs[0] / exact - 1) > 1e-2


@SETTINGS
@given(binary_cases())
def test_binary_cross_entropy_matches_torch(case):
    x, y, reduction, weight, _ = case
    p = lu.sigmoid(x / 10)  # keep p away from 0 and 1, where both clamp at -100
    out = lu.binary_cross_entropy(p, y, reduction=reduction, **kw(weight=weight))
    expected = F.binary_cross_entropy(t(p), t(y), reduction=reduction, **tkw(weight=weight)).numpy()
    assert out.dtype == x.dtype and out.shape == expected.shape
    np.testing.assert_allclose(out, expected, **TOL[x.dtype.type])


@SETTINGS
@given(binary_cases())
def test_bce_with_logits_equals_bce_of_the_sigmoid_where_both_are_finite(case):
    x, y, _, weight, _ = case
    # |x| < 10, so that 1 - sigmoid(x) keeps enough digits for the probability form
    x = 10 * np.tanh(x.astype(np.float64) / 10)
    np.testing.assert_allclose(
        lu.binary_cross_entropy_with_logits(x, y, reduction="none", **kw(weight=weight)),
        lu.binary_cross_entropy(lu.sigmoid(x), y, reduction="none", **kw(weight=weight)),
        rtol=1e-9,
        atol=1e-12,
    )


# --- the clamp at -100 and other edges ----------------------------------------------


@pytest.mark.parametrize("dtype", DTYPES)
def test_bce_clamps_each_log_at_minus_100_like_torch(dtype):
    p, y = (
        np.array([0.0, 1.0, 1e-300 if dtype == np.float64 else 1e-45, 0.0], dtype),
        np.array([1.0, 0.0, 1.0, 0.0], dtype),
    )
    out = lu.binary_cross_entropy(p, y, reduction="none")
    np.testing.assert_array_equal(out, F.binary_cross_entropy(t(p), t(y), reduction="none").numpy())
    np.testing.assert_array_equal(out, np.array([100.0, 100.0, 100.0, 0.0], dtype))


def test_bce_of_a_certain_correct_prediction_is_zero():
    np.testing.assert_array_equal(
        lu.binary_cross_entropy(np.array([0.0, 1.0]), np.array([0.0, 1.0]), reduction="none"), 0.0
    )


def test_bce_accepts_integer_labels():
    p = np.array([0.2, 0.7])
    np.testing.assert_allclose(
        lu.binary_cross_entropy(p, np.array([0, 1])),
        lu.binary_cross_entropy(p, np.array([0.0, 1.0])),
    )


def test_bce_mean_ignores_weights_in_the_denominator():
    p, y, w = np.array([0.5, 0.5]), np.array([1.0, 1.0]), np.array([1.0, 3.0])
    np.testing.assert_allclose(
        lu.binary_cross_entropy(p, y, weight=w), (1 + 3) * np.log(2) / 2, rtol=1e-15
    )


def test_bce_of_seed_example_is_minus_mean_log_likelihood():
    p, y = np.array([0.4, 0.6, 0.9, 0.1]), np.array([0, 1, 1, 0])
    np.testing.assert_allclose(
        lu.binary_cross_entropy(p, y), -np.log(0.6 * 0.6 * 0.9 * 0.9) / 4, rtol=1e-15
    )


@pytest.mark.parametrize("loss", [lu.binary_cross_entropy, lu.binary_cross_entropy_with_logits])
def test_empty_input_gives_nan_mean_like_torch(loss):
    assert np.isnan(loss(np.zeros(0), np.zeros(0)))
    assert loss(np.zeros(0), np.zeros(0), reduction="sum") == 0.0


@pytest.mark.parametrize("dtype", DTYPES)
def test_bce_with_logits_of_plus_minus_1e4_is_finite(dtype):
    x, y = np.array([1e4, -1e4, 1e4, -1e4], dtype), np.array([1.0, 0.0, 0.0, 1.0], dtype)
    np.testing.assert_array_equal(
        lu.binary_cross_entropy_with_logits(x, y, reduction="none"),
        np.array([0, 0, 1e4, 1e4], dtype),
    )


def test_bce_with_logits_at_infinite_logits_gives_the_limits_where_torch_gives_nan():
    x, y = np.array([np.inf, -np.inf, np.inf, -np.inf]), np.array([1.0, 0.0, 0.0, 1.0])
    assert np.isnan(
        F.binary_cross_entropy_with_logits(t(x), t(y), reduction="none").numpy()[[0, 1, 3]]
    ).all()
    np.testing.assert_array_equal(
        lu.binary_cross_entropy_with_logits(x, y, reduction="none"), [0.0, 0.0, np.inf, np.inf]
    )


def test_bce_with_logits_propagates_nan():
    assert np.isnan(lu.binary_cross_entropy_with_logits(np.array([np.nan]), np.array([1.0])))


def test_pos_weight_multiplies_only_the_positive_term():
    x, y = np.array([[0.3, -1.2]]), np.array([[1.0, 0.0]])
    out = lu.binary_cross_entropy_with_logits(
        x, y, pos_weight=np.array([4.0, 4.0]), reduction="none"
    )
    np.testing.assert_allclose(out, [[-4 * lu.log_sigmoid(0.3), -lu.log_sigmoid(1.2)]], rtol=1e-15)


@pytest.mark.parametrize(
    "shape, pos_weight",
    [((3, 2, 4), [1.0, 2.0, 3.0, 4.0]), ((3, 2), [[1.0], [2.0], [3.0]])],
    ids=["shape C, along the last axis", "shape (N, 1), over the columns"],
)
def test_pos_weight_broadcasts_like_torch(shape, pos_weight):
    rng = np.random.default_rng(len(shape))
    x, y, pw = rng.normal(size=shape), rng.random(shape), np.array(pos_weight)
    expected = F.binary_cross_entropy_with_logits(
        t(x), t(y), pos_weight=t(pw), reduction="none"
    ).numpy()
    np.testing.assert_allclose(
        lu.binary_cross_entropy_with_logits(x, y, pos_weight=pw, reduction="none"),
        expected,
        rtol=1e-13,
    )


def test_soft_targets_outside_0_1_are_accepted_by_the_logits_version_like_torch():
    x, y = np.array([0.5, -0.5]), np.array([1.5, -0.5])
    expected = F.binary_cross_entropy_with_logits(t(x), t(y), reduction="none").numpy()
    np.testing.assert_allclose(
        lu.binary_cross_entropy_with_logits(x, y, reduction="none"), expected, rtol=1e-14
    )


# --- gradient: autograd against the closed form sigmoid - target ----------------------


@pytest.mark.parametrize("seed", range(3))
def test_autograd_gradient_of_bce_with_logits_is_sigmoid_minus_target_over_n(seed):
    rng = np.random.default_rng(seed)
    x, y = rng.normal(size=8) * 4, rng.random(8)
    xt = t(x.copy()).requires_grad_(True)
    F.binary_cross_entropy_with_logits(xt, t(y)).backward()
    np.testing.assert_allclose(xt.grad.numpy(), (lu.sigmoid(x) - y) / 8, rtol=1e-12, atol=1e-16)
