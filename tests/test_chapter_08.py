"""Chapter 8 (mistakes): glued numbers against independent computations, figures, diagnose output.

Closed forms are evaluated in mpmath (50 digits); the chapter's literal inputs are
re-typed here and their losses recomputed from the formulas, not with the chapter's
code or lossutils.
"""

from __future__ import annotations

import html as html_lib
import re
from pathlib import Path

import mpmath as mp
import numpy as np
import pytest
import torch
import torch.nn.functional as F

from bookutils import figure_image

DOC = "chapters/08-mistakes"
SOURCE = Path(__file__).resolve().parent.parent / f"{DOC}.md"
mp.mp.dps = 50

LOGITS = [[4.0, -1.0, 0.5], [0.2, 3.0, -2.0], [-1.0, 0.0, 5.0], [2.5, 2.0, -1.0]]
TARGET = [0, 1, 2, 0]


def mp_softmax(row):
    exps = [mp.e ** mp.mpf(v) for v in row]
    total = mp.fsum(exps)
    return [e / total for e in exps]


def mp_ce(rows, targets):
    return mp.fsum(-mp.log(mp_softmax(r)[t]) for r, t in zip(rows, targets)) / len(rows)


def floor(C):
    return mp.log(1 + (C - 1) / mp.e)


def close(a, b, rel=1e-6):
    return abs(float(a) - float(b)) <= rel * max(1.0, abs(float(b)))


def test_every_glue_name_in_the_prose_was_glued(g):
    names = set(re.findall(r"\{glue:text\}`(ch8_\w+)", SOURCE.read_text(encoding="utf-8")))
    assert names, "the chapter inserts no glued numbers"
    assert names <= set(g), f"not glued: {sorted(names - set(g))}"


@pytest.mark.parametrize("C", [2, 3, 10, 1000])
def test_softmax_floor_matches_closed_form(g, C):
    assert close(g[f"ch8_floor_c{C}"], floor(C), 1e-12)


def test_floor_for_many_classes_is_within_one_nat_of_log_c(g):
    assert close(g["ch8_logc_1000"], mp.log(1000), 1e-12)
    assert g["ch8_logc_1000"] - 1 < g["ch8_floor_c1000"] < g["ch8_logc_1000"]


def test_cross_entropy_on_logits_matches_mpmath(g):
    assert close(g["ch8_ce_right"], mp_ce(LOGITS, TARGET), 1e-6)


def test_cross_entropy_after_softmax_matches_mpmath_and_exceeds_floor(g):
    probs = [[float(p) for p in mp_softmax(r)] for r in LOGITS]
    assert close(g["ch8_ce_twice"], mp_ce(probs, TARGET), 1e-6)
    assert g["ch8_ce_twice"] >= float(floor(3))


def test_gradient_norms_match_float64_autograd(g):
    z = torch.tensor(LOGITS, dtype=torch.float64, requires_grad=True)
    torch.nn.functional.cross_entropy(torch.softmax(z, 1), torch.tensor(TARGET)).backward()
    assert close(g["ch8_grad_twice"], z.grad.norm().item(), 1e-5)
    # right gradient from the closed form softmax - one-hot, over N, in mpmath
    rows = [mp_softmax(r) for r in LOGITS]
    sq = mp.fsum(
        ((p - (1 if k == t else 0)) / 4) ** 2 for r, t in zip(rows, TARGET) for k, p in enumerate(r)
    )
    assert close(g["ch8_grad_right"], mp.sqrt(sq), 1e-5)
    assert close(g["ch8_grad_ratio"], g["ch8_grad_right"] / g["ch8_grad_twice"], 1e-9)


def test_training_with_softmax_last_stays_above_floor_and_healthy_goes_below(g):
    assert close(g["ch8_blobs_floor"], floor(4), 1e-12)
    assert g["ch8_blobs_stuck"] >= g["ch8_blobs_floor"]
    assert g["ch8_blobs_healthy"] < g["ch8_blobs_floor"]
    assert g["ch8_blobs_steps"] > 0
    assert 0 <= g["ch8_blobs_acc_healthy"] <= 100 and 0 <= g["ch8_blobs_acc_stuck"] <= 100


