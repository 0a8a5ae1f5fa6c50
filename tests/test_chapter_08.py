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
import pytest
import torch
from bookutils import glued_values

DOC = "chapters/08-mistakes"
SOURCE = Path(__file__).resolve().parent.parent / f"{DOC}.md"
mp.mp.dps = 50

LOGITS = [[4.0, -1.0, 0.5], [0.2, 3.0, -2.0], [-1.0, 0.0, 5.0], [2.5, 2.0, -1.0]]
TARGET = [0, 1, 2, 0]


@pytest.fixture(scope="module")
def g(book_build):
    return glued_values(book_build, DOC)


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
    sq = mp.fsum(((p - (1 if k == t else 0)) / 4) ** 2 for r, t in zip(rows, TARGET) for k, p in enumerate(r))
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
    assert close(g["ch8_bce_floor_y1"], mp.log(1 + mp.e ** -1), 1e-12)
    assert close(g["ch8_bce_floor_y0"], mp.log(2), 1e-12)


def test_uniform_and_dead_network_losses_are_log_c(g):
    assert close(g["ch8_log10"], mp.log(10), 1e-12)
    assert close(g["ch8_log4"], mp.log(4), 1e-12)
    assert abs(g["ch8_dead_loss"] - float(mp.log(4))) < 1e-3


def page_html(build):
    return (Path(build) / "html" / f"{DOC}.html").read_text(encoding="utf-8")


def page_text(build):
    """The rendered page as plain text, whitespace collapsed."""
    text = html_lib.unescape(re.sub(r"<[^>]+>", " ", page_html(build)))
    return " ".join(text.split())


@pytest.mark.parametrize("name", ["fig-ch8-floor", "fig-ch8-stuck"])
def test_figure_was_drawn_and_is_on_the_page(book_build, name):
    html = page_html(book_build)
    match = re.search(rf'<figure[^>]*id="{name}"[^>]*>(?:(?!</figure>).)*?<img[^>]*src="([^"]+\.png)"', html, flags=re.S)
    assert match, f"no image inside figure {name}"
    image = (Path(book_build) / "html" / "chapters" / match.group(1)).resolve()
    assert image.is_file() and image.stat().st_size > 5000


@pytest.mark.parametrize("phrase", [
    "softmax was already applied",  # softmax before CrossEntropyLoss
    "nll_loss takes no log",  # probabilities into nll_loss
    "these are logits",  # logits into nll_loss
    "sit on a -inf entry",  # log(softmax(x))
    "log_softmax over dim 0",  # wrong dim
    "subtract 1",  # 1-based labels
    "ignore_index=-1",  # -1 padding
    "target.long()",  # float / int32 labels
    "np.moveaxis(input, -1, 1)",  # classes last
    "binary_cross_entropy_with_logits (BCEWithLogitsLoss)",  # logits into BCE
    "look like probabilities",  # probabilities into BCE-with-logits
    "does not depend on its input",  # dead network
    "the predicted distribution is uniform",  # trained dead network
])
def test_each_mistake_is_caught_by_diagnose_on_the_page(book_build, phrase):
    assert phrase in page_text(book_build)
