"""Chapter 10 (imbalance, reweighting, calibration): glued numbers against independent sources.

The models are retrained here with chapter 9's recipe (same split, seed, learning rate, steps),
and every measure is recomputed with scikit-learn (log_loss, brier_score_loss,
calibration_curve, recall_score, precision_score, f1_score, LogisticRegression), SciPy or
mpmath, never with the chapter's own helpers.
"""

from __future__ import annotations

import re
from pathlib import Path

import mpmath as mp
import numpy as np
import pytest
import torch
import torch.nn as nn
import torch.nn.functional as F
from scipy.optimize import minimize_scalar
from scipy.special import expit, softmax
from sklearn.calibration import calibration_curve
from sklearn.datasets import load_breast_cancer, load_digits
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import brier_score_loss, f1_score, log_loss, precision_score, recall_score
from sklearn.model_selection import train_test_split
from sklearn.preprocessing import StandardScaler
from torch.utils.data import WeightedRandomSampler

from bookutils import figure_image

DOC = "chapters/10-calibration"
ROOT = Path(__file__).resolve().parent.parent
SOURCE = ROOT / f"{DOC}.md"
mp.mp.dps = 40
LONG = 3000
CASES = [("bc", 200), ("bc", LONG), ("digits", 200), ("digits", LONG)]


# -- independent recomputation ------------------------------------------------------------


def splits(loader):
    X, y = loader(return_X_y=True)
    X_tr, X_rest, y_tr, y_rest = train_test_split(X, y, test_size=0.25, random_state=0, stratify=y)
    X_va, X_te, y_va, y_te = train_test_split(
        X_rest, y_rest, test_size=0.5, random_state=0, stratify=y_rest
    )
    scaler = StandardScaler().fit(X_tr)
    return {
        "train": (scaler.transform(X_tr), y_tr),
        "val": (scaler.transform(X_va), y_va),
        "test": (scaler.transform(X_te), y_te),
    }


def gradient_descent(X, y, n_out, epochs, keep, pos_weight=None):
    """Chapter 9's recipe, written again: full-batch descent, lr 0.5, seed 0, float64."""
    torch.manual_seed(0)
    lin = nn.Linear(X.shape[1], n_out, dtype=torch.float64)
    Xt = torch.tensor(X)
    yt = torch.tensor(y, dtype=torch.float64 if n_out == 1 else torch.long)
    pw = None if pos_weight is None else torch.tensor(pos_weight, dtype=torch.float64)
    out = {}
    for epoch in range(1, epochs + 1):
        z = lin(Xt)
        loss = (
            F.binary_cross_entropy_with_logits(z[:, 0], yt, pos_weight=pw)
            if n_out == 1
            else F.cross_entropy(z, yt)
        )
        grads = torch.autograd.grad(loss, [lin.weight, lin.bias])
        with torch.no_grad():
            lin.weight -= 0.5 * grads[0]
            lin.bias -= 0.5 * grads[1]
        if epoch in keep:
            out[epoch] = (lin.weight.detach().numpy().copy(), lin.bias.detach().numpy().copy())
    return out


@pytest.fixture(scope="module")
def data():
    return {"bc": splits(load_breast_cancer), "digits": splits(load_digits)}


@pytest.fixture(scope="module")
def logits(data):
    """{(name, epoch): {part: logits}} for the four models of the calibration section."""
    result = {}
    for name, parts in data.items():
        X, y = parts["train"]
        kept = gradient_descent(X, y, 1 if name == "bc" else 10, LONG, {200, LONG})
        for epoch, (W, b) in kept.items():
            result[name, epoch] = {part: Xp @ W.T + b for part, (Xp, _) in parts.items()}
    return result


def proba(name, z):
    return expit(z[:, 0]) if name == "bc" else softmax(z, axis=1)


def sk_nll(name, z, y):
    return log_loss(y, proba(name, z), labels=np.unique(y))


