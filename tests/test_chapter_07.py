"""Chapter 7: the glued numbers against independent computations.

The chapter's inputs are regenerated from the same seed and the same sequence of
draws; each option's loss is then recomputed from its formula in mpmath
(50 digits), not with the chapter's code, PyTorch's losses or lossutils.
"""

from __future__ import annotations


import mpmath as mp
import pytest
import torch
from bookutils import glued_values

DOC = "chapters/07-options"
mp.mp.dps = 50
C = 4
TARGET = [0, 3, 1, 1, 2, 0]
WEIGHT = [1.0, 2.0, 0.5, 3.0]
SEQ_TARGET = [1, 0, 3, 3, 2, 2, 1, 0, -100, -100]
EPS = 0.1


@pytest.fixture(scope="module")
def g(book_build):
    return glued_values(book_build, DOC)


@pytest.fixture(scope="module")
def draws():
    """The chapter's random inputs, drawn in the chapter's order."""
    torch.manual_seed(0)
    d = {}
    d["logits"] = torch.randn(6, C, dtype=torch.float64).tolist()
    d["seq_logits"] = torch.randn(10, C, dtype=torch.float64).tolist()
    torch.randn(4, C, dtype=torch.float64)                       # the all-padding batch
    d["soft"] = torch.randn(6, C, dtype=torch.float64).tolist()   # softmax is taken below
    d["seg_logits"] = torch.randn(2, C, 3, 5, dtype=torch.float64).tolist()
    d["seg_target"] = torch.randint(0, C, (2, 3, 5)).tolist()
    torch.randn(2, 7, C, dtype=torch.float64)                    # class-last example (raises)
    torch.randint(0, C, (2, 7))
    d["square"] = torch.randn(2, C, C, dtype=torch.float64).tolist()
    d["square_t"] = torch.randint(0, C, (2, C)).tolist()
    d["ml_logits"] = torch.randn(8, 3, dtype=torch.float64).tolist()
    d["ml_target"] = (torch.rand(8, 3) < torch.tensor([0.5, 0.25, 0.125])).double().tolist()
    return d


def log_softmax(row):
    row = [mp.mpf(v) for v in row]
    lse = mp.log(mp.fsum(mp.exp(v) for v in row))
    return [v - lse for v in row]


def per_sample_nll(rows, target):
    return [-log_softmax(r)[t] for r, t in zip(rows, target)]


def test_sum_and_mean_reductions(g, draws):
    losses = per_sample_nll(draws["logits"], TARGET)
    assert g["ch7_sum"] == pytest.approx(float(mp.fsum(losses)), rel=1e-12)
    assert g["ch7_mean"] == pytest.approx(float(mp.fsum(losses) / 6), rel=1e-12)


def test_weighted_mean_divides_by_total_weight_of_true_classes(g, draws):
    losses = per_sample_nll(draws["logits"], TARGET)
    w = [WEIGHT[t] for t in TARGET]
    assert g["ch7_total_weight"] == sum(w)
    expected = mp.fsum(wi * li for wi, li in zip(w, losses)) / sum(w)
    assert g["ch7_weighted_mean"] == pytest.approx(float(expected), rel=1e-12)


def test_mean_of_weighted_none_output_divides_by_batch_size(g, draws):
    losses = per_sample_nll(draws["logits"], TARGET)
    expected = mp.fsum(WEIGHT[t] * li for t, li in zip(TARGET, losses)) / 6
    assert g["ch7_shortcut"] == pytest.approx(float(expected), rel=1e-12)
    assert g["ch7_shortcut"] != pytest.approx(g["ch7_weighted_mean"], rel=1e-3)


def test_ignored_targets_leave_numerator_and_denominator(g, draws):
    kept = [(r, t) for r, t in zip(draws["seq_logits"], SEQ_TARGET) if t != -100]
    assert g["ch7_real_tokens"] == len(kept) == 8
    expected = mp.fsum(per_sample_nll([r for r, _ in kept], [t for _, t in kept])) / len(kept)
    assert g["ch7_padded_mean"] == pytest.approx(float(expected), rel=1e-12)


def test_mean_over_only_ignored_targets_is_nan_in_pytorch():
    loss = torch.nn.functional.cross_entropy(torch.zeros(3, C), torch.full((3,), -100))
    assert torch.isnan(loss)


