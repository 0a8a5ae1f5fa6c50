"""Chapter 5 (many classes): glued numbers against independent computations.

References are closed forms and mpmath at 50 digits; the naive float32 softmax is
redone with PyTorch tensors rather than the chapter's NumPy code. Random inputs
are regenerated from the chapter's per-section seeds.
"""

from __future__ import annotations

import math
from pathlib import Path

import mpmath as mp
import numpy as np
import pytest
import torch

from bookutils import executed_notebook, figure_image

DOC = "chapters/05-many-classes"
mp.mp.dps = 50


def mp_entropy(q):
    return sum(-mp.mpf(float(qk)) * mp.log(mp.mpf(float(qk))) for qk in q)


def mp_kl(q, p):
    """D_KL(q || p), target first."""
    return sum(mp.mpf(float(a)) * mp.log(mp.mpf(float(a)) / mp.mpf(float(b))) for a, b in zip(q, p))


def mp_softmax(z):
    e = [mp.exp(mp.mpf(t)) for t in z]
    return [v / sum(e) for v in e]


# --- uniform prediction ------------------------------------------------------------------


def test_uniform_ten_class_loss_is_log_10(g):
    assert g["ch5_log10"] == pytest.approx(float(mp.log(10)), rel=1e-15)


# --- overflow thresholds ------------------------------------------------------------------


def test_float32_exp_overflow_threshold(g):
    float32_max = (2 - mp.mpf(2) ** -23) * mp.mpf(2) ** 127
    assert g["ch5_max32"] == pytest.approx(float(mp.log(float32_max)), abs=1e-5)


def test_float64_exp_overflow_threshold(g):
    float64_max = (2 - mp.mpf(2) ** -52) * mp.mpf(2) ** 1023
    assert g["ch5_max64"] == pytest.approx(float(mp.log(float64_max)), rel=1e-15)


def test_naive_float32_softmax_is_nan_above_threshold():
    e = torch.exp(torch.tensor([100.0, 99.0, 98.0], dtype=torch.float32))
    assert torch.isnan(e / e.sum()).all()


def test_naive_float32_softmax_is_nan_when_everything_underflows():
    e = torch.exp(torch.tensor([-110.0, -111.0, -112.0], dtype=torch.float32))
    assert torch.isnan(e / e.sum()).all()


def test_naive_float64_softmax_is_nan_near_1000():
    e = torch.exp(torch.tensor([1000.0, 999.0, 998.0], dtype=torch.float64))
    assert torch.isnan(e / e.sum()).all()


def test_subnormal_softmax_value_matches_float32_recomputation(g):
    e = torch.exp(torch.tensor([-100.0, -101.0, -102.0], dtype=torch.float32))
    assert g["ch5_sub_naive"] == pytest.approx(float((e / e.sum())[0]), rel=1e-6)


def test_subnormal_softmax_exact_value(g):
    assert g["ch5_sub_exact"] == pytest.approx(float(mp_softmax([0, -1, -2])[0]), rel=1e-14)


def test_subnormal_softmax_is_wrong_by_more_than_half_a_percent(g):
    assert abs(g["ch5_sub_naive"] - g["ch5_sub_exact"]) / g["ch5_sub_exact"] > 0.005


def test_cross_entropy_from_logits_gives_exact_200(g):
    assert g["ch5_via_logits"] == pytest.approx(float(mp.log1p(mp.exp(200))), rel=1e-7)


def test_log_of_float32_softmax_gives_inf_for_the_same_sample():
    probs = torch.softmax(torch.tensor([[0.0, 200.0]]), dim=1)
    assert probs[0, 0] == 0.0
    assert math.isinf(float(-torch.log(probs[0, 0])))


# --- entropy, cross-entropy, KL -------------------------------------------------------------


@pytest.fixture(scope="module")
def qp():
    """The entropy section's target q and prediction p, drawn in the chapter's order."""
    rng = np.random.default_rng(2)
    return rng.dirichlet(np.ones(5)), rng.dirichlet(np.ones(5))


def test_entropy_matches_mpmath(g, qp):
    q, _ = qp
    assert g["ch5_H_q"] == pytest.approx(float(mp_entropy(q)), rel=1e-13)


def test_kl_matches_mpmath(g, qp):
    q, p = qp
    assert g["ch5_KL"] == pytest.approx(float(mp_kl(q, p)), rel=1e-13)


def test_cross_entropy_matches_mpmath(g, qp):
    q, p = qp
    h = sum(-mp.mpf(float(a)) * mp.log(mp.mpf(float(b))) for a, b in zip(q, p))
    assert g["ch5_H_qp"] == pytest.approx(float(h), rel=1e-13)


def test_glued_cross_entropy_is_entropy_plus_kl(g):
    assert g["ch5_H_qp"] == pytest.approx(g["ch5_H_q"] + g["ch5_KL"], rel=1e-13)


