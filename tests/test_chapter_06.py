"""Chapter 6: the glued numbers against independent computations.

The chapter's inputs are regenerated from the same seed and the same sequence of
draws; every loss is then recomputed from its closed form in mpmath (50 digits),
not with the chapter's code, PyTorch's loss functions or lossutils.
"""

from __future__ import annotations

import math

from pathlib import Path

import mpmath as mp
import pytest
import torch
from bookutils import glued_values

DOC = "chapters/06-crossentropy-nllloss"
mp.mp.dps = 50


@pytest.fixture(scope="module")
def g(book_build):
    return glued_values(book_build, DOC)


@pytest.fixture(scope="module")
def draws():
    """The chapter's random inputs, drawn in the chapter's order."""
    torch.manual_seed(0)
    logits = torch.randn(6, 4, dtype=torch.float64)
    logits10 = torch.randn(8, 10, dtype=torch.float64)
    two_logits = torch.randn(7, 2, dtype=torch.float64)
    return {
        "logits": logits.tolist(), "target": [0, 3, 1, 1, 2, 0],
        "logits10": logits10.tolist(), "target10": [3, 9, 0, 7, 7, 1, 5, 2],
        "two_logits": two_logits.tolist(), "y2": [0, 1, 1, 0, 1, 0, 0],
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
    assert g["ch6_ce_learned"] == pytest.approx(float(mp_cross_entropy(learned, draws["target"])), rel=1e-12)
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


def test_bce_on_saturated_probabilities_reports_the_clamp(g):
    assert g["ch6_bce_clamped"] == 100.0


def test_bce_with_logits_reports_softplus_of_the_wrong_logit(g):
    # loss of logit z for y=0 is softplus(z); for y=1 it is softplus(-z)
    assert g["ch6_big_pos"] == 40.0 and g["ch6_big_neg"] == -200.0
    assert g["ch6_bce_logits_pos"] == pytest.approx(float(mp.log1p(mp.exp(40))), rel=1e-6)
    assert g["ch6_bce_logits_neg"] == pytest.approx(float(mp.log1p(mp.exp(200))), rel=1e-6)


def test_gradient_on_logits_is_sigmoid_minus_target(g):
    assert g["ch6_grad_logits"] == pytest.approx(float(1 / (1 + mp.exp(-40)) - 0), rel=1e-7)


def test_two_logit_cross_entropy_equals_one_logit_bce_of_the_difference(g, draws):
    losses = []
    for (a, b), y in zip(draws["two_logits"], draws["y2"]):
        d = mp.mpf(b) - mp.mpf(a)
        losses.append(mp.log1p(mp.exp(-d)) if y == 1 else mp.log1p(mp.exp(d)))
    assert g["ch6_two_mean"] == pytest.approx(float(mp.fsum(losses) / 7), rel=1e-12)


def test_bce_saturation_figure_was_drawn_with_its_caption(book_build):
    html = (Path(book_build) / "html" / f"{DOC}.html").read_text(encoding="utf-8")
    start = html.index('id="fig-ch6-bce-saturation"')
    figure = html[html.rindex("<figure", 0, start): html.index("</figure>", start)]
    assert "<img" in figure and "Loss of a sample of class 0" in figure