def test_nll_of_probabilities_is_minus_mean_true_class_probability(g):
    expected = -mp.fsum(mp_softmax(r)[t] for r, t in zip(LOGITS, TARGET)) / 4
    assert close(g["ch8_nll_of_probs"], expected, 1e-6)
    assert -1 <= g["ch8_nll_of_probs"] <= 0


def test_nll_of_log_softmax_equals_cross_entropy(g):
    assert close(g["ch8_nll_right"], mp_ce(LOGITS, TARGET), 1e-6)


def test_log_of_softmax_breaks_where_exp_underflows_float32(g):
    assert close(g["ch8_150log2"], 150 * mp.log(2), 1e-12)
    # e^-gap rounds to 0 in float32 once it is below half the smallest subnormal, 2^-150
    assert abs(g["ch8_first_inf"] - float(150 * mp.log(2))) < 0.02


def test_loss_of_one_sample_with_right_dim_matches_mpmath(g):
    assert close(g["ch8_loss_right_dim"], mp_ce(LOGITS[:1], TARGET[:1]), 1e-6)


def test_channels_last_square_case_gives_a_different_loss(g):
    assert g["ch8_seg_wrong"] != g["ch8_seg_right"]


def test_bce_with_logits_floors_on_probabilities_match_closed_forms(g):
    assert close(g["ch8_bce_floor_y1"], mp.log(1 + mp.e**-1), 1e-12)
    assert close(g["ch8_bce_floor_y0"], mp.log(2), 1e-12)


def test_uniform_and_dead_network_losses_are_log_c(g):
    assert close(g["ch8_log10"], mp.log(10), 1e-12)
    assert close(g["ch8_log4"], mp.log(4), 1e-12)
    assert abs(g["ch8_dead_loss"] - float(mp.log(4))) < 1e-3


def page_text(page_html):
    """The rendered page as plain text, whitespace collapsed."""
    text = html_lib.unescape(re.sub(r"<[^>]+>", " ", page_html))
    return " ".join(text.split())


@pytest.mark.parametrize("name", ["fig-ch8-floor", "fig-ch8-stuck"])
def test_figure_was_drawn_with_descriptive_alt_text(book_build, page_html, name):
    # its image and alt text are checked with every figure's, in test_book.py
    assert figure_image(page_html, name)["src"].endswith(".png")


def test_floor_figure_draws_the_closed_form_floor_and_log_c(g):
    c_first, c_last = g["ch8_fig_floor_c_first"], g["ch8_fig_floor_c_last"]
    assert (c_first, c_last) == (2, 1000)
    assert close(g["ch8_fig_floor_y_first"], floor(2), 1e-12)
    assert close(g["ch8_fig_floor_y_last"], floor(1000), 1e-12)
    assert close(g["ch8_fig_logc_y_last"], mp.log(1000), 1e-12)


def test_floor_figure_has_log_x_lowercase_labels_and_no_title(g):
    assert g["ch8_fig_floor_xscale"] == "log"
    xlabel, ylabel, title = (part.strip() for part in g["ch8_fig_floor_labels"].split("|"))
    for label in (xlabel, ylabel):
        words = "".join(label.split("$")[::2])  # the text outside $...$ maths
        assert words and words == words.lower()
    assert title == ""


