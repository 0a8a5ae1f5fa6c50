"""Bad input raises ValueError/TypeError naming the argument, what was expected and what came."""

from __future__ import annotations

import re

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import lossutils as lu

LOGITS = np.zeros((4, 5))
LABELS = np.array([0, 1, 2, 3])


def esc(text: str) -> str:
    return re.escape(text)


# --- shapes ---------------------------------------------------------------------------


def test_cross_entropy_batch_size_mismatch():
    with pytest.raises(
        ValueError, match=esc("input has batch size 4 (shape (4, 5)) but target has batch size 3")
    ):
        lu.cross_entropy(LOGITS, np.array([0, 1, 2]))


def test_nll_loss_batch_size_mismatch():
    with pytest.raises(ValueError, match="input has batch size 4"):
        lu.nll_loss(LOGITS, np.array([0, 1, 2]))


def test_cross_entropy_spatial_target_shape_mismatch():
    with pytest.raises(
        ValueError,
        match=esc(
            "target has shape (2, 3), but input of shape (2, 5, 4) needs class indices of shape (2, 4)"
        ),
    ):
        lu.cross_entropy(np.zeros((2, 5, 4)), np.zeros((2, 3), dtype=int))


def test_cross_entropy_single_sample_with_a_vector_target():
    with pytest.raises(ValueError, match=esc("needs class indices of shape ()")):
        lu.cross_entropy(np.zeros(5), np.array([1, 2]))


def test_cross_entropy_of_a_0d_input():
    with pytest.raises(ValueError, match="input must have a class axis"):
        lu.cross_entropy(np.array(1.0), np.array(0))


def test_cross_entropy_with_zero_classes():
    with pytest.raises(ValueError, match="0 classes along its class axis"):
        lu.cross_entropy(np.zeros((3, 0)), np.zeros(3, dtype=int))


def test_binary_cross_entropy_target_shape_mismatch():
    with pytest.raises(ValueError, match=esc("target has shape (3,) but input has shape (3, 1)")):
        lu.binary_cross_entropy(np.full((3, 1), 0.5), np.ones(3))


def test_binary_cross_entropy_with_logits_target_shape_mismatch():
    with pytest.raises(ValueError, match=esc("target has shape (2,) but input has shape (3,)")):
        lu.binary_cross_entropy_with_logits(np.zeros(3), np.ones(2))


# --- class indices --------------------------------------------------------------------


def test_class_index_out_of_range_names_value_position_and_fix():
    with pytest.raises(
        ValueError,
        match=esc("target has class index 7 at position 2, but input has only 5 classes (axis 1)"),
    ) as info:
        lu.cross_entropy(LOGITS, np.array([0, 1, 7, 3]))
    assert "set ignore_index=7" in str(info.value)


def test_negative_class_index_that_is_not_ignore_index():
    with pytest.raises(ValueError, match="target has class index -1 at position 1"):
        lu.nll_loss(LOGITS, np.array([0, -1, 2, 3]))


def test_class_index_out_of_range_in_a_spatial_target_reports_its_position():
    target = np.zeros((2, 3), dtype=int)
    target[1, 2] = 9
    with pytest.raises(ValueError, match=esc("class index 9 at position (1, 2)")):
        lu.cross_entropy(np.zeros((2, 5, 3)), target)


def test_float_target_where_class_indices_are_expected():
    with pytest.raises(
        TypeError,
        match=esc("target must hold integer class indices, but it has dtype float64 (shape (4,))"),
    ):
        lu.cross_entropy(LOGITS, LABELS.astype(float))


def test_float_target_for_nll_loss():
    with pytest.raises(TypeError, match="integer class indices"):
        lu.nll_loss(LOGITS, LABELS.astype(np.float32))


def test_boolean_target_for_cross_entropy():
    with pytest.raises(TypeError, match="integer class indices, but it has dtype bool"):
        lu.cross_entropy(LOGITS, LABELS > 1)


