"""Chapter 3: the glued numbers against closed forms, scikit-learn and PyTorch."""

from __future__ import annotations

import math
import warnings

import mpmath as mp
import numpy as np
import pytest
import sklearn.metrics
import torch
import torch.nn.functional as F

from bookutils import figure_image

DOC = "chapters/03-log-loss"
mp.mp.dps = 50

P = [0.4, 0.6, 0.9, 0.1]
Y = [0, 1, 1, 0]


def test_example_log_loss_closed_form(g):
    exact = -(2 * mp.log(mp.mpf("0.6")) + 2 * mp.log(mp.mpf("0.9"))) / 4
    assert g["ch3_example_logloss"] == pytest.approx(float(exact), rel=1e-14)


def test_example_log_loss_is_sklearn_and_torch(g):
    assert g["ch3_example_logloss"] == pytest.approx(sklearn.metrics.log_loss(Y, P), rel=1e-14)
    bce = F.binary_cross_entropy(
        torch.tensor(P, dtype=torch.float64), torch.tensor(Y, dtype=torch.float64)
    )
    assert g["ch3_example_logloss"] == pytest.approx(bce.item(), rel=1e-14)


def test_example_log_loss_is_minus_log_likelihood_over_n(g):
    assert g["ch3_example_likelihood"] == pytest.approx(0.2916, rel=1e-12)
    assert g["ch3_example_logloss"] == pytest.approx(-math.log(0.2916) / 4, rel=1e-12)


@pytest.mark.parametrize("m", [1, 5, 9])
def test_marked_losses_on_the_curve(g, m):
    assert g[f"ch3_mark_{m}"] == pytest.approx(m / 10)
    assert g[f"ch3_loss1_{m}"] == pytest.approx(-math.log(m / 10), rel=1e-14)


def test_tenfold_drop_costs_log_ten(g):
    assert g["ch3_log10"] == pytest.approx(math.log(10), rel=1e-15)
    assert g["ch3_loss_1e6"] == pytest.approx(6 * math.log(10), rel=1e-12)


def test_one_confident_mistake_among_a_hundred(g):
    good = -math.log(0.9)
    total = (99 * good - math.log(1e-3)) / 100
    assert g["ch3_loss_good"] == pytest.approx(good, rel=1e-12)
    assert g["ch3_loss_all"] == pytest.approx(total, rel=1e-12)
    assert g["ch3_share"] == pytest.approx(-math.log(1e-3) / (100 * total), rel=1e-12)


def test_three_losses_at_a_confident_mistake(g):
    p = g["ch3_p_wrong"]
    assert g["ch3_logloss_wrong"] == pytest.approx(-math.log(p), rel=1e-14)
    assert g["ch3_squared_wrong"] == pytest.approx((1 - p) ** 2, rel=1e-14)
    assert g["ch3_zero_one_wrong"] == 1.0


def test_torch_caps_bce_at_100(g):
    loss = F.binary_cross_entropy(torch.tensor([0.0]), torch.tensor([1.0]))
    assert g["ch3_torch_cap"] == loss.item() == 100.0
    assert g["ch3_torch_clamp_p"] == pytest.approx(math.exp(-100), rel=1e-14)


@pytest.mark.parametrize("name", ["float64", "float32"])
def test_sklearn_clips_at_the_dtype_epsilon(g, name):
    eps = float(np.finfo(name).eps)
    assert g[f"ch3_sk_{name}_eps"] == eps
    assert g[f"ch3_sk_{name}_loss"] == pytest.approx(-math.log(eps), rel=1e-6)


@pytest.mark.parametrize("name", ["float64", "float32"])
def test_sklearn_warning_count_matches_the_installed_sklearn(g, name):
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        sklearn.metrics.log_loss([1, 0], np.zeros(2, dtype=name), normalize=False)
    assert int(g[f"ch3_sk_{name}_warnings"]) == len(caught)
    assert g["ch3_sklearn_version"] == sklearn.__version__


def test_best_constant_prediction_is_the_observed_frequency(g):
    assert abs(g["ch3_best_const"] - g["ch3_freq"]) <= 0.005
    assert abs(g["ch3_best_const"] * 100 - round(g["ch3_best_const"] * 100)) < 1e-9  # a grid point


def test_expected_zero_one_loss_above_one_half(g):
    assert g["ch3_q_zero_one"] == 0.7
    assert g["ch3_zero_one_expected"] == pytest.approx(0.3)


def test_exercise_mistake_equals_this_many_good_predictions(g):
    assert g["ch3_ex_ratio"] == pytest.approx(math.log(0.01) / math.log(0.9), rel=1e-6)


