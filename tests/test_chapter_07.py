"""Chapter 7: the glued numbers against independent computations.

The chapter's inputs are regenerated from the same seed and the same sequence of
draws; each option's loss is then recomputed from its formula in mpmath
(50 digits), not with the chapter's code, PyTorch's losses or lossutils.
"""

from __future__ import annotations

import mpmath as mp
import pytest
import torch
import torch.nn.functional as F

DOC = "chapters/07-options"
mp.mp.dps = 50
C = 4
TARGET = [0, 3, 1, 1, 2, 0]
WEIGHT = [1.0, 2.0, 0.5, 3.0]
SEQ_TARGET = [1, 0, 3, 3, 2, 2, 1, 0, -100, -100]
EPS = 0.1


@pytest.fixture(scope="module")
def draws():
    """The chapter's random inputs, drawn in the chapter's order."""
    torch.manual_seed(0)
    d = {}
    d["logits"] = torch.randn(6, C, dtype=torch.float64).tolist()
    d["seq_logits"] = torch.randn(10, C, dtype=torch.float64).tolist()
    torch.randn(4, C, dtype=torch.float64)  # the all-padding batch
    d["soft"] = torch.randn(6, C, dtype=torch.float64).tolist()  # softmax is taken below
    d["seg_logits"] = torch.randn(2, C, 3, 5, dtype=torch.float64).tolist()
    d["seg_target"] = torch.randint(0, C, (2, 3, 5)).tolist()
    torch.randn(2, 7, C, dtype=torch.float64)  # class-last example (raises)
    torch.randint(0, C, (2, 7))
    d["square"] = torch.randn(2, C, C, dtype=torch.float64).tolist()
    d["square_t"] = torch.randint(0, C, (2, C)).tolist()
    d["soft_seq"] = torch.randn(2, 7, C, dtype=torch.float64).tolist()
    d["soft_seq_q"] = torch.randn(2, 7, C, dtype=torch.float64).tolist()  # softmax taken below
    d["ml_logits"] = torch.randn(8, 3, dtype=torch.float64).tolist()
    d["ml_target"] = (torch.rand(8, 3) < torch.tensor([0.5, 0.25, 0.125])).double().tolist()
    torch.randn(2, 3, 4, 5, dtype=torch.float64)  # pos_weight shape examples
    torch.rand(2, 3, 4, 5)
    torch.randn(2, 3, 4, 3, dtype=torch.float64)
    torch.rand(2, 3, 4, 3)
    d["zb"] = torch.randn(10, dtype=torch.float64).tolist()  # exercise: pos_weight = k
    return d


def log_softmax(row):
    row = [mp.mpf(v) for v in row]
    lse = mp.log(mp.fsum(mp.exp(v) for v in row))
    return [v - lse for v in row]


def mp_softmax(row):
    return [mp.exp(v) for v in log_softmax(row)]


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


def test_smoothing_with_weight_weights_every_class_and_divides_by_true_class_weights(g, draws):
    num = 0
    for r, t in zip(draws["logits"], TARGET):
        lp = log_softmax(r)
        smooth = mp.fsum(WEIGHT[c] * -lp[c] for c in range(C))
        num += (1 - EPS) * WEIGHT[t] * -lp[t] + EPS / C * smooth
    expected = num / sum(WEIGHT[t] for t in TARGET)
    assert g["ch7_ls_w_mean"] == pytest.approx(float(expected), rel=1e-12)


def test_smoothing_with_weight_is_not_per_sample_weight_times_smoothed_loss(g, draws):
    num = 0
    for r, t in zip(draws["logits"], TARGET):
        lp = log_softmax(r)
        num += -WEIGHT[t] * mp.fsum(((1 - EPS) * (c == t) + EPS / C) * lp[c] for c in range(C))
    wrong = num / sum(WEIGHT[t] for t in TARGET)
    assert g["ch7_ls_w_mean"] != pytest.approx(float(wrong), rel=1e-6)


def test_one_hot_probability_target_with_weight_divides_by_batch_size(g, draws):
    losses = per_sample_nll(draws["logits"], TARGET)
    weighted_sum = mp.fsum(WEIGHT[t] * li for t, li in zip(TARGET, losses))
    total_weight = sum(WEIGHT[t] for t in TARGET)
    assert g["ch7_index_mean"] == pytest.approx(float(weighted_sum / total_weight), rel=1e-12)
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
    x, t = draws["square"], draws["square_t"]  # x[n][time][class], t[n][time]
    right = [-log_softmax(x[n][s])[t[n][s]] for n in range(2) for s in range(C)]
    # what PyTorch reads: dim 1 (time) as classes, dim 2 (classes) as the position
    wrong = [
        -log_softmax([x[n][k][s] for k in range(C)])[t[n][s]] for n in range(2) for s in range(C)
    ]
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


