"""Chapter 6: the glued numbers against independent computations.

The chapter's inputs are regenerated from the same seed and the same sequence of
draws; every loss is then recomputed from its closed form in mpmath (50 digits),
not with the chapter's code, PyTorch's loss functions or lossutils.
"""

from __future__ import annotations

import math

import mpmath as mp
import numpy as np
import pytest
import torch
import torch.nn.functional as F

from bookutils import figure_image

DOC = "chapters/06-crossentropy-nllloss"
mp.mp.dps = 50
FLOOR = float(np.float32(1e-12))  # PyTorch's backward floor: 1e-12 stored as a float32


def mp_sigmoid(z):
    return 1 / (1 + mp.exp(-mp.mpf(z)))


@pytest.fixture(scope="module")
def draws():
    """The chapter's random inputs, drawn in the chapter's order."""
    torch.manual_seed(0)
    logits = torch.randn(6, 4, dtype=torch.float64)
    logits10 = torch.randn(8, 10, dtype=torch.float64)
    two_logits = torch.randn(7, 2, dtype=torch.float64)
    return {
        "logits": logits.tolist(),
        "target": [0, 3, 1, 1, 2, 0],
        "logits10": logits10.tolist(),
        "target10": [3, 9, 0, 7, 7, 1, 5, 2],
        "two_logits": two_logits.tolist(),
        "y2": [0, 1, 1, 0, 1, 0, 0],
    }


def mp_log_softmax(row):
    row = [mp.mpf(v) for v in row]
    lse = mp.log(mp.fsum(mp.exp(v) for v in row))
    return [v - lse for v in row]


def mp_cross_entropy(rows, target):
    return mp.fsum(-mp_log_softmax(r)[t] for r, t in zip(rows, target)) / len(rows)


def test_cross_entropy_matches_closed_form(g, draws):
    expected = mp_cross_entropy(draws["logits"], draws["target"])
    assert g["ch6_ce"] == pytest.approx(float(expected), rel=1e-12)


def test_nll_of_probabilities_is_minus_mean_true_class_probability(g, draws):
    probs = [[mp.exp(v) for v in mp_log_softmax(r)] for r in draws["logits"]]
    expected = -mp.fsum(p[t] for p, t in zip(probs, draws["target"])) / 6
    assert g["ch6_nll_of_probs"] == pytest.approx(float(expected), rel=1e-12)
    assert -1 < g["ch6_nll_of_probs"] < 0


def test_nll_of_logits_is_minus_mean_true_class_logit(g, draws):
    expected = -sum(r[t] for r, t in zip(draws["logits"], draws["target"])) / 6
    assert g["ch6_nll_of_logits"] == pytest.approx(expected, rel=1e-12)


def test_shifted_logits_lower_cross_entropy_and_make_nll_negative(g, draws):
    learned = [list(r) for r in draws["logits"]]
    for r, t in zip(learned, draws["target"]):
        r[t] += 3.0
    expected_ce = float(mp_cross_entropy(learned, draws["target"]))
    assert g["ch6_ce_learned"] == pytest.approx(expected_ce, rel=1e-12)
    expected_nll = -sum(r[t] for r, t in zip(learned, draws["target"])) / 6
    assert g["ch6_nll_learned"] == pytest.approx(expected_nll, rel=1e-12)
    assert g["ch6_nll_learned"] < 0


def test_ten_class_nll_matches_closed_form(g, draws):
    expected = mp_cross_entropy(draws["logits10"], draws["target10"])
    assert g["ch6_nll10"] == pytest.approx(float(expected), rel=1e-12)
    assert g["ch6_logc10"] == pytest.approx(math.log(10), rel=1e-15)


def test_float32_sigmoid_saturation_point_is_first_grid_point_past_24_log_2(g):
    bound = 24 * math.log(2)
    assert g["ch6_sat_theory"] == pytest.approx(bound, rel=1e-15)
    assert bound < g["ch6_sat_z"] <= bound + 0.01 + 1e-6
    # and it really saturates in float32 while the grid point before it does not
    assert torch.sigmoid(torch.tensor(g["ch6_sat_z"], dtype=torch.float32)).item() == 1.0


@pytest.mark.parametrize(
    "key, dtype, bits, spacing",
    [
        ("ch6_sat_bf16", torch.bfloat16, 9, 2.0**-5),
        ("ch6_sat_fp16", torch.float16, 12, 2.0**-7),
    ],
)
def test_16_bit_sigmoid_saturates_at_the_first_number_past_log_of_2_to_bits_minus_1(
    g, key, dtype, bits, spacing
):
    # 1 - sigma(z) = sigma(-z) <= 2**-bits (half the gap below 1) once z >= log(2**bits - 1)
    bound = float(mp.log(2**bits - 1))
    assert bound <= g[key] < bound + spacing
    assert float(torch.tensor(g[key], dtype=dtype)) == g[key]
    assert g[key] < 0.6 * g["ch6_sat_z"]


