"""Chapter 4 (logits and numerical stability): glued numbers against independent computations.

References are closed forms, mpmath at 50 digits, and float32 arithmetic redone
in PyTorch (not the chapter's NumPy code). The training comparison is redone in
NumPy with hand-derived gradients instead of the chapter's PyTorch autograd.
"""

from __future__ import annotations

import math
from pathlib import Path

import mpmath as mp
import numpy as np
import pytest
import torch
from bookutils import executed_notebook, glued_values

DOC = "chapters/04-logits-stability"
mp.mp.dps = 50


@pytest.fixture(scope="module")
def g(book_build):
    return glued_values(book_build, DOC)


def mp_sigmoid(z):
    return 1 / (1 + mp.exp(-mp.mpf(z)))


def naive_loss_f32(z: float, y: float) -> float:
    """The textbook formula, sigmoid then log, in float32 — written with torch ops."""
    z = torch.tensor(z, dtype=torch.float32)
    p = 1 / (1 + torch.exp(-z))
    return float(-y * torch.log(p) - (1 - y) * torch.log(1 - p))


# --- the sigmoid ---------------------------------------------------------------------

def test_max_slope_is_one_quarter(g):
    assert g["ch4_max_slope"] == pytest.approx(0.25, abs=1e-15)
    assert g["ch4_max_factor"] == pytest.approx(0.5, abs=1e-15)


# --- where float32 breaks --------------------------------------------------------------

def test_float32_sigmoid_rounds_to_one_near_24_log_2(g):
    # 1 + e^{-z} rounds to 1 once e^{-z} <= 2^-24 (half the gap above 1), i.e. z >= 24 log 2
    assert g["ch4_one32"] == pytest.approx(24 * math.log(2), abs=1e-4)


def test_float32_sigmoid_is_one_exactly_from_the_glued_logit_and_not_before(g):
    z = np.float32(g["ch4_one32"])
    before = np.nextafter(z, np.float32(0))
    assert float(1 / (1 + torch.exp(-torch.tensor(z)))) == 1.0
    assert float(1 / (1 + torch.exp(-torch.tensor(before)))) < 1.0


def test_naive_float32_loss_is_inf_for_label_0_and_nan_for_label_1_at_threshold(g):
    z = g["ch4_one32"]
    assert math.isinf(naive_loss_f32(z, 0.0))
    assert math.isnan(naive_loss_f32(z, 1.0))
    exact = float(mp.log1p(mp.exp(z)))           # label 0: softplus(z), finite
    assert exact == pytest.approx(z, rel=1e-6)


def test_float32_sigmoid_is_zero_below_minus_log_of_float32_max(g):
    float32_max = (2 - mp.mpf(2) ** -23) * mp.mpf(2) ** 127
    assert g["ch4_zero32"] == pytest.approx(float(-mp.log(float32_max)), abs=1e-4)


def test_naive_float32_loss_is_inf_for_label_1_and_nan_for_label_0_below_zero_threshold(g):
    z = g["ch4_zero32"] - 1.0
    assert math.isinf(naive_loss_f32(z, 1.0))
    assert math.isnan(naive_loss_f32(z, 0.0))


def test_float64_sigmoid_rounds_to_one_near_53_log_2(g):
    assert g["ch4_one64"] == pytest.approx(53 * math.log(2), abs=1e-9)
    assert g["ch4_ex_53log2"] == pytest.approx(53 * math.log(2), rel=1e-15)


def test_naive_float32_loss_is_finite_below_the_threshold():
    # the chapter's claim is about large logits only: at z = 10 the naive loss is still finite
    assert math.isfinite(naive_loss_f32(10.0, 0.0))
    assert math.isfinite(naive_loss_f32(10.0, 1.0))


def test_clamped_bce_reports_100_where_exact_loss_is_200(g):
    assert g["ch4_clamped"] == 100.0
    assert g["ch4_on_logits"] == pytest.approx(float(mp.log1p(mp.exp(200))), rel=1e-15)


# --- gradients ---------------------------------------------------------------------------

