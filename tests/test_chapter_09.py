"""Chapter 9 (gradient and training): glued numbers against independent computations.

scikit-learn's numbers are recomputed here from scratch (same data, split, scaling
and model, fitted in the test) and compared with the chapter's; closed forms are
evaluated in mpmath.
"""

from __future__ import annotations

import re
from pathlib import Path

import mpmath as mp
import numpy as np
import pytest
import torch
import torch.nn.functional as F
from sklearn.datasets import load_breast_cancer, load_digits
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import accuracy_score, log_loss
from sklearn.model_selection import train_test_split
from sklearn.preprocessing import StandardScaler

from bookutils import figure_image

DOC = "chapters/09-training"
SOURCE = Path(__file__).resolve().parent.parent / f"{DOC}.md"
mp.mp.dps = 50


def sklearn_reference(loader):
    X, y = loader(return_X_y=True)
    X_train, X_test, y_train, y_test = train_test_split(
        X, y, test_size=0.25, random_state=0, stratify=y
    )
    scaler = StandardScaler().fit(X_train)
    clf = LogisticRegression(C=1.0, max_iter=1000).fit(scaler.transform(X_train), y_train)
    proba = clf.predict_proba(scaler.transform(X_test))
    return {
        "n_train": len(y_train),
        "n_test": len(y_test),
        "n_features": X.shape[1],
        "acc": accuracy_score(y_test, clf.predict(scaler.transform(X_test))),
        "logloss": log_loss(y_test, proba),
    }


@pytest.fixture(scope="module")
def bc():
    return sklearn_reference(load_breast_cancer)


@pytest.fixture(scope="module")
def digits():
    return sklearn_reference(load_digits)


def test_every_glue_name_in_the_prose_was_glued(g):
    names = set(re.findall(r"\{glue:text\}`(ch9_\w+)", SOURCE.read_text(encoding="utf-8")))
    assert names, "the chapter inserts no glued numbers"
    assert names <= set(g), f"not glued: {sorted(names - set(g))}"


def test_label_smoothing_gap_matches_closed_form(g):
    eps, C = mp.mpf("0.1"), 4
    assert abs(g["ch9_smooth_gap"] - float(mp.log((1 - eps + eps / C) / (eps / C)))) < 1e-12


def test_label_smoothing_gap_is_where_softmax_equals_smoothed_target(g):
    # at that gap the softmax of (gap, 0, 0, 0) is (1 - eps + eps/C, eps/C, ...)
    e = mp.e ** mp.mpf(g["ch9_smooth_gap"])
    assert abs(float(e / (e + 3)) - (0.9 + 0.025)) < 1e-12


def test_breast_cancer_split_sizes(g, bc):
    assert g["ch9_bc_n_train"] == bc["n_train"]
    assert g["ch9_bc_n_test"] == bc["n_test"]
    assert g["ch9_bc_n_features"] == bc["n_features"]


def test_breast_cancer_sklearn_accuracy_recomputed(g, bc):
    assert g["ch9_bc_sk_acc"] == pytest.approx(bc["acc"], abs=1e-12)
    assert g["ch9_bc_sk_acc_pct"] == pytest.approx(100 * bc["acc"], abs=1e-9)


def test_breast_cancer_sklearn_log_loss_recomputed(g, bc):
    assert g["ch9_bc_sk_logloss"] == pytest.approx(bc["logloss"], rel=1e-6)


def test_digits_sklearn_accuracy_recomputed(g, digits):
    assert g["ch9_digits_sk_acc"] == pytest.approx(digits["acc"], abs=1e-12)
    assert g["ch9_digits_sk_acc_pct"] == pytest.approx(100 * digits["acc"], abs=1e-9)


def test_digits_sklearn_log_loss_recomputed(g, digits):
    assert g["ch9_digits_sk_logloss"] == pytest.approx(digits["logloss"], rel=1e-6)


def test_digits_test_set_and_features(g, digits):
    assert g["ch9_digits_n_test"] == digits["n_test"]
    assert g["ch9_digits_n_features"] == digits["n_features"]


@pytest.mark.parametrize("data", ["bc", "digits"])
def test_torch_accuracy_is_similar_to_sklearn(g, data):
    """The chapter says the two fits have similar accuracy: within three points."""
    assert g[f"ch9_{data}_acc_pct"] == pytest.approx(100 * g[f"ch9_{data}_acc"], abs=1e-9)
    assert abs(g[f"ch9_{data}_acc"] - g[f"ch9_{data}_sk_acc"]) <= 0.03
    assert g[f"ch9_{data}_acc"] >= 0.9


@pytest.mark.parametrize("data", ["bc", "digits"])
def test_torch_log_loss_is_a_plausible_mean_log_loss(g, data):
    # positive, far below the uniform guess log 2 / log 10
    uniform = np.log(2 if data == "bc" else 10)
    assert 0 < g[f"ch9_{data}_logloss"] < uniform / 2