def test_bce_on_saturated_probabilities_reports_the_clamp(g):
    assert g["ch6_bce_clamped"] == 100.0


def test_bce_with_logits_reports_softplus_of_the_wrong_logit(g):
    # loss of logit z for y=0 is softplus(z); for y=1 it is softplus(-z)
    assert g["ch6_big_pos"] == 40.0 and g["ch6_big_neg"] == -200.0
    assert g["ch6_bce_logits_pos"] == pytest.approx(float(mp.log1p(mp.exp(40))), rel=1e-6)
    assert g["ch6_bce_logits_neg"] == pytest.approx(float(mp.log1p(mp.exp(200))), rel=1e-6)


def test_gradient_on_logits_is_sigmoid_minus_target(g):
    assert g["ch6_grad_logits"] == pytest.approx(float(1 / (1 + mp.exp(-40)) - 0), rel=1e-7)


# --- the backward floor of binary_cross_entropy ------------------------------------------


def test_backward_floor_read_from_autograd_is_1e_minus_12(g):
    assert g["ch6_bwd_floor"] == pytest.approx(FLOOR, rel=1e-12)


def test_bce_backward_divides_by_the_floor_in_float32_and_float64():
    for dtype in (torch.float32, torch.float64):
        p = torch.tensor([1e-14, 0.25], dtype=dtype, requires_grad=True)
        F.binary_cross_entropy(p, torch.ones(2, dtype=dtype), reduction="sum").backward()
        assert p.grad[0].item() == pytest.approx((1e-14 - 1) / FLOOR, rel=1e-6)
        assert p.grad[1].item() == pytest.approx(-1 / 0.25, rel=1e-6)  # -1/p, unclamped


def z_star():
    """The logit where sigma(z) sigma(-z) equals the floor: the clamp starts below it."""
    return float(mp.findroot(lambda z: mp_sigmoid(z) * mp_sigmoid(-z) - FLOOR, -27.6))


@pytest.mark.parametrize("key", ["ch6_grad_wrong32", "ch6_grad_wrong64"])
def test_gradient_through_bce_goes_wrong_where_sigma_sigma_prime_meets_the_floor(g, key):
    # off by more than 1e-3 once sigma(z) sigma(-z) < 0.999 floor: just below z*, on a 1/1024 grid
    assert z_star() - 0.003 < g[key] < z_star()


def test_loss_is_still_exact_where_the_gradient_goes_wrong(g):
    z = g["ch6_grad_wrong64"]
    exact = float(mp.log1p(mp.exp(-mp.mpf(z))))  # softplus(-z), label 1
    assert g["ch6_loss_at_wrong64"] == pytest.approx(exact, rel=1e-12)
    assert g["ch6_loss_at_wrong32"] == pytest.approx(exact, rel=1e-6)


def test_gradients_at_minus_30_closed_forms(g):
    s = mp_sigmoid(-30)
    assert g["ch6_grad_logits_m30"] == pytest.approx(float(s - 1), rel=1e-15)
    clamped = (s - 1) * s * (1 - s) / mp.mpf(FLOOR)
    assert g["ch6_grad_bce_m30"] == pytest.approx(float(clamped), rel=1e-9)


def test_two_logit_cross_entropy_equals_one_logit_bce_of_the_difference(g, draws):
    losses = []
    for (a, b), y in zip(draws["two_logits"], draws["y2"]):
        d = mp.mpf(b) - mp.mpf(a)
        losses.append(mp.log1p(mp.exp(-d)) if y == 1 else mp.log1p(mp.exp(d)))
    assert g["ch6_two_mean"] == pytest.approx(float(mp.fsum(losses) / 7), rel=1e-12)


# --- one logit or two: the learning rate ---------------------------------------------------


def gd_one_logit(lr, steps):
    """Gradient descent on the chapter's data, hand-derived gradient (sigma(z) - y) x / N."""
    rng = np.random.default_rng(1)
    x = rng.normal(size=(64, 3))
    y = (x @ [1.5, -2.0, 0.5] + rng.normal(size=64) > 0).astype(float)
    w, b = rng.normal(size=3), rng.normal()
    for _ in range(steps):
        r = 1 / (1 + np.exp(-(x @ w + b))) - y
        w, b = w - lr * x.T @ r / len(y), b - lr * r.mean()
    z = x @ w + b
    return float(np.mean(np.logaddexp(0, z) - y * z))


def test_one_logit_training_matches_hand_derived_gradient_descent(g):
    expected = gd_one_logit(g["ch6_lr"], int(g["ch6_sgd_steps"]))
    assert g["ch6_one_logit_final_loss"] == pytest.approx(expected, rel=1e-10)


