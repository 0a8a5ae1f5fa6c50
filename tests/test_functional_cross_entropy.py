"""cross_entropy and nll_loss against torch.nn.functional, in float64 and float32."""

from __future__ import annotations

import tracemalloc

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
TOL = {np.float32: dict(rtol=1e-5, atol=1e-5), np.float64: dict(rtol=1e-12, atol=1e-12)}


@st.composite
def class_index_cases(draw):
    """Logits of shape (C,), (N, C) or (N, C, d1, ..., dK), targets, and options."""
    dtype = draw(st.sampled_from(DTYPES))
    c = draw(st.integers(1, 6))
    layout = draw(st.sampled_from(["single", "batch", "spatial1", "spatial2"]))
    n = draw(st.integers(0, 5))
    spatial = {
        "single": (),
        "batch": (),
        "spatial1": (draw(st.integers(1, 3)),),
        "spatial2": (draw(st.integers(1, 3)), draw(st.integers(1, 2))),
    }[layout]
    seed = draw(st.integers(0, 2**32 - 1))
    rng = np.random.default_rng(seed)
    scale = draw(st.sampled_from([1.0, 10.0, 100.0]))
    if layout == "single":
        x = (scale * rng.normal(size=(c,))).astype(dtype)
        target = np.array(rng.integers(0, c))
    else:
        x = (scale * rng.normal(size=(n, c) + spatial)).astype(dtype)
        target = rng.integers(0, c, size=(n,) + spatial)
    kwargs = {"reduction": draw(st.sampled_from(["none", "mean", "sum"]))}
    if draw(st.booleans()):
        kwargs["weight"] = rng.uniform(0.1, 3.0, size=c).astype(dtype)
    ignore = draw(st.sampled_from(["default", "padding", "a class"]))
    if ignore == "padding" and target.size:
        mask = rng.random(target.shape) < 0.3
        target = np.where(mask, -1, target)
        kwargs["ignore_index"] = -1
    elif ignore == "a class":
        kwargs["ignore_index"] = int(rng.integers(0, c))
    return x, target, kwargs


@SETTINGS
@given(class_index_cases())
def test_nll_loss_matches_torch(case):
    x, target, kwargs = case
    logp = lu.log_softmax(x, axis=0 if x.ndim == 1 else 1)
    out = lu.nll_loss(logp, target, **kwargs)
    expected = F.nll_loss(t(logp), t(target), **torch_kwargs(kwargs)).numpy()
    assert out.dtype == x.dtype and out.shape == expected.shape
    np.testing.assert_allclose(out, expected, **TOL[x.dtype.type])


@SETTINGS
@given(class_index_cases(), st.sampled_from([0.0, 0.1, 0.5, 1.0]))
def test_cross_entropy_with_class_indices_matches_torch(case, label_smoothing):
    x, target, kwargs = case
    out = lu.cross_entropy(x, target, label_smoothing=label_smoothing, **kwargs)
    expected = F.cross_entropy(
        t(x), t(target), label_smoothing=label_smoothing, **torch_kwargs(kwargs)
    ).numpy()
    assert out.dtype == x.dtype and out.shape == expected.shape
    np.testing.assert_allclose(out, expected, **TOL[x.dtype.type])


@SETTINGS
@given(class_index_cases(), st.sampled_from([0.0, 0.2, 1.0]), st.integers(0, 2**32 - 1))
def test_cross_entropy_with_class_probabilities_matches_torch(case, label_smoothing, seed):
    x, _, kwargs = case
    kwargs.pop("ignore_index", None)
    rng = np.random.default_rng(seed)
    q = lu.softmax(rng.normal(size=x.shape) * 3, axis=0 if x.ndim == 1 else 1).astype(x.dtype)
    out = lu.cross_entropy(x, q, label_smoothing=label_smoothing, **kwargs)
    expected = F.cross_entropy(
        t(x), t(q), label_smoothing=label_smoothing, **torch_kwargs(kwargs)
    ).numpy()
    assert out.dtype == x.dtype and out.shape == expected.shape
    np.testing.assert_allclose(out, expected, **TOL[x.dtype.type])