def test_label_smoothing_formula(g, draws):
    assert g["ch7_eps"] == EPS
    total = 0
    for r, t in zip(draws["logits"], TARGET):
        lp = log_softmax(r)
        total += -mp.fsum(((1 - EPS) * (c == t) + EPS / C) * lp[c] for c in range(C))
    assert g["ch7_smooth_mean"] == pytest.approx(float(total / 6), rel=1e-12)


def test_label_smoothing_with_weight_weights_every_class_and_divides_by_true_class_weights(g, draws):
    num = 0
    for r, t in zip(draws["logits"], TARGET):
        lp = log_softmax(r)
        num += (1 - EPS) * WEIGHT[t] * -lp[t] + EPS / C * mp.fsum(WEIGHT[c] * -lp[c] for c in range(C))
    expected = num / sum(WEIGHT[t] for t in TARGET)
    assert g["ch7_ls_w_mean"] == pytest.approx(float(expected), rel=1e-12)


def test_label_smoothing_with_weight_in_pytorch_is_not_per_sample_weight_times_smoothed_loss(g, draws):
    num = 0
    for r, t in zip(draws["logits"], TARGET):
        lp = log_softmax(r)
        num += -WEIGHT[t] * mp.fsum(((1 - EPS) * (c == t) + EPS / C) * lp[c] for c in range(C))
    wrong = num / sum(WEIGHT[t] for t in TARGET)
    assert g["ch7_ls_w_mean"] != pytest.approx(float(wrong), rel=1e-6)


def test_one_hot_probability_target_with_weight_divides_by_batch_size(g, draws):
    losses = per_sample_nll(draws["logits"], TARGET)
    weighted_sum = mp.fsum(WEIGHT[t] * li for t, li in zip(TARGET, losses))
    assert g["ch7_index_mean"] == pytest.approx(float(weighted_sum / sum(WEIGHT[t] for t in TARGET)), rel=1e-12)
    assert g["ch7_one_hot_mean"] == pytest.approx(float(weighted_sum / 6), rel=1e-12)


def test_segmentation_loss_averages_over_every_pixel(g, draws):
    x, t = draws["seg_logits"], draws["seg_target"]
    losses = []
    for n in range(2):
        for h in range(3):
            for w in range(5):
                losses.append(-log_softmax([x[n][c][h][w] for c in range(C)])[t[n][h][w]])
    assert g["ch7_seg_loss"] == pytest.approx(float(mp.fsum(losses) / len(losses)), rel=1e-12)


def test_class_last_input_with_equal_sizes_takes_softmax_over_time(g, draws):
    x, t = draws["square"], draws["square_t"]        # x[n][time][class], t[n][time]
    right = [-log_softmax(x[n][s])[t[n][s]] for n in range(2) for s in range(C)]
    # what PyTorch reads: dim 1 (time) as classes, dim 2 (classes) as the position
    wrong = [-log_softmax([x[n][k][s] for k in range(C)])[t[n][s]] for n in range(2) for s in range(C)]
    assert g["ch7_right"] == pytest.approx(float(mp.fsum(right) / 8), rel=1e-12)
    assert g["ch7_silent_wrong"] == pytest.approx(float(mp.fsum(wrong) / 8), rel=1e-12)


def test_pos_weight_scales_the_positive_term_per_class(g, draws):
    z, y = draws["ml_logits"], draws["ml_target"]
    n_pos = [sum(row[c] for row in y) for c in range(3)]
    pw = [(8 - n) / max(n, 1) for n in n_pos]
    terms = []
    for zr, yr in zip(z, y):
        for c in range(3):
            zc = mp.mpf(zr[c])
            log_sig, log_sig_neg = -mp.log1p(mp.exp(-zc)), -mp.log1p(mp.exp(zc))
            terms.append(-(pw[c] * yr[c] * log_sig + (1 - yr[c]) * log_sig_neg))
    assert g["ch7_pw_mean"] == pytest.approx(float(mp.fsum(terms) / len(terms)), rel=1e-12)


def test_label_smoothing_raises_some_losses_and_lowers_others(g, draws):
    up = 0
    for r, t in zip(draws["logits"], TARGET):
        lp = log_softmax(r)
        smoothed = -mp.fsum(((1 - EPS) * (c == t) + EPS / C) * lp[c] for c in range(C))
        up += smoothed > -lp[t]
    assert (g["ch7_smooth_up"], g["ch7_smooth_down"]) == (up, 6 - up)
    assert 0 < up < 6
