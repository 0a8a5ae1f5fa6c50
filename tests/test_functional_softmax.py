"""The softmax family (sigmoid, log_sigmoid, logsumexp, softmax, log_softmax) against PyTorch and SciPy."""

from __future__ import annotations

import numpy as np
import pytest
import scipy.special
import torch
import torch.nn.functional as F
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import array_shapes, arrays

import lossutils as lu
from torch_oracle import to_torch as t

pytestmark = pytest.mark.filterwarnings("error::RuntimeWarning")

SETTINGS = settings(max_examples=60, deadline=None)
DTYPES = [np.float32, np.float64]
TOL = {np.float32: dict(rtol=2e-6, atol=2e-6), np.float64: dict(rtol=1e-13, atol=1e-13)}


def logit_arrays(dtype, min_dims=1, max_dims=3, bound=50.0):
    return arrays(
        dtype,
        array_shapes(min_dims=min_dims, max_dims=max_dims, min_side=1, max_side=6),
        elements=st.floats(-bound, bound, width=32 if dtype == np.float32 else 64),
    )


@st.composite
def logits_and_axis(draw, dtype=np.float64):
    x = draw(logit_arrays(dtype))
    axis = draw(st.integers(-x.ndim, x.ndim - 1))
    return x, axis


# --- sigmoid and log_sigmoid ---------------------------------------------------------


@pytest.mark.parametrize("dtype", DTYPES)
def test_sigmoid_matches_torch(dtype):
    x = np.linspace(-60, 60, 241).astype(dtype)
    np.testing.assert_allclose(lu.sigmoid(x), torch.sigmoid(t(x)).numpy(), **TOL[dtype])


@pytest.mark.parametrize("dtype", DTYPES)
def test_sigmoid_keeps_dtype(dtype):
    assert lu.sigmoid(np.zeros(3, dtype)).dtype == dtype


def test_sigmoid_of_extreme_logits_is_exactly_0_or_1_without_warnings():
    np.testing.assert_array_equal(lu.sigmoid(np.array([-1e4, 1e4, -np.inf, np.inf])), [0, 1, 0, 1])


@pytest.mark.parametrize("dtype", DTYPES)
def test_log_sigmoid_matches_torch(dtype):
    x = np.linspace(-200, 200, 401).astype(dtype)
    np.testing.assert_allclose(lu.log_sigmoid(x), F.logsigmoid(t(x)).numpy(), **TOL[dtype])


def test_log_sigmoid_is_finite_at_minus_1e4():
    np.testing.assert_array_equal(lu.log_sigmoid(np.array([-1e4], np.float32)), [-1e4])


def test_log_sigmoid_keeps_tiny_values_where_log_of_sigmoid_gives_0():
    np.testing.assert_allclose(lu.log_sigmoid(np.array([40.0])), [-np.exp(-40.0)], rtol=1e-15)


# --- logsumexp --------------------------------------------------------------------------


@SETTINGS
@given(logits_and_axis())
def test_logsumexp_matches_scipy_along_each_axis(xa):
    x, axis = xa
    np.testing.assert_allclose(
        lu.logsumexp(x, axis=axis), scipy.special.logsumexp(x, axis=axis), rtol=1e-13
    )


@SETTINGS
@given(logit_arrays(np.float64))
def test_logsumexp_over_everything_is_0d_and_matches_scipy(x):
    out = lu.logsumexp(x)
    assert out.shape == ()
    np.testing.assert_allclose(out, scipy.special.logsumexp(x), rtol=1e-13)


def test_logsumexp_keepdims_and_tuple_axis_match_scipy():
    x = np.random.default_rng(0).normal(size=(2, 3, 4))
    ours = lu.logsumexp(x, axis=(0, 2), keepdims=True)
    assert ours.shape == (1, 3, 1)
    np.testing.assert_allclose(
        ours, scipy.special.logsumexp(x, axis=(0, 2), keepdims=True), rtol=1e-14
    )


def test_logsumexp_of_large_equal_values_does_not_overflow():
    np.testing.assert_allclose(lu.logsumexp(np.array([1e4, 1e4])), 1e4 + np.log(2), rtol=1e-15)


