"""Torch parity suite: every loss, reduction and option of lossutils against torch.nn.functional in float64.

Each case builds small random inputs (and, separately, edge inputs: logits of
+-1e4, a -inf logit of another class, an empty batch, every target ignored)
and compares lossutils with PyTorch. Where lossutils deliberately differs from
PyTorch (see the API page's list), the case is left out here and the
difference is tested where it is documented (test_accuracy.py,
test_functional_*.py).
"""

from __future__ import annotations

import itertools

import numpy as np
import pytest

import lossutils as lu
from torch_oracle import torch_ref

pytestmark = pytest.mark.filterwarnings("error::RuntimeWarning")

TOL = dict(rtol=1e-12, atol=1e-12)
REDUCTIONS = ["none", "mean", "sum"]
LAYOUTS = {
    "single (C,)": (),
    "batch (N, C)": (5,),
    "spatial (N, C, d1)": (4, 3),
    "spatial (N, C, d1, d2)": (3, 2, 2),
}
C = 4


def logits_and_indices(layout: tuple[int, ...], seed: int, scale: float = 3.0):
    rng = np.random.default_rng(seed)
    if not layout:
        return scale * rng.normal(size=(C,)), np.array(rng.integers(0, C))
    n, *spatial = layout
    return scale * rng.normal(size=(n, C, *spatial)), rng.integers(0, C, size=(n, *spatial))


def class_weight(kind: str | None, seed: int):
    return None if kind is None else np.random.default_rng(seed + 1).uniform(0.2, 3.0, C)


def with_ignored(target: np.ndarray, ignore: str, seed: int) -> tuple[np.ndarray, dict]:
    if ignore == "default":
        return target, {}
    if ignore == "padding":
        mask = np.random.default_rng(seed + 2).random(target.shape) < 0.3
        return np.where(mask, -1, target), {"ignore_index": -1}
    return target, {"ignore_index": 2}  # a valid class, ignored wherever it is the target


CE_CASES = list(
    itertools.product(
        LAYOUTS, REDUCTIONS, [None, "w"], ["default", "padding", "a class"], [0.0, 0.3]
    )
)


@pytest.mark.parametrize("layout, reduction, weight, ignore, smoothing", CE_CASES)
def test_cross_entropy_with_class_indices_matches_torch(
    layout, reduction, weight, ignore, smoothing
):
    seed = CE_CASES.index((layout, reduction, weight, ignore, smoothing))
    x, y = logits_and_indices(LAYOUTS[layout], seed)
    y, extra = with_ignored(y, ignore, seed)
    kwargs = dict(
        weight=class_weight(weight, seed), reduction=reduction, label_smoothing=smoothing, **extra
    )
    np.testing.assert_allclose(
        lu.cross_entropy(x, y, **kwargs), torch_ref("cross_entropy", x, y, **kwargs), **TOL
    )


NLL_CASES = list(
    itertools.product(LAYOUTS, REDUCTIONS, [None, "w"], ["default", "padding", "a class"])
)


@pytest.mark.parametrize("layout, reduction, weight, ignore", NLL_CASES)
def test_nll_loss_matches_torch(layout, reduction, weight, ignore):
    seed = NLL_CASES.index((layout, reduction, weight, ignore))
    x, y = logits_and_indices(LAYOUTS[layout], seed)
    logp = lu.log_softmax(x, axis=0 if x.ndim == 1 else 1)
    y, extra = with_ignored(y, ignore, seed)
    kwargs = dict(weight=class_weight(weight, seed), reduction=reduction, **extra)
    np.testing.assert_allclose(
        lu.nll_loss(logp, y, **kwargs), torch_ref("nll_loss", logp, y, **kwargs), **TOL
    )


PROB_CASES = list(itertools.product(LAYOUTS, REDUCTIONS, [None, "w"], [0.0, 0.3]))