# --- which targets are probabilities: the shape decides -------------------------------------


def test_float_target_of_shape_n_is_refused_with_a_dtype_error():
    with pytest.raises(RuntimeError, match="Long or Byte"):
        F.cross_entropy(torch.zeros(3, C, dtype=torch.float64), torch.tensor([0.0, 1.0, 2.0]))


def test_integer_target_of_input_shape_is_refused():
    with pytest.raises(RuntimeError, match="floating point type for target with class prob"):
        F.cross_entropy(torch.zeros(3, C), torch.zeros(3, C, dtype=torch.long))


def test_float_target_of_input_shape_is_read_as_probabilities():
    x = torch.tensor([[0.0, 1.0, 2.0, 3.0]], dtype=torch.float64)
    q = torch.tensor([[0.1, 0.2, 0.3, 0.4]], dtype=torch.float64)
    expected = -mp.fsum(qc * lp for qc, lp in zip(q[0].tolist(), log_softmax(x[0].tolist())))
    assert F.cross_entropy(x, q).item() == pytest.approx(float(expected), rel=1e-12)


def test_soft_targets_laid_out_batch_time_classes_are_scored_over_time(g, draws):
    x = draws["soft_seq"]  # x[n][time][class], 7 steps, 4 classes
    q = [[[float(v) for v in mp_softmax(row)] for row in seq] for seq in draws["soft_seq_q"]]
    right = [
        -mp.fsum(qc * lp for qc, lp in zip(q[n][s], log_softmax(x[n][s])))
        for n in range(2)
        for s in range(7)
    ]
    # what PyTorch reads: dim 1 (time) as the classes, dim 2 as the position
    wrong = []
    for n in range(2):
        for k in range(C):
            lp = log_softmax([x[n][s][k] for s in range(7)])
            wrong.append(-mp.fsum(q[n][s][k] * lp[s] for s in range(7)))
    assert g["ch7_soft_time_right"] == pytest.approx(float(mp.fsum(right) / 14), rel=1e-12)
    assert g["ch7_soft_time_wrong"] == pytest.approx(float(mp.fsum(wrong) / 8), rel=1e-12)
    assert abs(g["ch7_soft_time_wrong"] - g["ch7_soft_time_right"]) > 1e-2


# --- soft targets and ignore_index ------------------------------------------------------------


def test_soft_target_with_negative_ignore_index_is_the_plain_soft_loss(g, draws):
    q = [mp_softmax(row) for row in draws["soft"]]
    losses = [
        -mp.fsum(qc * lp for qc, lp in zip(qr, log_softmax(r))) for qr, r in zip(q, draws["logits"])
    ]
    assert g["ch7_soft_ignore_minus_one"] == pytest.approx(float(mp.fsum(losses) / 6), rel=1e-12)


@pytest.mark.parametrize("ignore_index", [-1, -5])
def test_pytorch_accepts_negative_ignore_index_with_soft_targets(ignore_index):
    x = torch.randn(3, C, dtype=torch.float64)
    q = torch.softmax(torch.randn(3, C, dtype=torch.float64), dim=1)
    assert F.cross_entropy(x, q, ignore_index=ignore_index).item() == F.cross_entropy(x, q).item()


@pytest.mark.parametrize("ignore_index", [0, 3])
def test_pytorch_refuses_non_negative_ignore_index_with_soft_targets(ignore_index):
    q = torch.full((3, C), 1 / C, dtype=torch.float64)
    with pytest.raises(RuntimeError, match="ignore_index is not supported"):
        F.cross_entropy(torch.zeros(3, C, dtype=torch.float64), q, ignore_index=ignore_index)


def test_label_smoothing_of_a_soft_target_mixes_it_with_uniform():
    x = torch.tensor([[0.5, -1.0, 2.0, 0.0]], dtype=torch.float64)
    q = [0.7, 0.1, 0.2, 0.0]
    smoothed = [(1 - EPS) * qc + EPS / C for qc in q]
    expected = -mp.fsum(qc * lp for qc, lp in zip(smoothed, log_softmax(x[0].tolist())))
    value = F.cross_entropy(x, torch.tensor([q], dtype=torch.float64), label_smoothing=EPS)
    assert value.item() == pytest.approx(float(expected), rel=1e-12)


def test_segmentation_ignore_index_and_weight_act_per_pixel():
    x = torch.randn(1, C, 2, 3, dtype=torch.float64)
    t = torch.tensor([[[0, -100, 2], [3, 1, -100]]])
    w = torch.tensor(WEIGHT, dtype=torch.float64)
    num = den = 0
    for h in range(2):
        for v in range(3):
            if t[0, h, v] != -100:
                c = int(t[0, h, v])
                num += WEIGHT[c] * -log_softmax(x[0, :, h, v].tolist())[c]
                den += WEIGHT[c]
    assert F.cross_entropy(x, t, weight=w).item() == pytest.approx(float(num / den), rel=1e-12)