def test_integer_target_with_the_shape_of_input():
    with pytest.raises(
        TypeError, match="read as class probabilities, which must be floating point"
    ):
        lu.cross_entropy(LOGITS, np.zeros((4, 5), dtype=int))


def test_ignore_index_with_probability_targets():
    with pytest.raises(
        ValueError, match="ignore_index=1 cannot be used with class-probability targets"
    ):
        lu.cross_entropy(LOGITS, np.full((4, 5), 0.2), ignore_index=1)


def test_ignore_index_that_is_not_an_integer():
    with pytest.raises(TypeError, match="ignore_index must be an integer, but got float"):
        lu.cross_entropy(LOGITS, LABELS, ignore_index=-1.5)


@settings(max_examples=60, deadline=None)
@given(
    st.lists(st.integers(-8, 12), min_size=1, max_size=6),
    st.integers(1, 6),
    st.sampled_from([-100, -1, 0, 7]),
)
def test_no_index_error_escapes_for_any_integer_target(labels, n_classes, ignore_index):
    x = np.zeros((len(labels), n_classes))
    y = np.array(labels)
    try:
        out = lu.cross_entropy(x, y, ignore_index=ignore_index, reduction="none")
    except ValueError as err:
        assert "class index" in str(err)
    else:
        assert out.shape == y.shape


# --- dtypes of logits ------------------------------------------------------------------


@pytest.mark.parametrize(
    "call",
    [
        lambda x: lu.cross_entropy(x, np.array([0, 1])),
        lambda x: lu.binary_cross_entropy_with_logits(x[:, 0], np.array([0.0, 1.0])),
        lambda x: lu.softmax(x),
        lambda x: lu.log_softmax(x),
        lambda x: lu.logsumexp(x),
        lambda x: lu.sigmoid(x),
    ],
    ids=["cross_entropy", "bce_with_logits", "softmax", "log_softmax", "logsumexp", "sigmoid"],
)
def test_integer_logits(call):
    with pytest.raises(
        TypeError,
        match=esc("must hold floating-point logits, but it has dtype int64 (shape (2, 3))")
        + "|"
        + esc("dtype int64 (shape (2,))"),
    ):
        call(np.array([[1, 2, 3], [4, 5, 6]]))


def test_integer_log_probabilities_for_nll_loss():
    with pytest.raises(
        TypeError, match="input must hold floating-point log-probabilities, but it has dtype int64"
    ):
        lu.nll_loss(np.zeros((2, 3), dtype=int), np.array([0, 1]))


def test_string_logits():
    with pytest.raises(TypeError, match="dtype <U1"):
        lu.softmax(np.array(["a", "b"]))


# --- probabilities outside [0, 1] -------------------------------------------------------


def test_binary_cross_entropy_input_above_one_suggests_the_logits_version():
    with pytest.raises(
        ValueError,
        match=esc(
            "input must hold probabilities in [0, 1], but has value 1.5 at position 2; if these are logits, use binary_cross_entropy_with_logits"
        ),
    ):
        lu.binary_cross_entropy(np.array([0.1, 0.2, 1.5]), np.array([0.0, 1.0, 1.0]))


def test_binary_cross_entropy_negative_input():
    with pytest.raises(ValueError, match="but has value -0.25 at position 0"):
        lu.binary_cross_entropy(np.array([-0.25, 0.5]), np.array([0.0, 1.0]))


def test_binary_cross_entropy_nan_input():
    with pytest.raises(
        ValueError,
        match=esc("input must hold probabilities in [0, 1], but has value nan at position (0, 1)"),
    ):
        lu.binary_cross_entropy(np.array([[0.5, np.nan]]), np.array([[0.0, 1.0]]))


def test_binary_cross_entropy_target_outside_0_1():
    with pytest.raises(
        ValueError,
        match=esc("target must hold probabilities in [0, 1], but has value 2.0 at position 1"),
    ):
        lu.binary_cross_entropy(np.array([0.5, 0.5]), np.array([0.0, 2.0]))