def conf_outcome(name, z, y):
    p = proba(name, z)
    if name == "bc":
        return p, (y == 1).astype(float)
    return p.max(axis=1), (p.argmax(axis=1) == y).astype(float)


def ece_from_sklearn(prob, outcome, n_bins=10):
    """ECE from calibration_curve's per-bin values, with the bin counts found the way it bins."""
    frac, mean_p = calibration_curve(outcome, prob, n_bins=n_bins)
    edges = np.linspace(0, 1, n_bins + 1)
    counts = np.bincount(np.searchsorted(edges[1:-1], prob), minlength=n_bins)
    counts = counts[counts > 0]
    return float(np.sum(counts / len(prob) * np.abs(frac - mean_p)))


def brier_sklearn(name, z, y):
    if name == "bc":
        return brier_score_loss(y, proba(name, z))
    return brier_score_loss(y, proba(name, z), labels=np.arange(10))


# -- the prose ------------------------------------------------------------------------------


def test_every_glue_name_in_the_prose_was_glued(g):
    names = set(re.findall(r"\{glue:text\}`(ch10_\w+)", SOURCE.read_text(encoding="utf-8")))
    assert len(names) > 50, "the chapter inserts too few glued numbers"
    assert names <= set(g), f"not glued: {sorted(names - set(g))}"


# -- minimisers of reweighted losses ----------------------------------------------------------


def test_plain_fit_is_the_label_frequency(g):
    assert 0 < g["ch10_q_hat"] < 0.2
    assert g["ch10_p_plain"] == pytest.approx(g["ch10_q_hat"], abs=1e-9)


def test_pos_weight_recipe_is_negatives_over_positives_and_gives_one_half(g):
    q = g["ch10_q_hat"]
    assert g["ch10_w_pos"] == pytest.approx((1 - q) / q, rel=1e-12)
    w = g["ch10_w_pos"]
    assert g["ch10_p_pw"] == pytest.approx(w * q / (w * q + 1 - q), abs=1e-9)
    assert g["ch10_p_pw"] == pytest.approx(0.5, abs=1e-9)


@pytest.mark.parametrize("rate", ["02", "10", "30"])
def test_pos_weight_recipe_gives_one_half_at_every_base_rate(g, rate):
    assert g[f"ch10_recipe_p_{rate}"] == pytest.approx(0.5, abs=1e-9)


def test_pos_weight_minimiser_closed_form_by_mpmath():
    """Eq. (10.2) is where the derivative of the weighted expected loss vanishes."""
    q, w = mp.mpf("0.1"), mp.mpf(4)

    def loss(p):
        return -w * q * mp.log(p) - (1 - q) * mp.log(1 - p)

    root = mp.findroot(lambda p: mp.diff(loss, p), mp.mpf("0.3"))
    assert abs(root - w * q / (w * q + 1 - q)) < 1e-25


def test_class_weight_fit_is_proportional_to_weight_times_frequency(g):
    q = np.array([g[f"ch10_q3_{c}"] for c in range(3)])
    w = np.array([1.0, 2.0, 5.0])
    assert q.sum() == pytest.approx(1, abs=1e-12)
    fitted = np.array([g[f"ch10_p_w3_{c}"] for c in range(3)])
    np.testing.assert_allclose(fitted, w * q / (w * q).sum(), atol=1e-8)
    assert g["ch10_w3_dev"] < 1e-8
    assert fitted[2] > 2 * q[2]  # the rare class is predicted far above its frequency


def test_label_smoothing_fit_is_the_smoothed_frequency(g):
    q = np.array([g[f"ch10_q3_{c}"] for c in range(3)])
    eps = g["ch10_eps"]
    fitted = np.array([g[f"ch10_p_ls_{c}"] for c in range(3)])
    np.testing.assert_allclose(fitted, (1 - eps) * q + eps / 3, atol=1e-8)
    assert fitted[0] < q[0]


def test_grid_fits_match_closed_forms(g):
    assert g["ch10_grid_n"] == 25
    assert 0 <= g["ch10_grid_dev"] < 1e-7