@SETTINGS
@given(class_index_cases())
def test_cross_entropy_equals_nll_loss_of_log_softmax(case):
    x, target, kwargs = case
    logp = lu.log_softmax(x, axis=0 if x.ndim == 1 else 1)
    np.testing.assert_allclose(
        lu.cross_entropy(x, target, **kwargs),
        lu.nll_loss(logp, target, **kwargs),
        **TOL[x.dtype.type],
    )


# --- reductions ----------------------------------------------------------------------


def test_sum_is_n_times_mean_without_weights():
    rng = np.random.default_rng(1)
    x, y = rng.normal(size=(50, 4)), rng.integers(0, 4, 50)
    np.testing.assert_allclose(
        lu.cross_entropy(x, y, reduction="sum"), 50 * lu.cross_entropy(x, y), rtol=1e-14
    )


def test_doubling_the_batch_leaves_the_mean_unchanged():
    rng = np.random.default_rng(2)
    x, y, w = rng.normal(size=(20, 3)), rng.integers(0, 3, 20), np.array([0.5, 1.0, 4.0])
    once = lu.cross_entropy(x, y, weight=w, label_smoothing=0.1)
    twice = lu.cross_entropy(
        np.concatenate([x, x]), np.concatenate([y, y]), weight=w, label_smoothing=0.1
    )
    np.testing.assert_allclose(twice, once, rtol=1e-14)


def test_weighted_mean_divides_by_the_weights_of_the_true_classes():
    logp = np.log(np.array([[0.5, 0.5], [0.25, 0.75], [0.9, 0.1]]))
    y, w = np.array([0, 1, 1]), np.array([2.0, 3.0])
    expected = (2 * np.log(2) + 3 * -np.log(0.75) + 3 * -np.log(0.1)) / (2 + 3 + 3)
    np.testing.assert_allclose(lu.nll_loss(logp, y, weight=w), expected, rtol=1e-15)


def test_ignored_targets_count_neither_in_the_sum_nor_in_the_denominator():
    logp = np.log(np.array([[0.5, 0.5], [0.25, 0.75], [0.9, 0.1]]))
    out = lu.nll_loss(logp, np.array([0, -100, 1]))
    np.testing.assert_allclose(out, (np.log(2) - np.log(0.1)) / 2, rtol=1e-15)


def test_ignore_index_may_be_a_valid_class():
    x = np.array([[1.0, 2.0], [3.0, 0.0]])
    out = lu.cross_entropy(x, np.array([1, 0]), ignore_index=1, reduction="none")
    assert out[0] == 0.0
    np.testing.assert_allclose(out[1], -lu.log_softmax(x[1])[0], rtol=1e-15)


def test_smoothing_term_of_weighted_mean_is_divided_by_true_class_weights_like_torch():
    # torch divides the smoothing sum by the weights of the *true* classes, not by sum(w)
    x, y, w, eps = np.array([[0.0, 1.0, 2.0]]), np.array([0]), np.array([1.0, 2.0, 4.0]), 0.3
    logp = lu.log_softmax(x)[0]
    expected = ((1 - eps) * -w[0] * logp[0] + eps / 3 * -(w * logp).sum()) / w[0]
    np.testing.assert_allclose(
        lu.cross_entropy(x, y, weight=w, label_smoothing=eps), expected, rtol=1e-14
    )
    np.testing.assert_allclose(
        F.cross_entropy(t(x), t(y), weight=t(w), label_smoothing=eps).numpy(), expected, rtol=1e-14
    )


def test_probability_targets_mean_divides_by_the_number_of_samples_not_the_weights():
    rng = np.random.default_rng(3)
    x, q, w = (
        rng.normal(size=(4, 3)),
        lu.softmax(rng.normal(size=(4, 3))),
        np.array([1.0, 2.0, 5.0]),
    )
    per_sample = -(w * q * lu.log_softmax(x)).sum(axis=1)
    np.testing.assert_allclose(lu.cross_entropy(x, q, weight=w), per_sample.mean(), rtol=1e-14)


