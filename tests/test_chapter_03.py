"""Chapter 3: the glued numbers against closed forms, scikit-learn and PyTorch."""

from __future__ import annotations

import math
import warnings

import mpmath as mp
import numpy as np
import pytest
import sklearn.metrics
import torch
import torch.nn.functional as F
from bookutils import executed_notebook, glued_values

DOC = "chapters/03-log-loss"
mp.mp.dps = 50

P = [0.4, 0.6, 0.9, 0.1]
Y = [0, 1, 1, 0]


@pytest.fixture(scope="module")
def g(book_build):
    return glued_values(book_build, DOC)


def test_example_log_loss_closed_form(g):
    exact = -(2 * mp.log(mp.mpf("0.6")) + 2 * mp.log(mp.mpf("0.9"))) / 4
    assert g["ch3_example_logloss"] == pytest.approx(float(exact), rel=1e-14)


def test_example_log_loss_is_sklearn_and_torch(g):
    assert g["ch3_example_logloss"] == pytest.approx(sklearn.metrics.log_loss(Y, P), rel=1e-14)
    bce = F.binary_cross_entropy(torch.tensor(P, dtype=torch.float64), torch.tensor(Y, dtype=torch.float64))
    assert g["ch3_example_logloss"] == pytest.approx(bce.item(), rel=1e-14)


def test_example_log_loss_is_minus_log_likelihood_over_n(g):
    assert g["ch3_example_likelihood"] == pytest.approx(0.2916, rel=1e-12)
    assert g["ch3_example_logloss"] == pytest.approx(-math.log(0.2916) / 4, rel=1e-12)


@pytest.mark.parametrize("m", [1, 5, 9])
def test_marked_losses_on_the_curve(g, m):
    assert g[f"ch3_mark_{m}"] == pytest.approx(m / 10)
    assert g[f"ch3_loss1_{m}"] == pytest.approx(-math.log(m / 10), rel=1e-14)


def test_tenfold_drop_costs_log_ten(g):
    assert g["ch3_log10"] == pytest.approx(math.log(10), rel=1e-15)
    assert g["ch3_loss_1e6"] == pytest.approx(6 * math.log(10), rel=1e-12)


def test_one_confident_mistake_among_a_hundred(g):
    good = -math.log(0.9)
    total = (99 * good - math.log(1e-3)) / 100
    assert g["ch3_loss_good"] == pytest.approx(good, rel=1e-12)
    assert g["ch3_loss_all"] == pytest.approx(total, rel=1e-12)
    assert g["ch3_share"] == pytest.approx(-math.log(1e-3) / (100 * total), rel=1e-12)


def test_three_losses_at_a_confident_mistake(g):
    p = g["ch3_p_wrong"]
    assert g["ch3_logloss_wrong"] == pytest.approx(-math.log(p), rel=1e-14)
    assert g["ch3_squared_wrong"] == pytest.approx((1 - p) ** 2, rel=1e-14)
    assert g["ch3_zero_one_wrong"] == 1.0


def test_torch_caps_bce_at_100(g):
    loss = F.binary_cross_entropy(torch.tensor([0.0]), torch.tensor([1.0]))
    assert g["ch3_torch_cap"] == loss.item() == 100.0
    assert g["ch3_torch_clamp_p"] == pytest.approx(math.exp(-100), rel=1e-14)


@pytest.mark.parametrize("name", ["float64", "float32"])
def test_sklearn_clips_at_the_dtype_epsilon(g, name):
    eps = float(np.finfo(name).eps)
    assert g[f"ch3_sk_{name}_eps"] == eps
    assert g[f"ch3_sk_{name}_loss"] == pytest.approx(-math.log(eps), rel=1e-6)


@pytest.mark.parametrize("name", ["float64", "float32"])
def test_sklearn_warning_count_matches_the_installed_sklearn(g, name):
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        sklearn.metrics.log_loss([1, 0], np.zeros(2, dtype=name), normalize=False)
    assert int(g[f"ch3_sk_{name}_warnings"]) == len(caught)
    assert g["ch3_sklearn_version"] == sklearn.__version__


def test_best_constant_prediction_is_the_observed_frequency(g):
    assert abs(g["ch3_best_const"] - g["ch3_freq"]) <= 0.005
    assert abs(g["ch3_best_const"] * 100 - round(g["ch3_best_const"] * 100)) < 1e-9  # a grid point


def test_expected_zero_one_loss_above_one_half(g):
    assert g["ch3_q_zero_one"] == 0.7
    assert g["ch3_zero_one_expected"] == pytest.approx(0.3)


def test_exercise_mistake_equals_this_many_good_predictions(g):
    assert g["ch3_ex_ratio"] == pytest.approx(math.log(0.01) / math.log(0.9), rel=1e-6)


def test_exercise_float32_sklearn_and_torch(g):
    good = -math.log(float(np.float32(0.9)))
    sk = (999 * good - math.log(float(np.finfo(np.float32).eps))) / 1001
    pt = (999 * good + 100) / 1000
    assert g["ch3_ex_sk"] == pytest.approx(sk, rel=1e-5)
    assert g["ch3_ex_pt"] == pytest.approx(pt, rel=1e-5)


def test_three_figures_are_drawn(book_build):
    nb = executed_notebook(book_build, DOC)
    images = [o for c in nb["cells"] for o in c.get("outputs", []) if "image/png" in o.get("data", {})]
    assert len(images) == 3