def test_corrections_recover_the_frequencies(g):
    assert g["ch10_q_from_pw"] == pytest.approx(g["ch10_q_hat"], abs=1e-9)
    for c in range(3):
        assert g[f"ch10_q_from_w3_{c}"] == pytest.approx(g[f"ch10_q3_{c}"], abs=1e-8)


# -- calibration of chapter 9's models --------------------------------------------------------


def test_split_sizes(g, data):
    for name, parts in data.items():
        for part, (_, y) in parts.items():
            assert g[f"ch10_{name}_n_{part}"] == len(y)


@pytest.mark.parametrize("name,epoch", CASES)
def test_train_and_test_log_loss_recomputed(g, logits, data, name, epoch):
    for part in ("train", "test"):
        expected = sk_nll(name, logits[name, epoch][part], data[name][part][1])
        assert g[f"ch10_{name}_{epoch}_nll_{part}"] == pytest.approx(expected, rel=1e-8)


@pytest.mark.parametrize("name", ["bc", "digits"])
def test_longer_training_lowers_training_loss_and_test_loss_passes_a_minimum(g, name):
    assert g[f"ch10_{name}_{LONG}_nll_train"] < g[f"ch10_{name}_200_nll_train"]
    best = g[f"ch10_{name}_best_test"]
    assert best < g[f"ch10_{name}_{LONG}_nll_test"]
    assert best <= g[f"ch10_{name}_200_nll_test"]
    assert 200 < g[f"ch10_{name}_best_epoch"] < LONG


@pytest.mark.parametrize("name,epoch", CASES)
def test_confidence_and_accuracy_recomputed(g, logits, data, name, epoch):
    z, y = logits[name, epoch]["test"], data[name]["test"][1]
    p = proba(name, z)
    if name == "bc":
        conf, pred = np.maximum(p, 1 - p), (p > 0.5).astype(int)
    else:
        conf, pred = p.max(axis=1), p.argmax(axis=1)
    key = f"ch10_{name}_{epoch}"
    assert g[f"{key}_test_confidence_pct"] == pytest.approx(100 * conf.mean(), rel=1e-9)
    assert g[f"{key}_test_accuracy_pct"] == pytest.approx(100 * np.mean(pred == y), abs=1e-9)
    # the prose: under-confident at epoch 200, over-confident at epoch 3000
    if epoch == 200:
        assert conf.mean() < np.mean(pred == y)
    else:
        assert conf.mean() > np.mean(pred == y)


def test_digits_long_run_fits_every_training_digit(g):
    assert g[f"ch10_digits_{LONG}_training_accuracy_pct"] == pytest.approx(100)


def test_ece_check_value_is_calibration_curve_ece(g, logits, data):
    conf, right = conf_outcome("digits", logits["digits", LONG]["test"], data["digits"]["test"][1])
    assert g["ch10_ece_check"] == pytest.approx(ece_from_sklearn(conf, right), rel=1e-9)


@pytest.mark.parametrize("name,epoch", CASES)
def test_temperature_minimises_validation_log_loss(g, logits, data, name, epoch):
    t = g[f"ch10_{name}_{epoch}_t"]
    z, y = logits[name, epoch]["val"], data[name]["val"][1]
    res = minimize_scalar(
        lambda log_t: sk_nll(name, z / np.exp(log_t), y),
        bounds=(-3, 3),
        method="bounded",
        options={"xatol": 1e-9},
    )
    assert np.log(t) == pytest.approx(res.x, abs=1e-4)
    at_t = sk_nll(name, z / t, y)
    assert at_t <= sk_nll(name, z / (t * 1.01), y)
    assert at_t <= sk_nll(name, z / (t / 1.01), y)


