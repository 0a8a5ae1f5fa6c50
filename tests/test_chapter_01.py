"""Chapter 1: the glued numbers against independent computations.

References are closed forms evaluated in mpmath (50 digits), scikit-learn and
PyTorch, never the chapter's own code.
"""

from __future__ import annotations

import math

import mpmath as mp
import pytest
import torch
from sklearn.metrics import log_loss

from bookutils import figure_image

DOC = "chapters/01-likelihood"
mp.mp.dps = 50

P = [0.4, 0.6, 0.9, 0.1]
Y = [0, 1, 1, 0]


def mp_coin(theta, k, n):
    theta = mp.mpf(theta)
    return theta**k * (1 - theta) ** (n - k)


def test_table_factors_use_one_minus_p_for_label_zero(g):
    for i, (p, y) in enumerate(zip(P, Y)):
        assert g[f"ch1_p{i}"] == p and g[f"ch1_y{i}"] == y
        assert g[f"ch1_f{i}"] == pytest.approx(p if y == 1 else 1 - p, rel=1e-15)


def test_worked_example_likelihood_is_0_2916(g):
    exact = mp.mpf("0.6") ** 2 * mp.mpf("0.9") ** 2
    assert g["ch1_likelihood"] == pytest.approx(float(exact), rel=1e-14)
    assert g["ch1_likelihood"] == pytest.approx(0.2916, rel=1e-12)


def test_worked_example_likelihood_matches_sklearn_log_loss(g):
    assert g["ch1_likelihood"] == pytest.approx(math.exp(-len(P) * log_loss(Y, P)), rel=1e-12)


def test_torch_bernoulli_log_prob_summed_and_exponentiated_is_the_likelihood(g):
    exact = mp.mpf("0.6") ** 2 * mp.mpf("0.9") ** 2
    assert g["ch1_likelihood_torch"] == pytest.approx(float(exact), rel=1e-14)
    dist = torch.distributions.Bernoulli(probs=torch.tensor(P, dtype=torch.float64))
    log_prob = dist.log_prob(torch.tensor(Y, dtype=torch.float64))
    assert torch.exp(log_prob.sum()).item() == pytest.approx(float(exact), rel=1e-14)


def test_constant_half_model_likelihood(g):
    assert g["ch1_p_half"] == 0.5
    assert g["ch1_L_unsure"] == 0.5**4


def test_sharp_model_likelihood(g):
    assert g["ch1_L_sharp"] == pytest.approx(float(mp.mpf("0.95") ** 4), rel=1e-14)


def test_coin_maximiser_is_fraction_of_heads(g):
    n, k = int(g["ch1_n"]), int(g["ch1_k"])
    assert 0 < k < n
    assert g["ch1_theta_hat"] == pytest.approx(k / n, rel=1e-15)


def test_coin_maximiser_is_a_stationary_point_of_the_exact_likelihood(g):
    n, k = int(g["ch1_n"]), int(g["ch1_k"])
    slope = mp.diff(lambda t: mp_coin(t, k, n), mp.mpf(k) / n)
    assert abs(slope) < mp.mpf(10) ** -40


def test_coin_maximum_value(g):
    n, k = int(g["ch1_n"]), int(g["ch1_k"])
    assert g["ch1_L_max"] == pytest.approx(float(mp_coin(mp.mpf(k) / n, k, n)), rel=1e-12)


def test_area_under_coin_likelihood_is_the_beta_function(g):
    n, k = int(g["ch1_n"]), int(g["ch1_k"])
    assert g["ch1_area"] == pytest.approx(float(mp.beta(k + 1, n - k + 1)), rel=1e-12)
    assert g["ch1_area"] < 0.01


def test_gradient_of_likelihood_at_one_half(g):
    n, k = int(g["ch1_n"]), int(g["ch1_k"])
    slope = mp.diff(lambda t: mp_coin(t, k, n), mp.mpf("0.5"))
    assert g["ch1_grad_start"] == pytest.approx(float(slope), rel=1e-10)


def test_big_coin_likelihood_underflows_float64(g):
    n, k = int(g["ch1_n"]), int(g["ch1_k"])
    assert int(g["ch1_n_big"]) == 100 * n
    exact = mp_coin(mp.mpf(k) / n, 100 * k, 100 * n)
    assert g["ch1_L_big_log10"] == pytest.approx(float(mp.log10(exact)), rel=1e-12)
    assert g["ch1_L_big_log10"] < math.log10(5e-324)
    assert g["ch1_L_big"] == 0.0


def test_gradient_ascent_reaches_theta_hat_with_torch(g):
    n, k = int(g["ch1_n"]), int(g["ch1_k"])
    t = torch.tensor(0.5, dtype=torch.float64, requires_grad=True)
    opt = torch.optim.SGD([t], lr=g["ch1_lr"])
    for _ in range(200):
        opt.zero_grad()
        (-(t**k * (1 - t) ** (n - k))).backward()
        opt.step()
    assert t.item() == pytest.approx(g["ch1_theta_hat"], abs=1e-3)


def test_exercise_flipped_labels_likelihood(g):
    assert g["ch1_L_flip"] == pytest.approx(0.4 * 0.4 * 0.1 * 0.1, rel=1e-14)


def test_coin_figure_is_on_the_page_with_descriptive_alt_text(page_html):
    image = figure_image(page_html, "fig-ch1-coin")
    assert image["src"].endswith(".png")
    assert "likelihood" in image["alt"] and "maximum" in image["alt"]
    assert "/" not in image["alt"] and len(image["alt"].split()) >= 15


def test_coin_figure_marks_the_maximum_on_the_drawn_curve(g):
    n, k = int(g["ch1_n"]), int(g["ch1_k"])
    assert g["ch1_fig_mark_theta"] == pytest.approx(k / n, rel=1e-15)
    assert g["ch1_fig_mark_L"] == pytest.approx(float(mp_coin(mp.mpf(k) / n, k, n)), rel=1e-12)
    # the dot sits on top of the curve: no drawn point of the curve is higher
    assert g["ch1_fig_curve_max"] <= g["ch1_fig_mark_L"] * (1 + 1e-12)
    assert g["ch1_fig_n_points"] > 100
