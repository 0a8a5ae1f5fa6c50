"""log_loss against sklearn.metrics.log_loss."""

from __future__ import annotations

import re

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from sklearn.metrics import log_loss as sk_log_loss

import lossutils as lu

pytestmark = pytest.mark.filterwarnings("error::RuntimeWarning")


@st.composite
def multiclass_cases(draw):
    rng = np.random.default_rng(draw(st.integers(0, 2**32 - 1)))
    n, c = draw(st.integers(2, 30)), draw(st.integers(2, 6))
    labels = np.concatenate([np.arange(c), rng.integers(0, c, n)])  # every class occurs
    proba = rng.dirichlet(np.ones(c) * draw(st.sampled_from([0.1, 1.0, 10.0])), size=labels.size)
    weight = rng.uniform(0.1, 2.0, labels.size) if draw(st.booleans()) else None
    return labels, proba, weight, draw(st.booleans())


@settings(max_examples=60, deadline=None)
@given(multiclass_cases())
def test_multiclass_log_loss_matches_sklearn(case):
    labels, proba, weight, normalize = case
    expected = sk_log_loss(labels, proba, sample_weight=weight, normalize=normalize)
    np.testing.assert_allclose(
        lu.log_loss(labels, proba, sample_weight=weight, normalize=normalize), expected, rtol=1e-12
    )


@settings(max_examples=40, deadline=None)
@given(st.integers(0, 2**32 - 1), st.booleans())
def test_binary_log_loss_with_a_probability_vector_matches_sklearn(seed, normalize):
    rng = np.random.default_rng(seed)
    y = np.concatenate([[0, 1], rng.integers(0, 2, 20)])
    p = rng.random(y.size)
    np.testing.assert_allclose(
        lu.log_loss(y, p, normalize=normalize), sk_log_loss(y, p, normalize=normalize), rtol=1e-12
    )


def test_string_labels_use_sorted_class_order_like_sklearn():
    y, p = ["spam", "ham", "ham", "spam"], [[0.1, 0.9], [0.9, 0.1], [0.8, 0.2], [0.35, 0.65]]
    np.testing.assert_allclose(lu.log_loss(y, p), sk_log_loss(y, p), rtol=1e-14)


def test_seed_example_equals_minus_mean_log_of_the_likelihood():
    np.testing.assert_allclose(
        lu.log_loss([0, 1, 1, 0], [0.4, 0.6, 0.9, 0.1]),
        -np.log(0.6 * 0.6 * 0.9 * 0.9) / 4,
        rtol=1e-15,
    )


def test_probability_zero_for_the_true_class_is_clipped_at_machine_epsilon_like_sklearn():
    y, p = [1, 0], [0.0, 0.5]  # sample 0 gives its true class probability 0
    np.testing.assert_allclose(lu.log_loss(y, p), sk_log_loss(y, p), rtol=1e-14)
    np.testing.assert_allclose(
        lu.log_loss(y, p), (-np.log(np.finfo(float).eps) + np.log(2)) / 2, rtol=1e-14
    )


def test_float32_predictions_give_float32_and_match_sklearn():
    y, p = (
        [0, 1, 2, 1],
        np.array([[0.7, 0.2, 0.1], [0.1, 0.8, 0.1], [0.2, 0.2, 0.6], [0.3, 0.4, 0.3]], np.float32),
    )
    out = lu.log_loss(y, p)
    assert out.dtype == np.float32
    np.testing.assert_allclose(out, sk_log_loss(y, p), rtol=1e-6)


def test_rows_that_do_not_sum_to_one_warn_like_sklearn_and_are_not_renormalised():
    y, p = [0, 1], [[0.5, 0.2], [0.2, 0.5]]
    with pytest.warns(UserWarning, match="do not sum to one"):
        ours = lu.log_loss(y, p)
    with pytest.warns(UserWarning, match="do not sum to one"):
        theirs = sk_log_loss(y, p)
    np.testing.assert_allclose(ours, theirs, rtol=1e-14)
    np.testing.assert_allclose(ours, -np.log(0.5), rtol=1e-14)


def test_result_is_a_0d_array():
    out = lu.log_loss([0, 1], [0.3, 0.6])
    assert isinstance(out, np.ndarray) and out.shape == ()


