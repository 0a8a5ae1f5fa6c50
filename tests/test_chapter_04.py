"""Chapter 4 (logits and numerical stability): glued numbers against independent computations.

References are closed forms, mpmath at 50 digits, and float32 arithmetic redone
in PyTorch (not the chapter's NumPy code). The training comparison is redone in
NumPy with hand-derived gradients instead of the chapter's PyTorch autograd.
"""

from __future__ import annotations

import math

import mpmath as mp
import numpy as np
import pytest
import torch
import torch.nn.functional as F

from bookutils import executed_notebook, figure_image

DOC = "chapters/04-logits-stability"
mp.mp.dps = 50


def mp_sigmoid(z):
    return 1 / (1 + mp.exp(-mp.mpf(z)))


def mp_softplus(z):
    return mp.log1p(mp.exp(mp.mpf(z)))


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
    exact = float(mp.log1p(mp.exp(z)))  # label 0: softplus(z), finite
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


def test_torch_sigmoid_saturation_in_float32_and_float64_matches_the_rounding_argument(g):
    # grid points are 1/1024 apart: the first one past 24 log 2 (float32), 53 log 2 (float64)
    assert 24 * math.log(2) <= g["ch4_sat_one32"] < 24 * math.log(2) + 1 / 1024
    assert 53 * math.log(2) <= g["ch4_sat_one64"] < 53 * math.log(2) + 1 / 1024


@pytest.mark.parametrize(
    "key, dtype, bits, spacing",
    [
        ("ch4_sat_bf16", torch.bfloat16, 9, 2.0**-5),  # bfloat16: 8 significant bits
        ("ch4_sat_fp16", torch.float16, 12, 2.0**-7),  # float16: 11 significant bits
    ],
)
def test_16_bit_sigmoid_is_one_from_the_first_number_past_log_of_2_to_the_bits_minus_1(
    g, key, dtype, bits, spacing
):
    # sigma(z) rounds to 1 once 1 - sigma(z) = sigma(-z) <= 2**-bits (half the gap below 1),
    # i.e. z >= log(2**bits - 1); the glued value is the first number of the format from there
    bound = float(mp.log(2**bits - 1))
    z = g[key]
    assert bound <= z < bound + spacing
    assert float(torch.tensor(z, dtype=dtype)) == z  # a number of the format
    assert float(torch.sigmoid(torch.tensor(z, dtype=dtype))) == 1.0
    assert float(torch.sigmoid(torch.tensor(z - spacing, dtype=dtype))) < 1.0
    assert z < 0.6 * g["ch4_sat_one32"]  # "far sooner" than float32


# --- what PyTorch's binary_cross_entropy_with_logits loses --------------------------------


def bce_logits(z, y, dtype):
    return F.binary_cross_entropy_with_logits(
        torch.tensor([z], dtype=dtype), torch.tensor([y], dtype=dtype)
    ).item()


def test_exact_losses_of_confident_correct_negatives_are_softplus(g):
    assert g["ch4_exact_m10"] == pytest.approx(float(mp_softplus(-10)), rel=1e-15)
    assert g["ch4_exact_m20"] == pytest.approx(float(mp_softplus(-20)), rel=1e-15)
    assert g["ch4_exact_m30"] == pytest.approx(float(mp_softplus(-30)), rel=1e-15)


def test_torch_float32_loss_is_off_in_the_third_digit_at_minus_10_and_zero_at_minus_20(g):
    assert g["ch4_torch_m10_32"] == bce_logits(-10.0, 0.0, torch.float32)
    assert abs(g["ch4_torch_m10_32"] / float(mp_softplus(-10)) - 1) > 1e-3
    assert g["ch4_torch_m20_32"] == 0.0 == bce_logits(-20.0, 0.0, torch.float32)
    assert mp_softplus(-20) > 0