def test_logsumexp_of_all_minus_inf_is_minus_inf_and_of_plus_inf_is_plus_inf():
    out = lu.logsumexp(np.array([[-np.inf, -np.inf], [np.inf, 0.0]]), axis=1)
    np.testing.assert_array_equal(out, [-np.inf, np.inf])


def test_logsumexp_of_empty_array_is_minus_inf():
    assert lu.logsumexp(np.zeros(0)) == -np.inf


def test_logsumexp_keeps_float32():
    assert lu.logsumexp(np.ones((2, 3), np.float32), axis=1).dtype == np.float32


# --- softmax and log_softmax ------------------------------------------------------------


@pytest.mark.parametrize("dtype", DTYPES)
@SETTINGS
@given(data=st.data())
def test_softmax_matches_torch(dtype, data):
    x = data.draw(logit_arrays(dtype))
    axis = data.draw(st.integers(0, x.ndim - 1))
    expected = torch.softmax(t(x), dim=axis).numpy()
    out = lu.softmax(x, axis=axis)
    assert out.dtype == dtype
    np.testing.assert_allclose(out, expected, **TOL[dtype])


@pytest.mark.parametrize("dtype", DTYPES)
@SETTINGS
@given(data=st.data())
def test_log_softmax_matches_torch(dtype, data):
    x = data.draw(logit_arrays(dtype))
    axis = data.draw(st.integers(0, x.ndim - 1))
    expected = torch.log_softmax(t(x), dim=axis).numpy()
    out = lu.log_softmax(x, axis=axis)
    assert out.dtype == dtype
    np.testing.assert_allclose(out, expected, **TOL[dtype])


@SETTINGS
@given(logits_and_axis())
def test_softmax_sums_to_one_along_axis(xa):
    x, axis = xa
    np.testing.assert_allclose(lu.softmax(x, axis=axis).sum(axis=axis), 1.0, rtol=1e-14)


@SETTINGS
@given(logits_and_axis(), st.integers(-1000, 1000))
def test_log_softmax_is_unchanged_by_adding_a_constant(xa, c):
    x, axis = xa
    # x + c is exact for these magnitudes in float64 (integers c, |x| <= 50 on a 2**-40 grid)
    x = np.round(x * 2**40) / 2**40
    np.testing.assert_allclose(
        lu.log_softmax(x + c, axis=axis), lu.log_softmax(x, axis=axis), atol=1e-12
    )


@SETTINGS
@given(logits_and_axis())
def test_exp_of_log_softmax_is_softmax(xa):
    x, axis = xa
    np.testing.assert_allclose(
        np.exp(lu.log_softmax(x, axis=axis)), lu.softmax(x, axis=axis), rtol=1e-13, atol=1e-300
    )


@pytest.mark.parametrize("dtype", DTYPES)
def test_log_softmax_of_plus_minus_1e4_is_finite_and_exact(dtype):
    out = lu.log_softmax(np.array([1e4, -1e4], dtype))
    np.testing.assert_array_equal(out, np.array([0.0, -2e4], dtype))


def test_log_softmax_of_equal_logits_is_minus_log_c():
    np.testing.assert_allclose(lu.log_softmax(np.full((2, 5), 7.0)), -np.log(5.0), rtol=1e-15)


def test_softmax_of_minus_inf_entry_is_zero():
    np.testing.assert_array_equal(lu.softmax(np.array([0.0, -np.inf, 0.0])), [0.5, 0.0, 0.5])


def test_log_softmax_of_minus_inf_entry_is_minus_inf():
    np.testing.assert_array_equal(lu.log_softmax(np.array([0.0, -np.inf])), [0.0, -np.inf])


def test_softmax_of_a_row_with_plus_inf_is_nan_like_torch():
    x = np.array([np.inf, 0.0])
    assert np.isnan(torch.softmax(t(x), 0).numpy()).all()
    assert np.isnan(lu.softmax(x)).all()


def test_log_softmax_propagates_nan():
    assert np.isnan(lu.log_softmax(np.array([np.nan, 0.0]))).all()