def test_exercise_float32_sklearn_and_torch_score_the_same_1000_samples(g):
    n = int(g["ch3_ex_n"])
    assert n == 1000
    good = -math.log(float(np.float32(0.9)))
    mistake_sk = -math.log(float(np.finfo(np.float32).eps))
    sk = ((n - 1) * good + mistake_sk) / n
    pt = ((n - 1) * good + 100) / n
    assert g["ch3_ex_sk"] == pytest.approx(sk, rel=1e-5)
    assert g["ch3_ex_pt"] == pytest.approx(pt, rel=1e-5)
    assert g["ch3_ex_mistake_sk"] == pytest.approx(mistake_sk, rel=1e-12)


def test_exercise_libraries_differ_by_the_one_mistake_alone(g):
    n = int(g["ch3_ex_n"])
    predicted = (-math.log(float(np.finfo(np.float32).eps)) - 100) / n
    assert g["ch3_ex_gap_predicted"] == pytest.approx(predicted, rel=1e-12)
    assert g["ch3_ex_gap"] == pytest.approx(predicted, rel=1e-5)
    # labels=[0, 1] scores exactly the given samples: no dummy sample is needed
    p = np.full(n, 0.9, dtype=np.float32)
    p[0] = 0.0
    sk = sklearn.metrics.log_loss(np.ones(n, dtype=int), p, labels=[0, 1])
    assert sk == pytest.approx(g["ch3_ex_sk"], rel=1e-12)


def test_log_of_zero_warning_is_numpys_message(g):
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        np.log(np.array([0.0]))
    assert g["ch3_log0_warning"] == f"{caught[0].category.__name__}: {caught[0].message}"
    assert "divide by zero" in g["ch3_log0_warning"]


@pytest.mark.parametrize("q", [0.3])
def test_pos_weight_moves_the_fitted_minimiser_to_the_closed_form(g, q):
    w = g["ch3_pw_w_plus"]
    assert g["ch3_pw_q"] == q
    assert g["ch3_pw_fitted"] == pytest.approx(w * q / (w * q + 1 - q), rel=1e-8)
    assert abs(g["ch3_pw_fitted"] - q) > 0.2
    assert g["ch3_pw_fitted_plain"] == pytest.approx(q, rel=1e-8)


def test_pos_weight_minimiser_is_where_torch_gradient_vanishes(g):
    # independent of the chapter's fit: autograd of the expected loss at the closed form
    w, q = g["ch3_pw_w_plus"], g["ch3_pw_q"]
    p_star = w * q / (w * q + 1 - q)
    z = torch.tensor([math.log(p_star / (1 - p_star))] * 2, dtype=torch.float64, requires_grad=True)
    loss = F.binary_cross_entropy_with_logits(
        z,
        torch.tensor([1.0, 0.0], dtype=torch.float64),
        weight=torch.tensor([q, 1 - q], dtype=torch.float64),
        pos_weight=torch.tensor(w, dtype=torch.float64),
        reduction="sum",
    )
    loss.backward()
    assert abs(z.grad.sum().item()) < 1e-12


@pytest.mark.parametrize(
    "name, words",
    [
        ("fig-ch3-logloss", ["log-loss", "label 1", "label 0", "mirror"]),
        ("fig-ch3-compare", ["log-loss", "squared error", "0-1 loss"]),
        ("fig-ch3-proper", ["expected log-loss", "lowest point", "p = q"]),
    ],
)
def test_figures_are_on_the_page_with_descriptive_alt_text(page_html, name, words):
    image = figure_image(page_html, name)
    assert image["src"].endswith(".png")
    assert all(word in image["alt"] for word in words), image["alt"]
    assert "/" not in image["alt"]


def test_log_loss_figure_draws_both_curves(g):
    # the y = 1 curve is -log p and the y = 0 curve -log(1 - p), at every drawn point
    assert g["ch3_fig_curve1_max_err"] < 1e-12
    assert g["ch3_fig_curve0_max_err"] < 1e-12


@pytest.mark.parametrize("m", [1, 5, 9])
def test_log_loss_figure_marks_the_loss_at_each_marked_probability(g, m):
    assert g[f"ch3_fig_mark_y1_{m}"] == pytest.approx(-math.log(m / 10), rel=1e-12)
    assert g[f"ch3_fig_mark_y0_{m}"] == pytest.approx(-math.log(1 - m / 10), rel=1e-12)


def test_comparison_figure_draws_log_loss_squared_error_and_zero_one(g):
    assert int(g["ch3_fig_compare_n_lines"]) == 3
    assert g["ch3_fig_compare_logloss_err"] < 1e-12
    assert g["ch3_fig_compare_squared_err"] < 1e-12
    assert g["ch3_fig_compare_zero_one_wrong"] == 1.0  # all points: 1 exactly where p < 1/2