def test_one_hot_probability_targets_equal_class_indices():
    rng = np.random.default_rng(4)
    x, y = rng.normal(size=(6, 4)), rng.integers(0, 4, 6)
    np.testing.assert_allclose(
        lu.cross_entropy(x, np.eye(4)[y]), lu.cross_entropy(x, y), rtol=1e-14
    )


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("reduction", ["mean", "sum"])
def test_reduced_loss_is_a_0d_array_of_the_input_dtype(dtype, reduction):
    out = lu.cross_entropy(np.zeros((3, 2), dtype), np.array([0, 1, 0]), reduction=reduction)
    assert isinstance(out, np.ndarray) and out.shape == () and out.dtype == dtype


# --- edge cases -----------------------------------------------------------------------


@pytest.mark.parametrize("dtype", DTYPES)
def test_every_target_ignored_gives_nan_mean_like_torch(dtype):
    x, y = np.zeros((3, 2), dtype), np.full(3, -100)
    assert np.isnan(F.cross_entropy(t(x), t(y)).item())
    assert np.isnan(lu.cross_entropy(x, y))
    assert np.isnan(lu.nll_loss(x, y, weight=np.ones(2, dtype)))


def test_every_target_ignored_gives_zero_sum():
    assert lu.cross_entropy(np.zeros((3, 2)), np.full(3, -100), reduction="sum") == 0.0


def test_every_target_ignored_with_label_smoothing_gives_nan_mean_like_torch():
    x, y = np.zeros((3, 2)), np.full(3, -100)
    assert np.isnan(F.cross_entropy(t(x), t(y), label_smoothing=0.2).item())
    assert np.isnan(lu.cross_entropy(x, y, label_smoothing=0.2))


@pytest.mark.parametrize("reduction, expected", [("mean", np.nan), ("sum", 0.0)])
def test_empty_batch_gives_nan_mean_and_zero_sum_like_torch(reduction, expected):
    x, y = np.zeros((0, 3)), np.zeros(0, dtype=np.int64)
    np.testing.assert_array_equal(
        F.cross_entropy(t(x), t(y), reduction=reduction).numpy(), expected
    )
    np.testing.assert_array_equal(lu.cross_entropy(x, y, reduction=reduction), expected)


def test_empty_batch_with_reduction_none_is_empty():
    assert lu.cross_entropy(
        np.zeros((0, 3, 2)), np.zeros((0, 2), dtype=np.int64), reduction="none"
    ).shape == (0, 2)


@pytest.mark.parametrize("dtype", DTYPES)
def test_logits_of_plus_minus_1e4_are_finite_and_match_torch_float64(dtype):
    x = np.array([[1e4, -1e4, 0.0], [-1e4, 1e4, 1e4], [1e4, 1e4 - 1, -1e4]], dtype)
    y = np.array([0, 1, 1])
    out = lu.cross_entropy(x, y, reduction="none")
    expected = F.cross_entropy(t(x.astype(np.float64)), t(y), reduction="none").numpy()
    assert np.isfinite(out).all()
    np.testing.assert_allclose(out, expected, rtol=1e-6, atol=1e-12)


def test_minus_inf_logit_of_another_class_is_harmless():
    out = lu.cross_entropy(np.array([[1.0, -np.inf, 0.0]]), np.array([0]), reduction="none")
    np.testing.assert_allclose(
        out,
        F.cross_entropy(
            t(np.array([[1.0, -np.inf, 0.0]])), t(np.array([0])), reduction="none"
        ).numpy(),
    )


def test_minus_inf_logit_of_the_target_gives_inf():
    assert lu.cross_entropy(np.array([[1.0, -np.inf]]), np.array([1])) == np.inf


def test_plus_inf_logit_gives_nan_like_torch():
    x = np.array([[np.inf, 0.0]])
    assert np.isnan(F.cross_entropy(t(x), t(np.array([0]))).item())
    assert np.isnan(lu.cross_entropy(x, np.array([0])))


def test_nan_logit_gives_nan():
    assert np.isnan(lu.cross_entropy(np.array([[np.nan, 0.0]]), np.array([1])))