def test_first_digits_loss_is_above_log_10(g):
    assert g["ch9_log10"] == pytest.approx(float(mp.log(10)), rel=1e-12)
    assert g["ch9_digits_first"] > g["ch9_log10"] + 0.1


def test_initial_weights_are_pytorchs_uniform_bound(g, digits):
    bound = 1 / np.sqrt(digits["n_features"])
    assert g["ch9_init_w_bound"] == pytest.approx(bound, rel=1e-15)
    # 650 draws from U(-b, b): the largest is below b and, but for a 1e-14 chance, above 0.95 b
    assert 0.95 * bound < g["ch9_init_w_max"] <= bound


def test_initial_logit_spread_matches_the_initialisation(g, digits):
    """Given x, each initial logit is w.x + b, w and b ~ U(-1/8, 1/8): variance (|x|^2 + 1)/192."""
    X, y = load_digits(return_X_y=True)
    X_train, *_ = train_test_split(X, y, test_size=0.25, random_state=0, stratify=y)
    Z = StandardScaler().fit_transform(X_train)
    sd = np.sqrt((np.sum(Z**2, axis=1) + 1) / (3 * digits["n_features"]))
    # the chapter averages the (ddof 0) spread of 10 draws: about 0.92 of sd on average
    expected = np.mean(sd) * 0.92
    assert g["ch9_init_logit_sd"] == pytest.approx(expected, rel=0.2)
    assert g["ch9_init_top_prob"] > 0.15  # clearly not the uniform 1/10


def test_label_averaged_initial_loss_is_at_least_log_10(g):
    # AM-GM: -(1/C) sum_c log p_c >= log C for every p on the simplex
    assert g["ch9_init_label_avg"] > g["ch9_log10"]
    assert g["ch9_init_label_avg"] < g["ch9_digits_first"] + 0.5


def test_class_weights_cancel_in_a_batch_of_one_sample_or_one_class(g):
    assert g["ch9_w_one_sample_diff"] <= 1e-15
    assert g["ch9_w_one_class_diff"] <= 1e-15
    assert g["ch9_w_mixed_diff"] > 1e-3


@pytest.mark.parametrize("target", [[2], [1, 1, 1], [0, 2, 1, 2]])
def test_weighted_mean_gradient_divides_by_the_batch_weight_sum(target):
    """The weighted mean divides by the batch's own weight sum; one class cancels the weights."""
    gen = torch.Generator().manual_seed(3)
    z = torch.randn(len(target), 3, dtype=torch.float64, generator=gen, requires_grad=True)
    y = torch.tensor(target)
    w = torch.tensor([1.0, 3.0, 0.25], dtype=torch.float64)
    F.cross_entropy(z, y, weight=w).backward()
    wy = w[y]
    expected = (wy / wy.sum())[:, None] * (torch.softmax(z.detach(), 1) - F.one_hot(y, 3))
    torch.testing.assert_close(z.grad, expected, rtol=1e-12, atol=1e-15)
    unweighted = (torch.softmax(z.detach(), 1) - F.one_hot(y, 3)) / len(target)
    one_class = len(set(target)) == 1
    assert torch.allclose(z.grad, unweighted, rtol=1e-12, atol=1e-15) == one_class


def test_exercise_binary_gradient_formula_is_autograd(g):
    assert g["ch9_ex_binary_grad_diff"] < 1e-12


def test_exercise_penalised_torch_fit_recovers_sklearn_weights(g):
    assert g["ch9_ex_match_diff"] < 1e-4 * g["ch9_ex_match_w_max"]
    assert g["ch9_ex_match_diff"] < g["ch9_ex_match_diff_default"]


def test_exercise_sklearn_weights_from_scratch(g):
    X, y = load_breast_cancer(return_X_y=True)
    X_train, _, y_train, _ = train_test_split(X, y, test_size=0.25, random_state=0, stratify=y)
    Z = StandardScaler().fit(X_train).transform(X_train)
    tight = LogisticRegression(C=1.0, tol=1e-10, max_iter=10_000).fit(Z, y_train)
    assert g["ch9_ex_match_w_max"] == pytest.approx(np.abs(tight.coef_).max(), rel=1e-6)


def test_exercise_doubling_weights(g):
    assert g["ch9_ex_double_mean"] <= 1e-15
    assert g["ch9_ex_double_sum"] <= 1e-15
    assert g["ch9_ex_double_step"] <= 1e-15


def test_training_loss_fell_below_test_loss_of_uniform_guess(g):
    assert 0 < g["ch9_bc_train_final"] < np.log(2)
    assert g["ch9_bc_epochs"] > 0


@pytest.mark.parametrize("data", ["bc", "digits"])
def test_agreement_is_a_high_percentage(g, data):
    assert 90 <= g[f"ch9_{data}_agree_pct"] <= 100


@pytest.mark.parametrize("name", ["fig-ch9-bc", "fig-ch9-digits"])
def test_training_figure_was_drawn_with_descriptive_alt_text(book_build, page_html, name):
    # its image and alt text are checked with every figure's, in test_book.py
    assert figure_image(page_html, name)["src"].endswith(".png")