@pytest.mark.parametrize("q10", [1, 5, 8])
def test_proper_figure_dot_is_the_entropy_and_the_lowest_point_of_its_curve(g, q10):
    q = q10 / 10
    entropy = -q * math.log(q) - (1 - q) * math.log(1 - q)
    dot = g[f"ch3_fig_proper_{q10}_dot_value"]
    assert dot == pytest.approx(entropy, rel=1e-12)
    assert dot <= g[f"ch3_fig_proper_{q10}_curve_min"]


def expected_cross_entropy_grad(p_star, q, **options):
    """Gradient, at softmax(z) = (1 - p_star, p_star), of q * CE(z, 1) + (1 - q) * CE(z, 0)."""
    z = torch.tensor(
        [0.0, math.log(p_star / (1 - p_star))], dtype=torch.float64, requires_grad=True
    )
    per_label = F.cross_entropy(z.expand(2, 2), torch.tensor([1, 0]), reduction="none", **options)
    # with reduction="none", weight= multiplies each label's loss by its class weight
    (q * per_label[0] + (1 - q) * per_label[1]).backward()
    return z.grad.abs().max().item()


def test_class_weights_move_the_minimiser_to_w_times_q_normalised():
    # the chapter's closed form p = w1 q / (w1 q + w0 (1 - q)), checked with torch's weight=
    w0, w1, q = 1.0, 3.0, 0.2
    p_star = w1 * q / (w1 * q + w0 * (1 - q))
    weight = torch.tensor([w0, w1], dtype=torch.float64)
    assert expected_cross_entropy_grad(p_star, q, weight=weight) < 1e-12
    assert expected_cross_entropy_grad(q, q, weight=weight) > 1e-3


def test_label_smoothing_moves_the_minimiser_towards_uniform():
    # the chapter's closed form p = (1 - eps) q + eps / C, with C = 2 classes
    eps, q = 0.2, 0.9
    p_star = (1 - eps) * q + eps / 2
    assert expected_cross_entropy_grad(p_star, q, label_smoothing=eps) < 1e-12
    assert expected_cross_entropy_grad(q, q, label_smoothing=eps) > 1e-3


# -- the explorable figures: the data the page ships, against PyTorch ------------------------


@pytest.fixture(scope="module")
def logloss_shipped(book_build):
    from explorableutils import shipped

    return shipped(book_build, DOC, "ch3-logloss")


@pytest.fixture(scope="module")
def pos_weight_shipped(book_build):
    from explorableutils import shipped

    return shipped(book_build, DOC, "ch3-pos-weight")


def torch_bce(p, label):
    return F.binary_cross_entropy(
        torch.tensor(p, dtype=torch.float64), torch.tensor(float(label), dtype=torch.float64)
    ).item()


def test_logloss_explorable_has_one_frame_per_slider_position(logloss_shipped):
    (slider,) = logloss_shipped.sliders
    assert slider["start"] == 0 and slider["end"] == len(slider["labels"]) - 1
    assert len(logloss_shipped.frames["readout"]) == len(slider["labels"])
    assert [float(x) for x in slider["labels"]] == [x for (x,) in logloss_shipped.frames["at_y1_x"]]
    assert slider["labels"][slider["value"]] == "0.30"


@pytest.mark.parametrize("label", ["0.01", "0.10", "0.30", "0.50", "0.90", "0.99"])
def test_logloss_explorable_ships_torch_bce_at_each_slider_position(logloss_shipped, label):
    frames, i = logloss_shipped.frames, logloss_shipped.frame(label)
    p = float(label)
    assert frames["at_y1_x"][i] == [p] and frames["at_y0_x"][i] == [p]
    (loss_1,), (loss_0,) = frames["at_y1_y"][i], frames["at_y0_y"][i]
    assert loss_1 == pytest.approx(torch_bce(p, 1), rel=1e-14)
    assert loss_0 == pytest.approx(torch_bce(p, 0), rel=1e-14)
    readout = frames["readout"][i]
    assert f"p = {label}" in readout
    assert f"{torch_bce(p, 1):.4f}" in readout and f"{torch_bce(p, 0):.4f}" in readout


def test_logloss_explorable_draws_the_two_curves_of_torch_bce(logloss_shipped):
    for key, label in [("curve_y1", 1), ("curve_y0", 0)]:
        x, y = logloss_shipped.fixed[key]
        assert min(x) > 0 and max(x) < 1 and len(x) >= 200
        for k in range(0, len(x), 37):
            assert y[k] == pytest.approx(torch_bce(x[k], label), rel=1e-13)