def test_nan_logits_of_an_ignored_sample_do_not_leak_into_the_mean():
    x = np.array([[np.nan, 0.0], [0.0, 0.0]])
    np.testing.assert_allclose(lu.cross_entropy(x, np.array([-100, 0])), np.log(2), rtol=1e-15)


def test_equal_logits_give_log_c():
    np.testing.assert_allclose(
        lu.cross_entropy(np.full((4, 7), 3.0), np.arange(4)), np.log(7), rtol=1e-15
    )


def test_probability_target_with_minus_inf_logit_where_probability_is_zero_is_finite():
    # PyTorch returns NaN here (0 * -inf); the limit q log p -> 0 is what lossutils returns
    x, q = np.array([[1.0, -np.inf, 0.0]]), np.array([[0.5, 0.0, 0.5]])
    assert np.isnan(F.cross_entropy(t(x), t(q)).item())
    np.testing.assert_allclose(
        lu.cross_entropy(x, q), -0.5 * (lu.log_softmax(x)[0, 0] + lu.log_softmax(x)[0, 2])
    )


def test_unsigned_byte_targets_are_accepted_like_torch():
    x, y = np.random.default_rng(5).normal(size=(4, 3)), np.array([0, 2, 1, 1], dtype=np.uint8)
    np.testing.assert_allclose(
        lu.cross_entropy(x, y), F.cross_entropy(t(x), t(y)).numpy(), rtol=1e-14
    )


def test_float32_mean_over_a_large_batch_is_no_less_accurate_than_torch_float32():
    rng = np.random.default_rng(6)
    x, y = rng.normal(size=(200_000, 5)).astype(np.float32), rng.integers(0, 5, 200_000)
    exact = F.cross_entropy(t(x.astype(np.float64)), t(y)).item()
    ours = float(lu.cross_entropy(x, y))
    theirs = F.cross_entropy(t(x), t(y)).item()
    ulp = float(np.spacing(np.float32(exact)))
    assert abs(ours - exact) <= max(abs(theirs - exact), ulp)


def test_class_index_targets_never_build_a_one_hot_array():
    # 400,000 x 10 float64 logits are 32 MB; an (N, C) temporary would show up as at least that
    rng = np.random.default_rng(7)
    x, y = rng.normal(size=(400_000, 10)), rng.integers(0, 10, 400_000)
    tracemalloc.start()
    base = tracemalloc.get_traced_memory()[0]
    lu.cross_entropy(x, y)
    peak = tracemalloc.get_traced_memory()[1] - base
    tracemalloc.stop()
    assert peak < x.nbytes / 2


# --- gradients: autograd against the closed form softmax - target ----------------------


@pytest.mark.parametrize("seed", range(3))
def test_autograd_gradient_of_cross_entropy_is_softmax_minus_one_hot_over_n(seed):
    rng = np.random.default_rng(seed)
    x, y = rng.normal(size=(5, 4)) * 3, rng.integers(0, 4, 5)
    xt = t(x.copy()).requires_grad_(True)
    F.cross_entropy(xt, t(y)).backward()
    closed_form = (lu.softmax(x) - np.eye(4)[y]) / 5
    np.testing.assert_allclose(xt.grad.numpy(), closed_form, rtol=1e-12, atol=1e-15)


def test_autograd_gradient_of_cross_entropy_with_probability_targets_is_softmax_minus_q_over_n():
    rng = np.random.default_rng(8)
    x, q = rng.normal(size=(3, 4)), lu.softmax(rng.normal(size=(3, 4)))
    xt = t(x.copy()).requires_grad_(True)
    F.cross_entropy(xt, t(q)).backward()
    np.testing.assert_allclose(xt.grad.numpy(), (lu.softmax(x) - q) / 3, rtol=1e-12, atol=1e-15)


# --- layouts and dtypes ------------------------------------------------------------------