def test_likelihood_probability_above_one():
    with pytest.raises(
        ValueError,
        match=esc("prob must hold probabilities in [0, 1], but has value 1.2 at position 3"),
    ):
        lu.likelihood([0, 1, 1, 0], [0.4, 0.6, 0.9, 1.2])


def test_log_likelihood_nan_probability():
    with pytest.raises(
        ValueError, match="prob must hold probabilities in \\[0, 1\\], but has value nan"
    ):
        lu.log_likelihood([0, 1], [0.4, np.nan])


# --- options ---------------------------------------------------------------------------


@pytest.mark.parametrize("value", [-0.1, 1.5])
def test_label_smoothing_outside_0_1(value):
    with pytest.raises(
        ValueError, match=esc(f"label_smoothing must lie in [0, 1], but got {value}")
    ):
        lu.cross_entropy(LOGITS, LABELS, label_smoothing=value)


def test_label_smoothing_not_a_number():
    with pytest.raises(
        TypeError, match="label_smoothing must be a number in \\[0, 1\\], but got str"
    ):
        lu.cross_entropy(LOGITS, LABELS, label_smoothing="0.1")


def test_cross_entropy_weight_of_wrong_length():
    with pytest.raises(
        ValueError,
        match=esc("weight must have one entry per class, shape (5,), but got shape (3,)"),
    ):
        lu.cross_entropy(LOGITS, LABELS, weight=np.ones(3))


def test_nll_loss_weight_of_wrong_length():
    with pytest.raises(ValueError, match=esc("shape (5,), but got shape (6,)")):
        lu.nll_loss(LOGITS, LABELS, weight=np.ones(6))


def test_binary_cross_entropy_weight_that_does_not_broadcast():
    with pytest.raises(
        ValueError,
        match=esc("weight has shape (3,), which does not broadcast to input's shape (4, 2)"),
    ):
        lu.binary_cross_entropy(np.full((4, 2), 0.5), np.ones((4, 2)), weight=np.ones(3))


def test_pos_weight_of_wrong_length_suggests_one_weight_per_class():
    with pytest.raises(
        ValueError,
        match=esc(
            "pos_weight has shape (3,), which does not broadcast to input's shape (3, 2); pos_weight holds one weight per class along the last axis, so shape (2,)"
        ),
    ):
        lu.binary_cross_entropy_with_logits(
            np.zeros((3, 2)), np.ones((3, 2)), pos_weight=np.ones(3)
        )


def test_pos_weight_that_would_enlarge_the_output():
    with pytest.raises(
        ValueError, match="pos_weight has shape \\(4, 3, 2\\), which does not broadcast"
    ):
        lu.binary_cross_entropy_with_logits(
            np.zeros((3, 2)), np.ones((3, 2)), pos_weight=np.ones((4, 3, 2))
        )


@pytest.mark.parametrize(
    "call",
    [
        lambda r: lu.cross_entropy(LOGITS, LABELS, reduction=r),
        lambda r: lu.nll_loss(LOGITS, LABELS, reduction=r),
        lambda r: lu.binary_cross_entropy(np.full(2, 0.5), np.ones(2), reduction=r),
        lambda r: lu.binary_cross_entropy_with_logits(np.zeros(2), np.ones(2), reduction=r),
    ],
    ids=["cross_entropy", "nll_loss", "binary_cross_entropy", "bce_with_logits"],
)
def test_unknown_reduction(call):
    with pytest.raises(
        ValueError, match="reduction must be one of 'none', 'mean' or 'sum', but got 'avg'"
    ):
        call("avg")


# --- likelihood ------------------------------------------------------------------------


def test_likelihood_binary_label_other_than_0_or_1():
    with pytest.raises(
        ValueError,
        match="target has label 2 at position 1, but with prob of shape \\(3,\\) \\(binary\\) labels must be 0 or 1",
    ):
        lu.likelihood([0, 2, 1], [0.5, 0.5, 0.5])


def test_likelihood_multiclass_label_out_of_range():
    with pytest.raises(
        ValueError, match="target has class index 3 at position 0, but prob has only 3 columns"
    ):
        lu.log_likelihood([3], [[0.2, 0.3, 0.5]])