def test_softmax_of_an_empty_array_is_empty():
    assert lu.softmax(np.zeros((3, 0))).shape == (3, 0)
    assert lu.log_softmax(np.zeros((0, 4))).shape == (0, 4)


# --- any layout, any length: the input is cut into pieces, never copied whole -----------
#
# With _CHUNK shrunk to 16 elements, small arrays take the paths that large ones
# take: strided pieces cut along another axis, and long reductions combined from
# the log-sum-exps of their pieces.


@pytest.fixture
def small_chunks(monkeypatch):
    monkeypatch.setattr(lu.functional, "_CHUNK", 16)


def strided(shape, seed=0):
    """A random array of `shape` whose axes do not merge (a slice of a larger one)."""
    rng = np.random.default_rng(seed)
    base = rng.normal(scale=5, size=tuple(2 * n + 1 for n in shape))
    return base[tuple(slice(1, 2 * n + 1, 2) for n in shape)]


def all_axis_sets(ndim):
    import itertools

    return [c for r in range(1, ndim + 1) for c in itertools.combinations(range(ndim), r)]


# one index of the first axis holds more than a piece (cut one index at a time), or less
SHAPES = [(3, 4, 5, 6), (40, 2, 3, 2)]


@pytest.mark.usefixtures("small_chunks")
@pytest.mark.parametrize("shape", SHAPES)
@pytest.mark.parametrize("axes", all_axis_sets(4))
def test_logsumexp_of_a_strided_array_over_any_axes_matches_scipy(axes, shape):
    x = strided(shape)
    assert not x.flags.c_contiguous and not x.flags.f_contiguous
    np.testing.assert_allclose(
        lu.logsumexp(x, axis=axes), scipy.special.logsumexp(x, axis=axes), rtol=1e-13
    )


@pytest.mark.usefixtures("small_chunks")
@pytest.mark.parametrize("axis", range(4))
@pytest.mark.parametrize("fn", ["softmax", "log_softmax"])
@pytest.mark.parametrize("shape", SHAPES)
def test_softmax_family_of_a_strided_array_along_any_axis_matches_torch(fn, axis, shape):
    x = strided(shape)
    np.testing.assert_allclose(
        getattr(lu, fn)(x, axis=axis), getattr(F, fn)(t(x), dim=axis).numpy(), **TOL[np.float64]
    )


@pytest.mark.usefixtures("small_chunks")
def test_logsumexp_over_a_long_axis_keeps_a_tiny_term_from_another_piece():
    # 0 and -40 lie in different pieces of 16: their log-sum-exps, 0 and -40, are
    # combined by one more log-sum-exp, which keeps log1p(e^-40) = 4.2e-18
    x = np.full(1000, -np.inf)
    x[3], x[900] = 0.0, -40.0
    assert lu.logsumexp(x) == np.log1p(np.exp(-40.0))


@pytest.mark.usefixtures("small_chunks")
@pytest.mark.parametrize(
    "special, expected",
    [(np.inf, np.inf), (np.nan, np.nan), (-np.inf, None)],
    ids=["+inf", "nan", "-inf"],
)
def test_logsumexp_over_a_long_axis_with_an_infinity_or_nan_in_one_piece(special, expected):
    x = np.random.default_rng(1).normal(size=(2, 500))
    x[1, 321] = special
    out = lu.logsumexp(x, axis=1)
    want = scipy.special.logsumexp(x, axis=1)
    np.testing.assert_allclose(out, want, rtol=1e-13)
    if expected is not None:
        np.testing.assert_array_equal(out[1], expected)


@pytest.mark.usefixtures("small_chunks")
def test_softmax_and_logsumexp_of_a_transposed_array_match_the_contiguous_copy():
    x = np.random.default_rng(2).normal(size=(6, 5, 4)).transpose(2, 0, 1)
    c = np.ascontiguousarray(x)
    for axis in range(3):
        np.testing.assert_array_equal(lu.softmax(x, axis=axis), lu.softmax(c, axis=axis))
        np.testing.assert_array_equal(lu.logsumexp(x, axis=axis), lu.logsumexp(c, axis=axis))