def test_labels_give_the_columns_of_classes_missing_from_y_true_like_sklearn():
    y, p, labels = [1, 2, 2], [[0.7, 0.1, 0.2], [0.2, 0.7, 0.1], [0.1, 0.7, 0.2]], [1, 2, 3]
    np.testing.assert_allclose(
        lu.log_loss(y, p, labels=labels), sk_log_loss(y, p, labels=labels), rtol=1e-14
    )


def test_labels_let_a_single_class_batch_be_scored_like_sklearn():
    y, p = [2, 2], [0.9, 0.6]
    np.testing.assert_allclose(
        lu.log_loss(y, p, labels=[1, 2]), sk_log_loss(y, p, labels=[1, 2]), rtol=1e-14
    )
    np.testing.assert_allclose(lu.log_loss(y, p, labels=[1, 2]), -np.mean(np.log(p)), rtol=1e-14)


def test_unsorted_labels_warn_like_sklearn():
    args = (["eggs", "spam", "ham"], [[1, 0, 0], [0, 1, 0], [0, 0, 1]])
    with pytest.warns(UserWarning) as sk_warnings:
        sk_log_loss(*args, labels=["spam", "eggs", "ham"])
    with pytest.warns(UserWarning, match=re.escape(str(sk_warnings[0].message))):
        lu.log_loss(*args, labels=["spam", "eggs", "ham"])


def test_y_pred_is_a_deprecated_alias_of_y_proba_like_sklearn():
    y, p = [0, 1, 1], [0.2, 0.7, 0.6]
    with pytest.warns(FutureWarning, match="`y_pred` was renamed to `y_proba` in version 1.9"):
        ours = lu.log_loss(y, y_pred=p)
    np.testing.assert_allclose(ours, sk_log_loss(y, y_proba=p), rtol=1e-14)


def test_y_proba_by_keyword_matches_sklearn():
    y, p = [0, 1, 1], [0.2, 0.7, 0.6]
    np.testing.assert_allclose(
        lu.log_loss(y_true=y, y_proba=p), sk_log_loss(y_true=y, y_proba=p), rtol=1e-14
    )


@pytest.mark.parametrize(
    "y_true, proba",
    [
        (
            np.array([[1, 0, 0], [0, 1, 0], [0, 0, 1]]),
            [[0.8, 0.1, 0.1], [0.2, 0.7, 0.1], [0.1, 0.1, 0.8]],
        ),
        (np.array([[1, 1, 0], [0, 1, 0]]), [[0.5, 0.4, 0.1], [0.2, 0.7, 0.1]]),
        (np.array([[0], [1], [1]]), [0.2, 0.7, 0.6]),
    ],
    ids=["one-hot", "multilabel indicator", "column vector"],
)
def test_two_dimensional_y_true_is_read_like_sklearn(y_true, proba):
    np.testing.assert_allclose(lu.log_loss(y_true, proba), sk_log_loss(y_true, proba), rtol=1e-14)


def test_integer_predictions_are_read_as_float64_and_clipped_like_sklearn():
    y, p = [0, 1, 0], [0, 1, 0]
    np.testing.assert_allclose(lu.log_loss(y, p), sk_log_loss(y, p), rtol=1e-12)


def test_probabilities_with_no_column_are_refused_like_sklearn():
    with pytest.raises(ValueError) as sk_error:
        sk_log_loss([0, 1], np.zeros((2, 0)))
    with pytest.raises(ValueError, match=re.escape(str(sk_error.value))):
        lu.log_loss([0, 1], np.zeros((2, 0)))


@pytest.mark.parametrize(
    "kind", ["binary column", "multiclass", "labels", "indicator", "sample_weight"]
)
def test_a_batch_of_many_blocks_matches_sklearn(kind):
    # 150,000 rows: the checks and the kernel walk it in several blocks of rows
    rng = np.random.default_rng(7)
    n = 150_000
    proba = rng.dirichlet(np.ones(4), size=n)
    y = rng.integers(0, 4, n)
    kwargs = {}
    if kind == "binary column":
        y, proba = y % 2, proba[:, 0]
    elif kind == "labels":
        y, kwargs = np.where(y == 3, 2, y), {"labels": [0, 1, 2, 3]}  # class 3 never occurs
    elif kind == "indicator":
        y = np.eye(4, dtype=int)[y]
    elif kind == "sample_weight":
        kwargs = {"sample_weight": rng.uniform(0, 2, n)}
    np.testing.assert_allclose(
        lu.log_loss(y, proba, **kwargs), sk_log_loss(y, proba, **kwargs), rtol=1e-12
    )