def test_reverse_kl_matches_mpmath_and_differs(g, qp):
    q, p = qp
    assert g["ch5_ex_KL_rev"] == pytest.approx(float(mp_kl(p, q)), rel=1e-13)
    assert abs(g["ch5_ex_KL_rev"] - g["ch5_KL"]) > 0.01


# --- maximum likelihood ----------------------------------------------------------------------


@pytest.fixture(scope="module")
def q_hat():
    rng = np.random.default_rng(3)
    labels = rng.choice(4, size=400, p=[0.5, 0.25, 0.15, 0.10])
    return np.bincount(labels, minlength=4) / 400


def test_sample_size(g):
    assert g["ch5_n"] == 400


def test_fitted_loss_is_entropy_of_empirical_frequencies(g, q_hat):
    assert g["ch5_H_qhat"] == pytest.approx(float(mp_entropy(q_hat)), rel=1e-13)


def test_fit_reaches_empirical_frequencies(g):
    assert 0 <= g["ch5_fit_gap"] < 1e-6


def test_uniform_start_is_log_4_and_above_the_entropy(g):
    assert g["ch5_log4"] == pytest.approx(float(mp.log(4)), rel=1e-15)
    assert g["ch5_H_qhat"] < g["ch5_log4"]


# --- exercises ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "key, temperature", [("ch5_ex_T_small", 0.1), ("ch5_ex_T_one", 1.0), ("ch5_ex_T_big", 100.0)]
)
def test_temperature_softmax_largest_probability(g, key, temperature):
    probs = mp_softmax([mp.mpf(v) / mp.mpf(temperature) for v in (1, 2, 3)])
    assert g[key] == pytest.approx(float(max(probs)), rel=1e-13)


def test_cross_entropy_gradient_formula_agrees_with_autograd(g):
    assert 0 <= g["ch5_ex_grad_err"] < 1e-12


def test_stuck_loss_exercise_model_is_90_percent_accurate_yet_inside_the_interval(g):
    counts = [400, 200, 120, 80, 60, 50, 40, 25, 15, 10]
    entropy = mp_entropy([mp.mpf(c) / 1000 for c in counts])
    m = mp.mpf(g["ch5_ex_margin"])
    # nine samples in ten: logit m on the true class; one in ten: m on a wrong class
    loss = mp.mpf("0.9") * mp.log(1 + 9 * mp.exp(-m)) + mp.mpf("0.1") * mp.log(mp.exp(m) + 9)
    assert g["ch5_ex_H_q_hat10"] == pytest.approx(float(entropy), rel=1e-13)
    assert g["ch5_ex_loss10"] == pytest.approx(float(loss), rel=1e-12)
    assert entropy < g["ch5_ex_loss10"] < mp.log(10)
    assert g["ch5_ex_accuracy10"] == 0.9
    assert g["ch5_ex_majority10"] == 0.4


def test_stuck_loss_exercise_temperature_reaches_the_closed_form_minimum(g):
    # f(s) = 0.9 log(1 + 9 e^-s) + 0.1 log(e^s + 9) has f'(s) = 0 at e^s = 81
    best = mp.mpf("0.9") * mp.log(mp.mpf(10) / 9) + mp.mpf("0.1") * mp.log(90)
    assert g["ch5_ex_loss10_T"] == pytest.approx(float(best), rel=1e-9)
    assert g["ch5_ex_T_fit"] == pytest.approx(g["ch5_ex_margin"] / float(mp.log(81)), rel=1e-6)
    assert g["ch5_ex_loss10_T"] < g["ch5_ex_H_q_hat10"]


# --- figures --------------------------------------------------------------------------------------

FIGURES = {
    # name: words a description of the figure must contain
    "fig-ch5-fit": ("bar", "class", "empirical frequenc", "maximum-likelihood fit", "uniform"),
    "fig-ch5-decomposition": ("cross-entropy", "entropy", "t = 1", "kl divergence"),
}


def test_two_figures_were_drawn(book_build):
    nb = executed_notebook(book_build, DOC)
    pngs = [
        o for c in nb["cells"] for o in c.get("outputs", []) if "image/png" in o.get("data", {})
    ]
    assert len(pngs) == 2


@pytest.mark.parametrize("name", FIGURES)
def test_figure_image_is_a_png_in_the_build(book_build, page_html, name):
    src = figure_image(page_html, name)["src"]
    png = (Path(book_build) / "html" / "chapters" / src).resolve()
    assert png.suffix == ".png" and png.is_file()
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    width = int.from_bytes(png.read_bytes()[16:20], "big")
    assert width >= 400


@pytest.mark.parametrize("name, words", FIGURES.items())
def test_figure_alt_text_describes_it(page_html, name, words):
    alt = " ".join(figure_image(page_html, name)["alt"].split())
    assert ".png" not in alt and "/" not in alt
    assert len(alt) > 150
    for word in words:
        assert word in alt.lower()


def test_page_shows_glued_values_not_raw_roles(page_html, g):
    assert "{glue" not in page_html and "{eq}" not in page_html
    assert f"{g['ch5_sub_naive']:.4f}" in page_html
    assert f"{g['ch5_max32']:.2f}" in page_html