@pytest.mark.parametrize("name,epoch", CASES)
def test_test_measures_before_and_after_scaling_recomputed(g, logits, data, name, epoch):
    key = f"ch10_{name}_{epoch}"
    z, y = logits[name, epoch]["test"], data[name]["test"][1]
    for when, zz in (("before", z), ("after", z / g[f"{key}_t"])):
        assert g[f"{key}_nll_{when}"] == pytest.approx(sk_nll(name, zz, y), rel=1e-7)
        assert g[f"{key}_brier_{when}"] == pytest.approx(brier_sklearn(name, zz, y), rel=1e-7)
        assert g[f"{key}_ece_{when}"] == pytest.approx(
            ece_from_sklearn(*conf_outcome(name, zz, y)), rel=1e-6, abs=1e-9
        )
    assert g[f"{key}_acc_before"] == g[f"{key}_acc_after"]


def test_temperature_directions_stated_in_the_prose(g):
    for name in ("bc", "digits"):
        assert g[f"ch10_{name}_200_t"] < 1 < g[f"ch10_{name}_{LONG}_t"]
        for measure in ("nll", "ece", "brier"):  # long runs: every measure improves
            assert (
                g[f"ch10_{name}_{LONG}_{measure}_after"] < g[f"ch10_{name}_{LONG}_{measure}_before"]
            )
    # chapter 9's digits model: log-loss and ECE fall, Brier rises a little
    assert g["ch10_digits_200_nll_after"] < g["ch10_digits_200_nll_before"]
    assert g["ch10_digits_200_ece_after"] < g["ch10_digits_200_ece_before"]
    assert g["ch10_digits_200_brier_after"] > g["ch10_digits_200_brier_before"]
    # chapter 9's breast cancer model: all three get worse
    for measure in ("nll", "ece", "brier"):
        assert g[f"ch10_bc_200_{measure}_after"] > g[f"ch10_bc_200_{measure}_before"]
    better = sum(g[f"ch10_{n}_{e}_nll_after"] < g[f"ch10_{n}_{e}_nll_before"] for n, e in CASES)
    assert g["ch10_n_nll_better"] == better == 3


def test_breast_cancer_test_set_asks_for_another_temperature(g, logits, data):
    z, y = logits["bc", 200]["test"], data["bc"]["test"][1]
    res = minimize_scalar(
        lambda log_t: sk_nll("bc", z / np.exp(log_t), y),
        bounds=(-3, 3),
        method="bounded",
        options={"xatol": 1e-9},
    )
    assert g["ch10_bc_200_t_on_test"] == pytest.approx(np.exp(res.x), rel=1e-4)
    assert g["ch10_bc_200_t"] < 1 < g["ch10_bc_200_t_on_test"]
    p_val = expit(logits["bc", 200]["val"][:, 0])
    certain = np.mean((p_val < 0.05) | (p_val > 0.95))
    assert g["ch10_bc_200_val_certain_pct"] == pytest.approx(100 * certain, abs=1e-9)
    assert certain > 0.75  # "say little": most validation tumours are near-certain


# -- an imbalanced problem: is it an 8? ----------------------------------------------------------


@pytest.fixture(scope="module")
def eights(data):
    parts = {part: (X, (y == 8).astype(float)) for part, (X, y) in data["digits"].items()}
    y_tr = parts["train"][1]
    w = (1 - y_tr.mean()) / y_tr.mean()
    z = {}
    for kind, pw in (("plain", None), ("pos_weight", w)):
        W, b = gradient_descent(parts["train"][0], y_tr, 1, 200, {200}, pos_weight=pw)[200]
        z[kind] = {part: (X @ W.T + b)[:, 0] for part, (X, _) in parts.items()}
    z["corrected"] = {part: v - np.log(w) for part, v in z["pos_weight"].items()}
    return parts, w, z