# --- class weights act within a batch ---------------------------------------------------------


def test_batches_of_one_average_to_the_unweighted_mean(g, draws):
    losses = per_sample_nll(draws["logits"], TARGET)
    assert g["ch7_mean_of_batches_of_one"] == pytest.approx(float(mp.fsum(losses) / 6), rel=1e-12)
    assert g["ch7_mean_of_batches_of_one"] != pytest.approx(g["ch7_weighted_mean"], rel=1e-3)


def test_weight_has_no_effect_on_a_batch_of_one_class():
    x = torch.randn(5, C, dtype=torch.float64)
    t = torch.full((5,), 2)
    w = torch.tensor(WEIGHT, dtype=torch.float64)
    assert F.cross_entropy(x, t, weight=w).item() == pytest.approx(
        F.cross_entropy(x, t).item(), rel=1e-14
    )


# --- what the options do to the minimiser -------------------------------------------------------

Q3 = [0.6, 0.3, 0.1]


def test_fitted_probabilities_under_class_weights_are_w_times_q_normalised(g):
    w = [1.0, 2.0, 4.0]
    total = sum(wc * qc for wc, qc in zip(w, Q3))
    for k in range(3):
        assert g[f"ch7_fit_weight_p{k}"] == pytest.approx(w[k] * Q3[k] / total, abs=1e-9)
    assert g["ch7_fit_balanced_min"] == pytest.approx(1 / 3, abs=1e-9)
    assert g["ch7_fit_balanced_max"] == pytest.approx(1 / 3, abs=1e-9)


@pytest.mark.parametrize(
    "key, q, w_plus",
    [("ch7_fit_pw_q50", 0.5, 1.0), ("ch7_fit_pw_q1", 0.01, 99.0), ("ch7_fit_pw3_q10", 0.1, 3.0)],
)
def test_fitted_probability_under_pos_weight_is_the_closed_form(g, key, q, w_plus):
    assert g[key] == pytest.approx(w_plus * q / (w_plus * q + 1 - q), abs=1e-9)


def test_neg_over_pos_recipe_fits_one_half(g):
    assert g["ch7_fit_pw_q1"] == pytest.approx(0.5, abs=1e-9)


def test_fitted_probabilities_under_label_smoothing_are_mixed_with_uniform(g):
    for k in range(3):
        assert g[f"ch7_fit_smooth_p{k}"] == pytest.approx((1 - EPS) * Q3[k] + EPS / 3, abs=1e-9)


def test_inverse_maps_recover_the_frequencies(g):
    assert 0 <= g["ch7_inverse_error"] < 1e-8


# --- exercises ----------------------------------------------------------------------------------


def test_mean_recovered_from_none_output_is_the_weighted_mean_over_real_tokens(g, draws):
    kept = [(r, t) for r, t in zip(draws["seq_logits"], SEQ_TARGET) if t != -100]
    losses = per_sample_nll([r for r, _ in kept], [t for _, t in kept])
    w = [WEIGHT[t] for _, t in kept]
    expected = mp.fsum(wi * li for wi, li in zip(w, losses)) / sum(w)
    assert g["ch7_ex_from_none"] == pytest.approx(float(expected), rel=1e-12)


def test_pos_weight_k_has_the_sum_but_not_the_mean_of_repeated_positives(g, draws):
    k, z = 3, [mp.mpf(v) for v in draws["zb"]]
    y = [1] * 3 + [0] * 7  # three positives
    softplus = lambda x: mp.log1p(mp.exp(x))  # noqa: E731
    total = mp.fsum(k * softplus(-zi) if yi else softplus(zi) for zi, yi in zip(z, y))
    assert g["ch7_ex_dup_n_rep"] == 10 + (k - 1) * 3
    assert g["ch7_ex_dup_mean_pw"] == pytest.approx(float(total / 10), rel=1e-12)
    assert g["ch7_ex_dup_mean_rep"] == pytest.approx(float(total / 16), rel=1e-12)


def test_smoothed_loss_minimum_is_the_entropy_of_the_smoothed_target(g):
    eps, c = mp.mpf("0.1"), 4
    q = [1 - eps + eps / c] + [eps / c] * (c - 1)
    assert g["ch7_ex_smooth_min"] == pytest.approx(
        float(-mp.fsum(v * mp.log(v) for v in q)), rel=1e-12
    )
    assert g["ch7_ex_smooth_p_true"] == pytest.approx(float(q[0]), rel=1e-15)


def test_candidate_formulas_sit_in_a_collapsed_aside(page_html):
    aside = page_html.index("Going deeper: how the combined formula was found")
    assert "dropdown" in page_html[page_html.rfind("<div", 0, aside) : aside]