@pytest.mark.parametrize(
    "phrase",
    [
        "softmax was already applied",  # softmax before CrossEntropyLoss
        "nll_loss takes no log",  # probabilities into nll_loss
        "these are logits",  # logits into nll_loss
        "sit on a -inf entry",  # log(softmax(x))
        "log_softmax over dim 0",  # wrong dim
        "subtract 1",  # 1-based labels
        "ignore_index=-1",  # -1 padding
        "target.long()",  # float / int32 labels
        "np.moveaxis(input, -1, 1)",  # classes last
        "target.permute(0, 2, 1)",  # soft targets with the classes last
        "binary_cross_entropy_with_logits (BCEWithLogitsLoss)",  # logits into BCE
        "look like probabilities",  # probabilities into BCE-with-logits
        "does not depend on its input",  # dead network
        "the predicted distribution is uniform",  # trained dead network
    ],
)
def test_each_mistake_is_caught_by_diagnose_on_the_page(page_html, phrase):
    assert phrase in page_text(page_html)


# -- item 11: double softmax, the gradient at both places ------------------------------------


def double_softmax_norms(z_row, y):
    """Closed forms in mpmath: gradient at p, spectral norm of the first softmax's Jacobian,
    gradient at z, and the gradient of cross-entropy on the logits."""
    p = mp_softmax(z_row)
    q = mp_softmax(p)
    C = len(p)
    grad_p = [q[k] - (1 if k == y else 0) for k in range(C)]
    jac = mp.matrix([[(p[j] if j == k else 0) - p[j] * p[k] for k in range(C)] for j in range(C)])
    grad_z = jac * mp.matrix(grad_p)
    eigenvalues, _ = mp.eigsy(jac)
    direct = [p[k] - (1 if k == y else 0) for k in range(C)]
    norm = lambda v: mp.sqrt(mp.fsum(x**2 for x in v))  # noqa: E731
    return norm(grad_p), max(abs(e) for e in eigenvalues), norm(list(grad_z)), norm(direct)


@pytest.mark.parametrize("key, y", [("wrong", 1), ("right", 0)])
def test_double_softmax_gradients_match_closed_forms(g, key, y):
    grad_p, jac, grad_z, direct = double_softmax_norms([6.0, 0.0, 0.0], y)
    assert close(g[f"ch8_dbl_{key}_grad_p"], grad_p, 1e-10)
    assert close(g[f"ch8_dbl_{key}_jac"], jac, 1e-10)
    assert close(g[f"ch8_dbl_{key}_grad_z"], grad_z, 1e-10)
    assert close(g[f"ch8_dbl_{key}_direct"], direct, 1e-10)


def test_double_softmax_gradient_vanishes_at_the_first_softmax_not_the_second(g):
    # the gradient at the input of the second softmax is of order one ...
    assert g["ch8_dbl_wrong_grad_p"] > 0.5
    # ... the first softmax's Jacobian is nearly zero, and so is what reaches the logits,
    assert g["ch8_dbl_wrong_jac"] < 0.01
    bound = g["ch8_dbl_wrong_jac"] * g["ch8_dbl_wrong_grad_p"]
    assert g["ch8_dbl_wrong_grad_z"] <= bound * (1 + 1e-12)
    # ... where cross-entropy on the logits pushes the confident wrong sample hardest
    assert g["ch8_dbl_wrong_grad_z"] < 0.01 * g["ch8_dbl_wrong_direct"]


def test_double_softmax_gradient_equals_jacobian_times_gradient_at_p_in_torch():
    z = torch.tensor([[6.0, 0.0, 0.0]], dtype=torch.float64, requires_grad=True)
    p = torch.softmax(z, 1)
    p.retain_grad()
    F.cross_entropy(p, torch.tensor([1])).backward()
    pv = p.detach()[0]
    jac = torch.diag(pv) - torch.outer(pv, pv)
    torch.testing.assert_close(z.grad[0], jac @ p.grad[0], rtol=1e-12, atol=1e-15)


# -- a nan gradient spreads to every weight ----------------------------------------------------


def test_one_nan_sample_makes_every_parameter_nan(g):
    assert g["ch8_nan_weights"] == g["ch8_n_weights"] == 6  # Linear(2, 2): 4 weights, 2 biases
    torch.manual_seed(1)  # an independent layer and batch
    layer = torch.nn.Linear(3, 4)
    x = torch.randn(5, 3)
    shift = torch.zeros(5, 4)
    shift[2, 3] = 120.0
    loss = F.nll_loss(torch.log(torch.softmax(layer(x) + shift, 1)), torch.tensor([0, 1, 3, 2, 1]))
    assert torch.isfinite(loss)
    loss.backward()
    assert all(torch.isnan(p.grad).all() for p in layer.parameters())