@pytest.mark.parametrize("layout, reduction, weight, smoothing", PROB_CASES)
def test_cross_entropy_with_class_probabilities_matches_torch(layout, reduction, weight, smoothing):
    seed = PROB_CASES.index((layout, reduction, weight, smoothing))
    x, _ = logits_and_indices(LAYOUTS[layout], seed)
    q = lu.softmax(
        np.random.default_rng(seed + 3).normal(size=x.shape), axis=0 if x.ndim == 1 else 1
    )
    kwargs = dict(weight=class_weight(weight, seed), reduction=reduction, label_smoothing=smoothing)
    np.testing.assert_allclose(
        lu.cross_entropy(x, q, **kwargs), torch_ref("cross_entropy", x, q, **kwargs), **TOL
    )


SHAPES = {"(N,)": (7,), "(N, C)": (5, 3), "(N, C, d)": (2, 3, 4)}
BROADCAST = [None, "scalar", "last axis", "full"]


def broadcast_weight(kind: str | None, shape: tuple[int, ...], rng: np.random.Generator):
    if kind is None:
        return None
    size = {"scalar": (), "last axis": shape[-1:], "full": shape}[kind]
    return np.asarray(rng.uniform(0.2, 3.0, size=size))


BCE_CASES = list(itertools.product(SHAPES, REDUCTIONS, BROADCAST, ["hard", "soft"]))


@pytest.mark.parametrize("shape, reduction, weight, labels", BCE_CASES)
def test_binary_cross_entropy_matches_torch(shape, reduction, weight, labels):
    rng = np.random.default_rng(BCE_CASES.index((shape, reduction, weight, labels)))
    p = rng.uniform(0, 1, SHAPES[shape])
    y = (
        (rng.random(SHAPES[shape]) < 0.5).astype(float)
        if labels == "hard"
        else rng.random(SHAPES[shape])
    )
    kwargs = dict(weight=broadcast_weight(weight, SHAPES[shape], rng), reduction=reduction)
    np.testing.assert_allclose(
        lu.binary_cross_entropy(p, y, **kwargs),
        torch_ref("binary_cross_entropy", p, y, **kwargs),
        **TOL,
    )


BCEL_CASES = list(itertools.product(SHAPES, REDUCTIONS, BROADCAST, BROADCAST, ["hard", "soft"]))


@pytest.mark.parametrize("shape, reduction, weight, pos_weight, labels", BCEL_CASES)
def test_binary_cross_entropy_with_logits_matches_torch(
    shape, reduction, weight, pos_weight, labels
):
    rng = np.random.default_rng(BCEL_CASES.index((shape, reduction, weight, pos_weight, labels)))
    x = 4 * rng.normal(size=SHAPES[shape])
    y = (
        (rng.random(SHAPES[shape]) < 0.5).astype(float)
        if labels == "hard"
        else rng.random(SHAPES[shape])
    )
    kwargs = dict(
        weight=broadcast_weight(weight, SHAPES[shape], rng),
        reduction=reduction,
        pos_weight=broadcast_weight(pos_weight, SHAPES[shape], rng),
    )
    np.testing.assert_allclose(
        lu.binary_cross_entropy_with_logits(x, y, **kwargs),
        torch_ref("binary_cross_entropy_with_logits", x, y, **kwargs),
        **TOL,
    )


FAMILY_SHAPES = {"()": (), "(C,)": (5,), "(N, C)": (4, 5), "(N, C, d)": (3, 4, 2)}
FAMILY_CASES = [
    (f, s, axis)
    for f in ("softmax", "log_softmax", "logsumexp")
    for s in FAMILY_SHAPES
    for axis in range(-max(1, len(FAMILY_SHAPES[s])), max(1, len(FAMILY_SHAPES[s])))
]