@pytest.mark.parametrize("kind", ["plain", "pos_weight", "corrected"])
def test_eight_vs_rest_measures_recomputed(g, eights, kind):
    parts, w, z = eights
    y = parts["test"][1].astype(int)
    p = expit(z[kind]["test"])
    pred = (p > 0.5).astype(int)
    key = f"ch10_8_{kind}"
    assert g["ch10_w8"] == pytest.approx(w, rel=1e-12)
    assert g[f"{key}_mean_p"] == pytest.approx(p.mean(), rel=1e-8)
    assert g[f"{key}_nll"] == pytest.approx(log_loss(y, p), rel=1e-8)
    assert g[f"{key}_brier"] == pytest.approx(brier_score_loss(y, p), rel=1e-8)
    assert g[f"{key}_ece"] == pytest.approx(ece_from_sklearn(p, y.astype(float)), rel=1e-6)
    assert g[f"{key}_recall"] == pytest.approx(recall_score(y, pred), abs=1e-12)
    assert g[f"{key}_precision"] == pytest.approx(precision_score(y, pred), abs=1e-12)


def test_pos_weight_shift_and_its_correction_as_the_prose_says(g):
    base = g["ch10_base8_test"]
    assert abs(g["ch10_8_plain_mean_p"] - base) < 0.02
    assert g["ch10_8_pos_weight_mean_p"] > base + 0.05
    assert abs(g["ch10_8_corrected_mean_p"] - base) < 0.02
    for measure in ("nll", "ece", "brier"):  # pos_weight is the worst of the three
        assert g[f"ch10_8_pos_weight_{measure}"] > g[f"ch10_8_plain_{measure}"]
        assert g[f"ch10_8_pos_weight_{measure}"] > g[f"ch10_8_corrected_{measure}"]
    assert g["ch10_8_corrected_nll"] != pytest.approx(g["ch10_8_plain_nll"], rel=1e-3)
    assert g["ch10_8_pos_weight_recall"] > g["ch10_8_plain_recall"]
    assert g["ch10_8_pos_weight_precision"] < g["ch10_8_plain_precision"]
    assert g["ch10_8_corrected_recall"] == g["ch10_8_plain_recall"]
    assert g["ch10_8_corrected_precision"] == g["ch10_8_plain_precision"]


def test_threshold_chosen_on_validation_and_measured_on_test(g, eights):
    parts, _, z = eights
    p_val, y_val = expit(z["plain"]["val"]), parts["val"][1].astype(int)
    # the largest threshold whose validation recall is at least 90%
    candidates = np.sort(p_val[y_val == 1])
    ok = [t for t in candidates if recall_score(y_val, (p_val >= t).astype(int)) >= 0.9]
    assert g["ch10_threshold"] == pytest.approx(max(ok), abs=1e-9)
    assert g["ch10_n8_val"] == y_val.sum()
    y = parts["test"][1].astype(int)
    pred = (expit(z["plain"]["test"]) > g["ch10_threshold"]).astype(int)
    assert g["ch10_t_recall"] == pytest.approx(recall_score(y, pred), abs=1e-12)
    assert g["ch10_t_precision"] == pytest.approx(precision_score(y, pred), abs=1e-12)
    # the prose: a little short of 90%, more than the plain rule at one half, and more precise
    # than pos_weight
    assert g["ch10_8_plain_recall"] < g["ch10_t_recall"] < 0.9
    assert g["ch10_t_precision"] > g["ch10_8_pos_weight_precision"]