@pytest.mark.parametrize("m", [1, 5, 9])
def test_logloss_figure_is_the_static_twin_of_the_explorable(g, logloss_shipped, m):
    # the static figure marks the same losses the explorable shows at those slider positions
    i = logloss_shipped.frame(f"0.{m}0")
    assert logloss_shipped.frames["at_y1_y"][i][0] == pytest.approx(
        g[f"ch3_fig_mark_y1_{m}"], rel=1e-15
    )
    assert logloss_shipped.frames["at_y0_y"][i][0] == pytest.approx(
        g[f"ch3_fig_mark_y0_{m}"], rel=1e-15
    )


W_PLUS = [0.125, 0.25, 0.5, 1.0, 2.0, 4.0, 8.0]
Q_STEPS = [k / 10 for k in range(1, 10)]


def torch_expected_bce(p, q, w_plus):
    """q * loss(z, 1) + (1 - q) * loss(z, 0) of BCEWithLogitsLoss with pos_weight, z = logit(p)."""
    p = torch.tensor(p, dtype=torch.float64)
    z = torch.log(p) - torch.log1p(-p)
    pw = torch.tensor(w_plus, dtype=torch.float64)
    loss = [
        F.binary_cross_entropy_with_logits(
            z, torch.full_like(z, label), pos_weight=pw, reduction="none"
        )
        for label in (1.0, 0.0)
    ]
    return q * loss[0] + (1 - q) * loss[1]


def test_pos_weight_explorable_steps_over_the_grid_of_w_plus_and_q(pos_weight_shipped):
    w_slider, q_slider = pos_weight_shipped.sliders
    assert [float(v) for v in w_slider["labels"]] == W_PLUS
    assert [float(v) for v in q_slider["labels"]] == pytest.approx(Q_STEPS, abs=1e-12)
    assert len(pos_weight_shipped.frames["readout"]) == len(W_PLUS) * len(Q_STEPS)
    assert (w_slider["labels"][w_slider["value"]], q_slider["labels"][q_slider["value"]]) == (
        "4",
        "0.3",
    )


@pytest.mark.parametrize(
    "w_label, q_label", [("4", "0.3"), ("1", "0.3"), ("0.125", "0.7"), ("8", "0.9"), ("2", "0.1")]
)
def test_pos_weight_explorable_ships_torch_expected_loss_and_its_minimiser(
    pos_weight_shipped, w_label, q_label
):
    frames = pos_weight_shipped.frames
    i = pos_weight_shipped.frame(w_label, q_label)
    w_plus, q = float(w_label), float(q_label)
    x, y = frames["curve_x"][i], frames["curve_y"][i]
    np.testing.assert_allclose(y, torch_expected_bce(x, q, w_plus).numpy(), rtol=1e-12)
    (p_min,), (e_min,) = frames["minimum_x"][i], frames["minimum_y"][i]
    # the minimiser read off the curve is eq. (3.5) to the resolution of the grid it was read on
    assert p_min == pytest.approx(w_plus * q / (w_plus * q + 1 - q), abs=5e-4)
    assert e_min == pytest.approx(torch_expected_bce([p_min], q, w_plus).item(), rel=1e-12)
    assert e_min <= min(y)
    # and torch's gradient in p changes sign across it: it is the lowest point of the loss
    t = torch.tensor([p_min - 5e-4, p_min + 5e-4], dtype=torch.float64, requires_grad=True)
    z = torch.log(t) - torch.log1p(-t)
    pw = torch.tensor(w_plus, dtype=torch.float64)
    (
        q
        * F.binary_cross_entropy_with_logits(
            z, torch.ones(2, dtype=torch.float64), pos_weight=pw, reduction="sum"
        )
        + (1 - q)
        * F.binary_cross_entropy_with_logits(
            z, torch.zeros(2, dtype=torch.float64), pos_weight=pw, reduction="sum"
        )
    ).backward()
    assert t.grad[0] < 0 < t.grad[1]
    assert frames["true_q_x"][i] == [q, q]
    assert f"p = {p_min:.4f}" in frames["readout"][i]
    assert f"w₊ = {w_label}" in frames["readout"][i] and f"q = {q_label}" in frames["readout"][i]


def test_pos_weight_static_twin_is_on_the_page_with_alt_text(page_html):
    image = figure_image(page_html, "fig-ch3-pos-weight")
    assert image["src"].endswith(".png")
    assert all(w in image["alt"] for w in ["expected loss", "pos_weight", "lowest point", "dotted"])