@pytest.mark.parametrize("function, shape, axis", FAMILY_CASES)
def test_softmax_family_matches_torch_along_every_axis(function, shape, axis):
    x = 3 * np.random.default_rng(FAMILY_CASES.index((function, shape, axis))).normal(
        size=FAMILY_SHAPES[shape]
    )
    np.testing.assert_allclose(getattr(lu, function)(x, axis), torch_ref(function, x, axis), **TOL)


# --- edge inputs ----------------------------------------------------------------------


def edge_logits():
    x = np.array([[1e4, -1e4, 0.0], [-1e4, 1e4, 1e4], [0.5, -np.inf, 0.1], [3.0, 3.0, 3.0]])
    return x, np.array([0, 2, 0, 1])


@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize("smoothing", [0.0, 0.2])
def test_cross_entropy_on_extreme_and_minus_inf_logits_matches_torch(reduction, smoothing):
    x, y = edge_logits()
    if smoothing:  # with smoothing a -inf logit gives inf in both; compare the finite rows
        x, y = x[[0, 1, 3]], y[[0, 1, 3]]
    kwargs = dict(reduction=reduction, label_smoothing=smoothing)
    np.testing.assert_allclose(
        lu.cross_entropy(x, y, **kwargs), torch_ref("cross_entropy", x, y, **kwargs), **TOL
    )


@pytest.mark.parametrize("function", ["softmax", "log_softmax", "logsumexp"])
def test_softmax_family_on_extreme_and_minus_inf_logits_matches_torch(function):
    x, _ = edge_logits()
    np.testing.assert_allclose(getattr(lu, function)(x, 1), torch_ref(function, x, 1), **TOL)


@pytest.mark.parametrize("loss", ["cross_entropy", "nll_loss"])
@pytest.mark.parametrize("reduction", REDUCTIONS)
def test_empty_batch_matches_torch(loss, reduction):
    x, y = np.zeros((0, 3)), np.zeros(0, dtype=np.int64)
    np.testing.assert_array_equal(
        getattr(lu, loss)(x, y, reduction=reduction), torch_ref(loss, x, y, reduction=reduction)
    )


@pytest.mark.parametrize("loss", ["cross_entropy", "nll_loss"])
@pytest.mark.parametrize("reduction", REDUCTIONS)
def test_every_target_ignored_matches_torch(loss, reduction):
    x, y, w = np.zeros((3, 2)), np.full(3, -100), np.array([1.0, 2.0])
    np.testing.assert_array_equal(
        getattr(lu, loss)(x, y, w, reduction=reduction),
        torch_ref(loss, x, y, w, reduction=reduction),
    )


# --- 0-d inputs, positional weight, weight dtype: as PyTorch 2.13 -----------------------


@pytest.mark.parametrize("function", ["softmax", "log_softmax", "logsumexp"])
@pytest.mark.parametrize("axis", [0, -1])
@pytest.mark.parametrize("value", [2.5, -np.inf, np.inf, np.nan])
def test_0d_input_along_axis_0_behaves_as_torch(function, axis, value):
    x = np.array(value)
    out = getattr(lu, function)(x, axis)
    assert out.shape == () and out.dtype == x.dtype
    np.testing.assert_array_equal(out, torch_ref(function, x, axis))


@pytest.mark.parametrize("function", ["softmax", "log_softmax", "logsumexp"])
def test_0d_input_along_axis_1_is_refused_as_torch_refuses_it(function):
    with pytest.raises(IndexError, match="Dimension out of range"):
        torch_ref(function, np.array(1.0), 1)
    with pytest.raises(
        ValueError,
        match=r"axis 1 is out of range for x with 0 dimension\(s\); use an axis in \[-1, 0\]",
    ):
        getattr(lu, function)(np.array(1.0), 1)


@pytest.mark.parametrize("loss", ["cross_entropy", "nll_loss"])
def test_weight_is_the_third_positional_argument_of_class_losses_as_in_torch(loss):
    x, y = logits_and_indices((6,), 0)
    w = class_weight("w", 0)
    np.testing.assert_allclose(getattr(lu, loss)(x, y, w), torch_ref(loss, x, y, w), **TOL)
    np.testing.assert_allclose(
        getattr(lu, loss)(x, y, w), getattr(lu, loss)(x, y, weight=w), rtol=0
    )