# -- item "Long or Byte": which index dtypes PyTorch accepts -----------------------------------


def test_index_target_dtypes_accepted_on_cpu_are_long_and_byte(g):
    x = torch.tensor(LOGITS)
    t = torch.tensor(TARGET)
    accepted = []
    for dtype in [torch.int64, torch.uint8, torch.int32, torch.int16, torch.int8, torch.bool]:
        try:
            F.cross_entropy(x, t.to(dtype))
            F.nll_loss(torch.log_softmax(x, 1), t.to(dtype))
        except RuntimeError as error:
            assert "expected target dtype to be Long or Byte" in str(error)
        else:
            accepted.append(str(dtype))
    assert accepted == ["torch.int64", "torch.uint8"]
    assert g["ch8_index_dtypes_accepted"] == ", ".join(accepted)


def test_a_uint8_target_wraps_a_class_index_above_the_glued_maximum(g):
    # the prose: a uint8 target cannot hold a class index above the glued maximum
    largest = g["ch8_uint8_max"]
    assert torch.tensor([largest + 1]).to(torch.uint8).item() == 0
    assert torch.tensor([largest]).to(torch.uint8).item() == largest == 2**8 - 1


def test_float_labels_raise_long_or_byte_message():
    message = "expected target dtype to be Long or Byte, but got Float"
    with pytest.raises(RuntimeError, match=message):
        F.cross_entropy(torch.tensor(LOGITS), torch.tensor(TARGET).float())


# -- item 1: soft targets laid out (N, L, C) -----------------------------------------------------


def soft_sequence(L, C=3):
    """The chapter's deterministic batch in NumPy: logits 2 sin(k), targets softmax(cos(k))."""
    k = np.arange(2 * L * C, dtype=np.float64).reshape(2, L, C)
    logits = 2 * np.sin(k)
    e = np.exp(np.cos(k))
    return logits, e / e.sum(axis=-1, keepdims=True)


def soft_ce(logits, q, axis):
    """Mean soft cross-entropy with the softmax over ``axis``, in mpmath, averaged over the rest."""
    x, t = (
        np.moveaxis(logits, axis, -1).reshape(-1, logits.shape[axis]),
        np.moveaxis(q, axis, -1).reshape(-1, q.shape[axis]),
    )
    total = mp.fsum(
        -mp.fsum(qc * mp.log(pc) for qc, pc in zip(tr, mp_softmax(xr))) for xr, tr in zip(x, t)
    )
    return total / len(x)


def test_soft_targets_classes_last_are_scored_over_the_time_axis(g):
    logits, q = soft_sequence(5)
    over_time, right = soft_ce(logits, q, axis=1), soft_ce(logits, q, axis=2)
    assert close(g["ch8_seq_silent"], over_time, 1e-12)
    assert close(g["ch8_seq_over_time"], over_time, 1e-12)
    assert close(g["ch8_seq_right"], right, 1e-12)
    assert abs(g["ch8_seq_silent"] - g["ch8_seq_right"]) > 0.5


@pytest.mark.parametrize("L", [1, 2, 3, 4, 7, 50])
def test_torch_reads_same_shape_soft_targets_as_probabilities_for_any_steps(L):
    logits, q = soft_sequence(L)
    loss = F.cross_entropy(torch.tensor(logits), torch.tensor(q))  # no error, whatever L
    assert close(loss.item(), soft_ce(logits, q, axis=1), 1e-12)
    if L > 1:
        assert not close(loss.item(), soft_ce(logits, q, axis=2), 1e-3)


def test_one_time_step_gives_a_loss_of_exactly_zero(g):
    assert g["ch8_seq_one_step"] == 0.0