def test_two_logit_paths_coincide_only_with_half_the_learning_rate(g):
    assert g["ch6_gap_half"] < 1e-12
    assert g["ch6_gap_same"] > 1e-2


def test_cross_entropy_moves_the_logit_difference_twice_as_far_in_torch():
    # independent of the chapter: one SGD step of each set-up from matched weights
    torch.manual_seed(3)
    x, y = torch.randn(16, 2, dtype=torch.float64), torch.randint(0, 2, (16,))
    w = torch.randn(2, dtype=torch.float64)
    one = w.clone().requires_grad_()
    F.binary_cross_entropy_with_logits(x @ one, y.double()).backward()
    two = torch.stack([torch.zeros(2, dtype=torch.float64), w]).requires_grad_()
    F.cross_entropy(x @ two.T, y).backward()
    step_one = -one.grad
    step_two = -(two.grad[1] - two.grad[0])
    torch.testing.assert_close(step_two, 2 * step_one)


# --- the figure ------------------------------------------------------------------------------


def test_bce_saturation_figure_has_an_image_alt_text_and_the_true_caption(page_html):
    image = figure_image(page_html, "fig-ch6-bce-saturation")
    assert image["src"]
    assert len(image["alt"]) > 60 and "gradient" in image["alt"] and "/" not in image["alt"]
    start = page_html.index('id="fig-ch6-bce-saturation"')
    figure = page_html[start : page_html.index("</figure>", start)]
    assert "max(p(1 − p), δ)" in figure  # the caption names the backward floor


# -- the explorable figure: the gradients the page ships, against PyTorch ----------------------


@pytest.fixture(scope="module")
def gradient_shipped(book_build):
    from explorableutils import shipped

    return shipped(book_build, DOC, "ch6-bce-gradient")


def torch_gradients(z):
    """d loss/dz for a sample of class 1: BCELoss on sigmoid(z) in float32 and float64, and
    BCEWithLogitsLoss in float64."""
    out = {}
    for key, dtype in [("grad_p32", torch.float32), ("grad_p64", torch.float64)]:
        t = torch.tensor(z, dtype=dtype, requires_grad=True)
        F.binary_cross_entropy(torch.sigmoid(t), torch.ones((), dtype=dtype)).backward()
        out[key] = t.grad.item()
    t = torch.tensor(z, dtype=torch.float64, requires_grad=True)
    F.binary_cross_entropy_with_logits(t, torch.ones((), dtype=torch.float64)).backward()
    out["grad_l"] = t.grad.item()
    return out


def test_gradient_explorable_steps_z_from_minus_45_to_0(gradient_shipped):
    (slider,) = gradient_shipped.sliders
    zs = [float(v) for v in slider["labels"]]
    assert zs[0] == -45 and zs[-1] == 0 and len(zs) == len(gradient_shipped.frames["readout"])
    assert np.allclose(np.diff(zs), 0.25)


@pytest.mark.parametrize(
    "label", ["-45.00", "-40.00", "-30.00", "-27.50", "-20.00", "-5.25", "0.00"]
)
def test_gradient_explorable_ships_torch_autograd_gradients(gradient_shipped, label):
    frames, i = gradient_shipped.frames, gradient_shipped.frame(label)
    z = float(label)
    expected = torch_gradients(z)
    for key, rel in [("grad_p32", 1e-6), ("grad_p64", 1e-12), ("grad_l", 1e-12)]:
        assert frames[f"{key}_x"][i] == [z]
        assert frames[f"{key}_y"][i][0] == pytest.approx(abs(expected[key]), rel=rel)
    readout = frames["readout"][i]
    assert f"z = {label}" in readout
    assert f"{expected['grad_p64']:.4g}" in readout and f"{expected['grad_l']:.6f}" in readout


def test_gradient_explorable_shows_the_bce_gradient_vanishing_past_the_floor(gradient_shipped):
    # below the floor the BCELoss gradient shrinks like e^z: e^-10 smaller over 10 units of z
    frames = gradient_shipped.frames
    at = {z: frames["grad_p64_y"][gradient_shipped.frame(f"{z:.2f}")][0] for z in (-40.0, -30.0)}
    assert at[-40.0] / at[-30.0] == pytest.approx(math.exp(-10), rel=1e-6)
    logits = frames["grad_l_y"][gradient_shipped.frame("-40.00")][0]
    assert logits == pytest.approx(float(mp_sigmoid(40)), rel=1e-15)  # |sigma(z) - 1|


def test_gradient_explorable_curves_are_the_autograd_gradients(gradient_shipped):
    x, y = gradient_shipped.fixed["curve_grad_p64"]
    assert x[0] == -45 and x[-1] == 0
    for k in range(0, len(x), 45):
        assert y[k] == pytest.approx(abs(torch_gradients(x[k])["grad_p64"]), rel=1e-12)