@pytest.mark.parametrize("loss", ["binary_cross_entropy", "binary_cross_entropy_with_logits"])
def test_weight_is_the_third_positional_argument_of_binary_losses_as_in_torch(loss):
    rng = np.random.default_rng(0)
    p, y, w = rng.uniform(0.01, 0.99, 6), rng.random(6), rng.uniform(0.5, 2, 6)
    np.testing.assert_allclose(getattr(lu, loss)(p, y, w), torch_ref(loss, p, y, w), **TOL)


def test_a_fourth_positional_argument_is_refused_like_torchs_deprecated_size_average():
    x, y = logits_and_indices((6,), 0)
    with pytest.raises(TypeError, match="positional argument"):
        lu.cross_entropy(x, y, None, None)


@pytest.mark.parametrize("loss", ["cross_entropy", "nll_loss"])
@pytest.mark.parametrize(
    "input_dtype, weight_dtype", [(np.float64, np.float32), (np.float32, np.float64)]
)
def test_class_weight_of_another_dtype_is_refused_as_torch_refuses_it(
    loss, input_dtype, weight_dtype
):
    x, y = logits_and_indices((6,), 0)
    x, w = x.astype(input_dtype), class_weight("w", 0).astype(weight_dtype)
    with pytest.raises(RuntimeError, match="expected scalar type"):
        torch_ref(loss, x, y, w)
    with pytest.raises(
        TypeError,
        match=f"weight has dtype {np.dtype(weight_dtype)} but input has dtype {np.dtype(input_dtype)}.*weight.astype",
    ):
        getattr(lu, loss)(x, y, w)


def test_class_weight_given_as_a_list_takes_the_input_dtype():
    x, y = logits_and_indices((6,), 0)
    x = x.astype(np.float32)
    w = [0.5, 1.0, 2.0, 1.5]
    expected = torch_ref("cross_entropy", x, y, np.array(w, np.float32))
    np.testing.assert_allclose(lu.cross_entropy(x, y, w), expected, rtol=1e-6)


@pytest.mark.parametrize(
    "input_dtype, other_dtype", [(np.float32, np.float64), (np.float64, np.float32)]
)
def test_probability_targets_and_weight_of_another_dtype_promote_as_in_torch(
    input_dtype, other_dtype
):
    x, _ = logits_and_indices((5,), 1)
    q = lu.softmax(x[::-1].copy(), axis=1)
    x, q, w = x.astype(input_dtype), q.astype(other_dtype), class_weight("w", 1).astype(other_dtype)
    expected = torch_ref("cross_entropy", x, q, w)
    out = lu.cross_entropy(x, q, w)
    assert out.dtype == expected.dtype == np.float64
    np.testing.assert_allclose(out, expected, rtol=1e-6)


@pytest.mark.parametrize("loss", ["binary_cross_entropy", "binary_cross_entropy_with_logits"])
@pytest.mark.parametrize(
    "input_dtype, weight_dtype", [(np.float32, np.float64), (np.float64, np.float32)]
)
def test_binary_weight_of_another_dtype_is_cast_to_the_input_dtype_as_in_torch(
    loss, input_dtype, weight_dtype
):
    rng = np.random.default_rng(2)
    p, y = rng.uniform(0.01, 0.99, 6).astype(input_dtype), rng.random(6).astype(input_dtype)
    w = rng.uniform(0.5, 2, 6).astype(weight_dtype)
    expected = torch_ref(loss, p, y, w)
    out = getattr(lu, loss)(p, y, w)
    assert out.dtype == expected.dtype == input_dtype
    np.testing.assert_allclose(out, expected, rtol=1e-6)