def test_weighted_random_sampler_draw_recomputed(g, data):
    y = (data["digits"]["train"][1] == 8).astype(int)
    counts = np.bincount(y)
    sampler = WeightedRandomSampler(
        torch.tensor(1.0 / counts[y]),
        num_samples=20 * len(y),
        replacement=True,
        generator=torch.Generator().manual_seed(0),
    )
    drawn = y[np.fromiter(sampler, dtype=int)]
    assert g["ch10_drawn_n"] == len(drawn)
    assert g["ch10_drawn_frac"] == pytest.approx(drawn.mean(), abs=1e-12)
    assert abs(drawn.mean() - 0.5) < 4 * np.sqrt(0.25 / len(drawn))
    batches = drawn[: len(drawn) // 64 * 64].reshape(-1, 64).mean(axis=1)
    assert g["ch10_batch_frac_mean"] == pytest.approx(batches.mean(), abs=1e-12)
    assert g["ch10_base8_train"] == pytest.approx(y.mean(), abs=1e-12)
    # a shared logit fitted to the drawn labels is their frequency; the correction is eq. (10.5)
    assert g["ch10_p_drawn"] == pytest.approx(drawn.mean(), abs=1e-9)
    logit = np.log(drawn.mean() / (1 - drawn.mean())) - np.log(counts[0] / counts[1])
    assert g["ch10_p_drawn_corrected"] == pytest.approx(expit(logit), abs=1e-9)
    assert abs(g["ch10_p_drawn_corrected"] - y.mean()) < 0.01


# -- focal loss ---------------------------------------------------------------------------------


def focal_mp(z, y, gamma, alpha=None):
    p = 1 / (1 + mp.e ** (-mp.mpf(z)))
    p_t = p if y == 1 else 1 - p
    a = 1 if alpha is None else (alpha if y == 1 else 1 - alpha)
    return -a * (1 - p_t) ** gamma * mp.log(p_t)


def test_focal_loss_example_against_mpmath(g):
    assert g["ch10_focal_example"] == pytest.approx(float(focal_mp(2, 1, 2)), rel=1e-12)
    assert 0 <= g["ch10_focal_dev"] < 1e-12


def expected_focal(q, gamma):
    return lambda z: q * focal_mp(z, 1, gamma) + (1 - q) * focal_mp(z, 0, gamma)


@pytest.mark.parametrize("gamma", [1, 2, 5])
def test_focal_minimiser_against_mpmath(g, gamma):
    q = mp.mpf(g["ch10_focal_q"])
    assert float(q) == pytest.approx(0.1, abs=1e-12)
    f = expected_focal(q, gamma)
    fitted = g[f"ch10_focal_min_g{gamma}"]
    z_star = mp.findroot(lambda z: mp.diff(f, z), mp.log(fitted / (1 - fitted)))
    assert float(1 / (1 + mp.e ** (-z_star))) == pytest.approx(fitted, abs=1e-9)
    # the global minimum over a wide grid of logits
    grid = [mp.mpf(k) / 20 for k in range(-200, 201)]
    assert min(f(z) for z in grid) >= f(z_star) - mp.mpf(10) ** -20
    assert float(q) < fitted < 0.5  # pulled towards one half


def test_focal_minimiser_moves_further_with_gamma(g):
    assert g["ch10_focal_min_g1"] < g["ch10_focal_min_g2"] < g["ch10_focal_min_g5"] < 0.5


@pytest.mark.parametrize("gamma", [1, 2, 5])
def test_expected_focal_loss_is_not_convex_in_the_logit(gamma):
    f = expected_focal(mp.mpf("0.1"), gamma)
    assert min(mp.diff(f, mp.mpf(z) / 2, 2) for z in range(-16, 17)) < 0


# -- multi-label --------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def multilabel():
    rng = np.random.default_rng(2024)
    X = rng.normal(size=(3000, 4))
    W = rng.normal(scale=1.5, size=(4, 3))
    q = expit(X @ W + np.array([0.5, 0.0, -0.5]))
    Y = (rng.random((3000, 3)) < q).astype(int)
    tr, va, te = slice(0, 2000), slice(2000, 2500), slice(2500, 3000)
    models = [
        LogisticRegression(C=np.inf, tol=1e-12, max_iter=10_000).fit(X[tr], Y[tr, c])
        for c in range(3)
    ]
    P = {
        part: np.column_stack([m.predict_proba(X[s])[:, 1] for m in models])
        for part, s in (("val", va), ("test", te))
    }
    return Y[va], Y[te], P, q[te]


def test_independent_sigmoids_are_three_logistic_regressions(g, multilabel):
    _, Y_te, P, q_te = multilabel
    mean_bce = np.mean([log_loss(Y_te[:, c], P["test"][:, c]) for c in range(3)])
    assert g["ch10_ml_nll_sig"] == pytest.approx(mean_bce, rel=1e-6)
    assert g["ch10_ml_max_err"] == pytest.approx(np.abs(P["test"] - q_te).max(), abs=1e-5)
    multi = Y_te.sum(axis=1) >= 2
    assert g["ch10_ml_n_multi"] == multi.sum()
    found = np.mean(np.all((P["test"][multi] > 0.5) | (Y_te[multi] == 0), axis=1))
    assert g["ch10_ml_found_sig_pct"] == pytest.approx(100 * found, abs=1e-9)


def test_softmax_cannot_find_two_labels_and_fits_worse(g):
    # probabilities summing to one: at most one of them exceeds a half
    assert g["ch10_ml_found_soft_pct"] == 0
    assert g["ch10_ml_found_sig_pct"] > 50
    assert g["ch10_ml_nll_soft"] > g["ch10_ml_nll_sig"] + 0.1


@pytest.mark.parametrize("c", [0, 1, 2])
def test_per_class_threshold_recomputed(g, multilabel, c):
    Y_va, Y_te, P, _ = multilabel
    candidates = np.linspace(0.05, 0.95, 91)
    scores = [f1_score(Y_va[:, c], (P["val"][:, c] > t).astype(int)) for t in candidates]
    t_c = candidates[int(np.argmax(scores))]
    assert g[f"ch10_ml_t_{c}"] == pytest.approx(t_c, abs=1e-12)
    assert g[f"ch10_ml_f1_half_{c}"] == pytest.approx(
        f1_score(Y_te[:, c], (P["test"][:, c] > 0.5).astype(int)), abs=1e-12
    )
    assert g[f"ch10_ml_f1_t_{c}"] == pytest.approx(
        f1_score(Y_te[:, c], (P["test"][:, c] > t_c).astype(int)), abs=1e-12
    )
    assert g[f"ch10_ml_f1_t_{c}"] > g[f"ch10_ml_f1_half_{c}"]  # "a little" better on each label


# -- exercises ------------------------------------------------------------------------------------


def test_exercise_inverse_frequency_weights_give_uniform(g):
    assert 0 <= g["ch10_ex_uniform_dev"] < 1e-9


def test_exercise_undo_smoothing(g):
    assert 0 <= g["ch10_ex_smooth_dev"] < 1e-8
    eps, low = g["ch10_eps"], g["ch10_ex_low_p"]
    assert g["ch10_ex_low_q"] == pytest.approx((low - eps / 3) / (1 - eps), rel=1e-12)
    assert g["ch10_ex_low_q"] < 0


def test_exercise_costs_threshold_is_the_weighted_rule(g):
    assert g["ch10_ex_n_rates"] == 1000
    assert g["ch10_ex_disagree"] == 0


@pytest.mark.parametrize("bins", [5, 10, 20, 50])
def test_exercise_ece_by_bins_recomputed(g, logits, data, bins):
    conf, right = conf_outcome("digits", logits["digits", LONG]["test"], data["digits"]["test"][1])
    assert g[f"ch10_ex_ece_{bins}"] == pytest.approx(ece_from_sklearn(conf, right, bins), rel=1e-9)


def test_exercise_ece_grows_with_bins(g):
    assert g["ch10_ex_ece_5"] < g["ch10_ex_ece_50"]


# -- figures --------------------------------------------------------------------------------------

FIGURES = {
    "fig-ch10-minimisers": ["base rate", "0.5"],
    "fig-ch10-overfit": ["training", "test"],
    "fig-ch10-reliability": ["diagonal", "confidence"],
    "fig-ch10-focal": ["gamma", "base rate"],
    "fig-ch10-multilabel": ["softmax", "sigmoids"],
}


@pytest.mark.parametrize("name", sorted(FIGURES))
def test_figure_is_on_the_page_with_descriptive_alt_text(page_html, book_build, name):
    image = figure_image(page_html, name)
    assert len(image["alt"]) > 120
    for word in FIGURES[name]:
        assert word in image["alt"]
    path = (Path(book_build) / "html" / "chapters" / image["src"]).resolve()
    assert path.is_file() and path.stat().st_size > 5000