# -- exercises ---------------------------------------------------------------------------------


def test_exercise_floor_distance_to_log_c_minus_one(g):
    assert close(g["ch8_ex_floor_above"], mp.log(1 + (mp.e - 1) / 1000), 1e-10)
    assert close(g["ch8_ex_floor_closed"], mp.log(1 + (mp.e - 1) / 1000), 1e-12)


def test_exercise_nll_of_scaled_probabilities_and_logits(g):
    probs = [mp_softmax([100 * v for v in r]) for r in LOGITS]
    assert close(g["ch8_ex_nll_probs_100"], -mp.fsum(p[t] for p, t in zip(probs, TARGET)) / 4, 1e-6)
    expected = -100 * mp.fsum(r[t] for r, t in zip(LOGITS, TARGET)) / 4
    assert close(g["ch8_ex_nll_logits_100"], expected, 1e-6)


def test_exercise_float64_cliff_is_at_1075_log_2(g):
    assert close(g["ch8_ex_1075log2"], 1075 * mp.log(2), 1e-12)
    assert abs(g["ch8_ex_first_inf64"] - float(1075 * mp.log(2))) < 0.02


# -- the explorable figure: the floor the page ships, against PyTorch and mpmath ---------------


@pytest.fixture(scope="module")
def floor_shipped(book_build):
    from explorableutils import shipped

    return shipped(book_build, DOC, "ch8-floor")


def test_floor_explorable_steps_c_from_2_to_1000(floor_shipped):
    (slider,) = floor_shipped.sliders
    cs = [int(v) for v in slider["labels"]]
    assert cs[0] == 2 and cs[-1] == 1000 and cs == sorted(set(cs))
    assert {2, 3, 10, 1000} <= set(cs)
    assert slider["labels"][slider["value"]] == "10"


@pytest.mark.parametrize("C", [2, 3, 10, 98, 1000])
def test_floor_explorable_ships_the_floor_and_log_c(floor_shipped, C):
    frames, i = floor_shipped.frames, floor_shipped.frame(str(C))
    one_hot = torch.zeros(1, C, dtype=torch.float64)
    one_hot[0, 0] = 1.0
    torch_floor = F.cross_entropy(one_hot, torch.tensor([0])).item()
    (shipped_floor,), (shipped_uniform,) = frames["at_floor_y"][i], frames["at_uniform_y"][i]
    assert frames["at_floor_x"][i] == [C] and frames["at_uniform_x"][i] == [C]
    assert shipped_floor == pytest.approx(float(floor(C)), rel=1e-14)
    assert shipped_floor == pytest.approx(torch_floor, rel=1e-14)
    assert shipped_uniform == pytest.approx(float(mp.log(C)), rel=1e-14)
    assert frames["gap_y"][i] == [shipped_floor, shipped_uniform]
    readout = frames["readout"][i]
    assert f"C = {C}" in readout
    assert f"{float(floor(C)):.4f}" in readout and f"{float(mp.log(C)):.4f}" in readout
    assert f"{float(mp.log(C) - floor(C)):.4f}" in readout


def test_floor_explorable_curves_are_the_static_figures(g, floor_shipped):
    # the static twin (fig-ch8-floor) draws the same grid of C and the same floor
    x, y = floor_shipped.fixed["floor"]
    assert (x[0], x[-1]) == (g["ch8_fig_floor_c_first"], g["ch8_fig_floor_c_last"])
    assert (y[0], y[-1]) == pytest.approx(
        (g["ch8_fig_floor_y_first"], g["ch8_fig_floor_y_last"]), rel=1e-14
    )
    x_u, y_u = floor_shipped.fixed["uniform"]
    assert x_u == x and y_u[-1] == pytest.approx(g["ch8_fig_logc_y_last"], rel=1e-14)
    assert all(float(floor(int(c))) == pytest.approx(v, rel=1e-14) for c, v in zip(x, y))