def test_likelihood_float_labels():
    with pytest.raises(
        TypeError, match="target must hold integer class indices, but it has dtype float64"
    ):
        lu.likelihood(np.array([0.0, 1.0]), [0.5, 0.5])


def test_likelihood_length_mismatch():
    with pytest.raises(ValueError, match=esc("target has shape (3,) but prob has shape (2,)")):
        lu.likelihood([0, 1, 1], [0.5, 0.5])


def test_likelihood_prob_with_three_axes():
    with pytest.raises(ValueError, match=esc("prob must have shape (N,)")):
        lu.likelihood([0], np.full((1, 2, 2), 0.5))


def test_likelihood_integer_probabilities():
    with pytest.raises(
        TypeError, match="prob must hold floating-point probabilities, but it has dtype int64"
    ):
        lu.likelihood([0, 1], np.array([0, 1]))


# --- log_loss: the same errors as scikit-learn, message for message ------------------

LOG_LOSS_BAD_INPUTS = {
    "probability above one": (([0, 1], [0.2, 1.5]), {}),
    "negative probability": (([0, 1], [[0.5, 0.5], [-0.1, 1.1]]), {}),
    "nan probability": (([0, 1], [0.2, np.nan]), {}),
    "infinite probability": (([0, 1], [0.2, np.inf]), {}),
    "probabilities with three axes": (([0, 1], np.full((2, 2, 1), 0.5)), {}),
    "no samples": (([], []), {}),
    "a single class in y_true": (([1, 1], [0.3, 0.6]), {}),
    "a single class in labels": (([1, 1], [0.3, 0.6]), {"labels": [1]}),
    "more columns than classes": (([0, 1], [[0.2, 0.3, 0.5], [0.1, 0.1, 0.8]]), {}),
    "more classes than columns": (([0, 1, 2], [0.2, 0.5, 0.3]), {}),
    "labels and columns disagree": (([1, 2], [[0.2, 0.8]] * 2), {"labels": [1, 2, 3]}),
    "y_true outside labels": (
        (["a", "b", "c"], [[0.9, 0.1, 0.0], [0.1, 0.9, 0.0], [0.1, 0.1, 0.8]]),
        {"labels": ["a", "c", "d"]},
    ),
    "lengths differ": (([0, 1, 1], [0.3, 0.6]), {}),
    "sample_weight of another length": (([0, 1], [0.3, 0.6]), {"sample_weight": [1.0, 1.0, 1.0]}),
    "sample_weight all zero": (([0, 1], [0.3, 0.6]), {"sample_weight": [0.0, 0.0]}),
    "nan sample_weight": (([0, 1], [0.3, 0.6]), {"sample_weight": [1.0, np.nan]}),
    "y_pred and y_proba both given": (([0, 1],), {"y_pred": [0.3, 0.6], "y_proba": [0.3, 0.6]}),
}


@pytest.mark.parametrize(
    "args, kwargs", LOG_LOSS_BAD_INPUTS.values(), ids=LOG_LOSS_BAD_INPUTS.keys()
)
def test_log_loss_raises_what_sklearn_raises(args, kwargs):
    from sklearn.metrics import log_loss as sk_log_loss

    with pytest.raises(ValueError) as sk_error:
        sk_log_loss(*args, **kwargs)
    with pytest.raises(ValueError, match=esc(str(sk_error.value))):
        lu.log_loss(*args, **kwargs)


def test_log_loss_weights_summing_to_zero_raise_like_sklearn_and_name_the_fix():
    from sklearn.metrics import log_loss as sk_log_loss

    args, weights = ([0, 1], [0.3, 0.6]), [1.0, -1.0]
    with pytest.raises(ZeroDivisionError, match="Weights sum to zero"):
        sk_log_loss(*args, sample_weight=weights)
    with pytest.raises(ZeroDivisionError, match="Weights sum to zero") as info:
        lu.log_loss(*args, sample_weight=weights)
    assert isinstance(info.value, ValueError) and "normalize=False" in str(info.value)