def test_torch_float64_loss_loses_digits_at_minus_30_and_is_zero_at_minus_40(g):
    assert g["ch4_torch_m30_64"] == bce_logits(-30.0, 0.0, torch.float64)
    assert abs(g["ch4_torch_m30_64"] / float(mp_softplus(-30)) - 1) > 1e-3
    assert bce_logits(-40.0, 0.0, torch.float64) == 0.0


@pytest.mark.parametrize(
    "key, dtype", [("ch4_torch_zero32", torch.float32), ("ch4_torch_zero64", torch.float64)]
)
def test_torch_loss_of_correct_negatives_is_zero_below_the_glued_logit(g, key, dtype):
    z = g[key]
    assert bce_logits(z, 0.0, dtype) > 0.0
    for below in (z - 1 / 1024, z - 1, z - 10):
        assert bce_logits(below, 0.0, dtype) == 0.0
        assert mp_softplus(below) > 0  # the true loss is not


def test_torch_zero_thresholds_sit_where_e_to_the_z_is_below_the_rounding_of_z(g):
    # log sigma(z) = z - e^z (to first order) rounds to z once e^z < ulp(z) / 2
    for key, mantissa in (("ch4_torch_zero32", 24), ("ch4_torch_zero64", 53)):
        z = g[key]
        half_ulp = 2.0 ** (math.floor(math.log2(abs(z))) - mantissa)
        assert math.exp(z) == pytest.approx(half_ulp, rel=0.05)


def test_torch_gradient_of_a_zero_loss_is_still_sigmoid_minus_label():
    z = torch.tensor([-20.0], requires_grad=True)
    F.binary_cross_entropy_with_logits(z, torch.zeros(1)).backward()
    assert z.grad.item() == pytest.approx(float(mp_sigmoid(-20)), rel=1e-6)


def test_torch_loss_of_confident_correct_positives_is_exact():
    assert bce_logits(20.0, 1.0, torch.float32) == pytest.approx(float(mp_softplus(-20)), rel=1e-6)


# --- the backward floor of binary_cross_entropy ---------------------------------------------


def test_bce_loss_at_minus_30_is_exact(g):
    assert g["ch4_bwd_loss"] == pytest.approx(float(mp_softplus(30)), rel=1e-15)


FLOOR = float(np.float32(1e-12))  # PyTorch's constant is 1e-12 stored as a float32


def test_bce_backward_floor_is_1e_minus_12_as_a_float32(g):
    assert g["ch4_bwd_floor"] == pytest.approx(FLOOR, rel=1e-12)


def test_bce_gradient_at_minus_30_is_sigma_prime_over_the_floor(g):
    s = mp_sigmoid(-30)
    assert g["ch4_bwd_true"] == pytest.approx(float(s - 1), rel=1e-15)
    clamped = (s - 1) * s * (1 - s) / mp.mpf(FLOOR)  # (p - y) sigma'(z) / floor
    assert g["ch4_bwd_grad"] == pytest.approx(float(clamped), rel=1e-9)
    assert abs(g["ch4_bwd_grad"]) < 0.1


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
    """Full-batch gradient descent with hand-derived gradients; the mean log-loss per step."""
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
    pngs = [
        o for c in nb["cells"] for o in c.get("outputs", []) if "image/png" in o.get("data", {})
    ]
    assert len(pngs) == 3


@pytest.mark.parametrize("name", ["fig-ch4-naive", "fig-ch4-gradients", "fig-ch4-training"])
def test_named_figure_has_an_image_with_descriptive_alt_text(page_html, name):
    image = figure_image(page_html, name)
    assert image["src"]
    alt = image["alt"]
    assert len(alt) > 60 and "/" not in alt and not alt.endswith(".png")


def test_page_shows_glued_thresholds_not_raw_roles(page_html, g):
    assert "{glue" not in page_html and "{eq}" not in page_html
    assert f"{g['ch4_one32']:.2f}" in page_html
    assert f"{g['ch4_steps_sq']:.0f}" in page_html