def test_non_contiguous_spatial_input_matches_torch():
    rng = np.random.default_rng(9)
    x = rng.normal(size=(3, 5, 4, 2))[:, :, ::2, :]  # a strided view
    y = rng.integers(0, 5, (3, 2, 2))
    expected = F.cross_entropy(t(x.copy()), t(y), reduction="none", label_smoothing=0.1).numpy()
    np.testing.assert_allclose(
        lu.cross_entropy(x, y, reduction="none", label_smoothing=0.1), expected, rtol=1e-13
    )


def test_fortran_ordered_input_matches_torch():
    rng = np.random.default_rng(10)
    x, y = np.asfortranarray(rng.normal(size=(7, 5))), rng.integers(0, 5, 7)
    expected = F.cross_entropy(t(np.ascontiguousarray(x)), t(y), reduction="none").numpy()
    np.testing.assert_allclose(lu.cross_entropy(x, y, reduction="none"), expected, rtol=1e-13)


def test_float16_input_keeps_float16_and_matches_torch():
    rng = np.random.default_rng(11)
    x, y = rng.normal(size=(6, 4)).astype(np.float16), rng.integers(0, 4, 6)
    out = lu.cross_entropy(x, y)
    assert out.dtype == np.float16
    np.testing.assert_allclose(out, F.cross_entropy(t(x), t(y)).numpy(), rtol=2e-3)


def test_lists_are_accepted_like_arrays():
    np.testing.assert_allclose(lu.cross_entropy([[1.0, 2.0]], [0]), np.log1p(np.e), rtol=1e-15)


def test_negative_ignore_index_is_allowed_with_probability_targets_like_torch():
    x, q = np.array([[0.0, 1.0, 2.0]]), np.array([[0.2, 0.3, 0.5]])
    expected = F.cross_entropy(t(x), t(q), ignore_index=-1).numpy()
    np.testing.assert_allclose(lu.cross_entropy(x, q, ignore_index=-1), expected, rtol=1e-14)


# --- images whose spatial axes do not merge: read a block of samples at a time ---------


@pytest.fixture
def small_chunks(monkeypatch):
    # blocks of 16 (sample, position) pairs: one sample's 12 positions span two blocks
    monkeypatch.setattr(lu.functional, "_CHUNK", 16)
    monkeypatch.setattr(lu.functional, "_GATHER", 16)


def strided_images(seed=0):
    """Logits (N, C, H, W), class indices with padding and probabilities, sliced so H and W do not merge."""
    rng = np.random.default_rng(seed)
    x = rng.normal(scale=3, size=(7, 4, 8, 6))[:, :, ::2, 1:4]
    target = np.where(rng.random((7, 8, 6)) < 0.2, -100, rng.integers(0, 4, (7, 8, 6)))
    q = lu.softmax(rng.normal(size=(7, 4, 8, 6)), axis=1)[:, :, ::2, 1:4]
    return x, target[:, ::2, 1:4], q


def test_strided_images_are_read_in_sample_blocks_not_copied():
    x, target, _ = strided_images()
    assert isinstance(lu._validation.as_ncs(x), lu._validation.SampleBlocks)
    assert isinstance(lu._validation.as_ncs(target, lead=1), lu._validation.SampleBlocks)


@pytest.mark.usefixtures("small_chunks")
@pytest.mark.parametrize("reduction", ["none", "mean", "sum"])
@pytest.mark.parametrize(
    "loss, options",
    [
        ("nll_loss", {}),
        ("cross_entropy", {}),
        ("cross_entropy", {"label_smoothing": 0.2}),
        ("cross_entropy", {"weight": np.array([0.5, 1.0, 2.0, 3.0])}),
        ("cross_entropy", {"weight": np.array([0.5, 1.0, 2.0, 3.0]), "label_smoothing": 0.1}),
        ("cross_entropy, probabilities", {"label_smoothing": 0.1}),
    ],
)
def test_strided_images_match_torch(loss, options, reduction):
    x, target, q = strided_images()
    name, _, kind = loss.partition(", ")
    y = q if kind else target
    ours = getattr(lu, name)(x, y, reduction=reduction, **options)
    theirs = getattr(F, name)(t(x), t(y), reduction=reduction, **torch_kwargs(options)).numpy()
    np.testing.assert_allclose(ours, theirs, rtol=1e-12, atol=1e-14)
