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
from bookutils import glued_values
from sklearn.datasets import load_breast_cancer, load_digits
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import accuracy_score, log_loss
from sklearn.model_selection import train_test_split
from sklearn.preprocessing import StandardScaler

DOC = "chapters/09-training"
SOURCE = Path(__file__).resolve().parent.parent / f"{DOC}.md"
mp.mp.dps = 50


@pytest.fixture(scope="module")
def g(book_build):
    return glued_values(book_build, DOC)


def sklearn_reference(loader):
    X, y = loader(return_X_y=True)
    X_train, X_test, y_train, y_test = train_test_split(X, y, test_size=0.25, random_state=0, stratify=y)
    scaler = StandardScaler().fit(X_train)
    clf = LogisticRegression(max_iter=1000).fit(scaler.transform(X_train), y_train)
    proba = clf.predict_proba(scaler.transform(X_test))
    return {
        "n_train": len(y_train), "n_test": len(y_test), "n_features": X.shape[1],
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


def test_first_digits_loss_is_near_log_10(g):
    assert g["ch9_log10"] == pytest.approx(float(mp.log(10)), rel=1e-12)
    assert abs(g["ch9_digits_first"] - g["ch9_log10"]) < 0.5


def test_training_loss_fell_below_test_loss_of_uniform_guess(g):
    assert 0 < g["ch9_bc_train_final"] < np.log(2)
    assert g["ch9_bc_epochs"] > 0


@pytest.mark.parametrize("data", ["bc", "digits"])
def test_agreement_is_a_high_percentage(g, data):
    assert 90 <= g[f"ch9_{data}_agree_pct"] <= 100


@pytest.mark.parametrize("name", ["fig-ch9-bc", "fig-ch9-digits"])
def test_training_figure_was_drawn_and_is_on_the_page(book_build, name):
    html = (Path(book_build) / "html" / f"{DOC}.html").read_text(encoding="utf-8")
    match = re.search(rf'<figure[^>]*id="{name}"[^>]*>(?:(?!</figure>).)*?<img[^>]*src="([^"]+\.png)"', html, flags=re.S)
    assert match, f"no image inside figure {name}"
    image = (Path(book_build) / "html" / "chapters" / match.group(1)).resolve()
    assert image.is_file() and image.stat().st_size > 5000