def test_badly_wrong_probability_is_sigmoid_of_minus_6(g):
    assert g["ch4_bad_p"] == pytest.approx(float(mp_sigmoid(-6)), rel=1e-14)


def test_gradients_at_minus_6_match_closed_forms(g):
    s = mp_sigmoid(-6)
    assert g["ch4_grad_log"] == pytest.approx(float(s - 1), rel=1e-14)
    assert g["ch4_grad_sq"] == pytest.approx(float(2 * (s - 1) * s * (1 - s)), rel=1e-12)
    assert g["ch4_grad_ratio"] == pytest.approx(float(1 / (2 * s * (1 - s))), rel=1e-12)


# --- training: one neuron, two losses ----------------------------------------------------

def train_numpy(loss_name, x, y, w=-6.0, b=0.0, lr=1.0, steps=300):
    """Full-batch gradient descent with hand-derived gradients; returns the mean log-loss per step."""
    history = []
    for _ in range(steps):
        z = w * x + b
        s = 1 / (1 + np.exp(-z))
        history.append(np.mean(np.logaddexp(0, z) - y * z))
        dz = (s - y) if loss_name == "log_loss" else 2 * (s - y) * s * (1 - s)
        dz = dz / len(x)
        w, b = w - lr * np.sum(dz * x), b - lr * np.sum(dz)
    return np.array(history)


@pytest.fixture(scope="module")
def curves():
    rng = np.random.default_rng(1)
    x = rng.normal(size=200)
    y = (x + 0.3 * rng.normal(size=200) > 0).astype(float)
    return {name: train_numpy(name, x, y) for name in ("log_loss", "squared_error")}


def test_data_set_size(g):
    assert g["ch4_n"] == 200


def test_start_loss_matches_independent_training(g, curves):
    assert g["ch4_start_loss"] == pytest.approx(curves["log_loss"][0], rel=1e-12)


def test_steps_below_log_2_match_independent_training(g, curves):
    steps = {k: int(np.argmax(v < math.log(2))) for k, v in curves.items()}
    assert g["ch4_steps_log"] == steps["log_loss"]
    assert g["ch4_steps_sq"] == steps["squared_error"]


def test_log_loss_training_is_much_faster_than_squared_error(g):
    assert g["ch4_steps_sq"] > 5 * g["ch4_steps_log"]


def test_final_losses_match_independent_training(g, curves):
    assert g["ch4_final_log"] == pytest.approx(curves["log_loss"][-1], rel=1e-9)
    assert g["ch4_final_sq"] == pytest.approx(curves["squared_error"][-1], rel=1e-9)


# --- exercises -----------------------------------------------------------------------------

def test_largest_squared_error_gradient_is_8_over_27(g):
    assert g["ch4_ex_sq_max"] == pytest.approx(8 / 27, abs=1e-9)


def test_soft_label_minimiser_and_minimum(g):
    y = mp.mpf("0.2")
    assert g["ch4_ex_soft_z"] == pytest.approx(float(mp.log(y / (1 - y))), rel=1e-14)
    entropy = -y * mp.log(y) - (1 - y) * mp.log(1 - y)
    assert g["ch4_ex_soft_min"] == pytest.approx(float(entropy), abs=1e-9)


# --- figures ---------------------------------------------------------------------------------

def test_three_figures_were_drawn(book_build):
    nb = executed_notebook(book_build, DOC)
    pngs = [o for c in nb["cells"] for o in c.get("outputs", []) if "image/png" in o.get("data", {})]
    assert len(pngs) == 3


@pytest.mark.parametrize("name", ["fig-ch4-naive", "fig-ch4-gradients", "fig-ch4-training"])
def test_named_figure_is_on_the_page(book_build, name):
    html = (Path(book_build) / "html" / f"{DOC}.html").read_text(encoding="utf-8")
    assert f'id="{name}"' in html


def test_page_shows_glued_thresholds_not_raw_roles(book_build, g):
    html = (Path(book_build) / "html" / f"{DOC}.html").read_text(encoding="utf-8")
    assert "{glue" not in html and "{eq}" not in html
    assert f"{g['ch4_one32']:.2f}" in html
    assert f"{g['ch4_steps_sq']:.0f}" in html
