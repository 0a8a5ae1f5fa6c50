"""Chapter 11 (losses in low precision, and on the GPU): glued numbers against independent sources.

Thresholds are checked against their derivations from ``torch.finfo`` (at 50 digits with
mpmath) and by re-running the threshold test one representable number below; autocast dtypes
are recomputed here; the batch-normalisation facts are re-derived on data made in this file.
"""

from __future__ import annotations

import math

import mpmath as mp
import numpy as np
import pytest
import torch
import torch.nn.functional as F

import lossutils as lu
from bookutils import figure_image

DOC = "chapters/11-low-precision"
mp.mp.dps = 50

DTYPES = {
    "float64": torch.float64,
    "float32": torch.float32,
    "bfloat16": torch.bfloat16,
    "float16": torch.float16,
}
INT = {16: torch.int16, 32: torch.int32, 64: torch.int64}


def previous_float(x: float, dtype: torch.dtype) -> torch.Tensor:
    """The representable number of `dtype` just below the positive number x."""
    itype = INT[torch.finfo(dtype).bits]
    bits = torch.tensor([x], dtype=dtype).view(itype)
    return (bits - 1).view(dtype)


def spacing(x: float, dtype: torch.dtype) -> float:
    return torch.finfo(dtype).eps * 2.0 ** math.floor(math.log2(x))


# --- the formats --------------------------------------------------------------------------


@pytest.mark.parametrize("name", ["float64", "float32", "float16"])
def test_smallest_subnormal_is_numpys(g, name):
    assert g[f"ch11_{name}_s"] == float(np.finfo(getattr(np, name)).smallest_subnormal)
    assert g[f"ch11_{name}_max"] == float(np.finfo(getattr(np, name)).max)
    assert g[f"ch11_{name}_eps"] == float(np.finfo(getattr(np, name)).eps)


def test_bfloat16_constants_follow_from_8_significant_and_8_exponent_bits(g):
    # bfloat16: 8 significant bits, float32's exponent range (e_min = -126)
    assert g["ch11_bfloat16_eps"] == 2.0**-7
    assert g["ch11_bfloat16_tiny"] == 2.0**-126
    assert g["ch11_bfloat16_s"] == 2.0**-133
    assert g["ch11_bfloat16_p"] == 8 and g["ch11_bfloat16_exp_bits"] == 8
    assert g["ch11_float16_p"] == 11 and g["ch11_float16_exp_bits"] == 5
    assert g["ch11_eps_ratio"] == 8


# --- where sigma(z) rounds to 1 -----------------------------------------------------------


def sigmoid_one_derived(name: str) -> float:
    eps = mp.mpf(torch.finfo(DTYPES[name]).eps)
    if name in ("float64", "float32"):  # 1 + e^{-z} rounds to 1 in the format itself
        return float(mp.log(2 / eps))
    return float(mp.log(4 / eps - 1))  # float32 result, rounded once: 1/(1+e^z) <= eps/4


@pytest.mark.parametrize("name", list(DTYPES))
def test_sigmoid_threshold_matches_its_derivation_from_finfo(g, name):
    z1 = g[f"ch11_sigmoid_one_{name}"]
    assert abs(z1 - sigmoid_one_derived(name)) <= spacing(z1, DTYPES[name])
    assert g[f"ch11_sigmoid_derived_{name}"] == pytest.approx(sigmoid_one_derived(name), rel=1e-12)


@pytest.mark.parametrize("name", list(DTYPES))
def test_sigmoid_is_one_from_the_glued_logit_and_not_before(g, name):
    dtype = DTYPES[name]
    z1 = torch.tensor([g[f"ch11_sigmoid_one_{name}"]], dtype=dtype)
    assert torch.sigmoid(z1).item() == 1.0
    assert torch.sigmoid(previous_float(z1.item(), dtype)).item() < 1.0


def test_sixteen_bit_thresholds_are_the_quoted_ones(g):
    assert g["ch11_sigmoid_one_float16"] == pytest.approx(8.32, abs=0.01)
    assert g["ch11_sigmoid_one_bfloat16"] == 6.25
    assert g["ch11_cliff_float16"] == pytest.approx(17.3, abs=0.05)


# --- where log(softmax) breaks ----------------------------------------------------------------


def smaller_prob(gap: torch.Tensor) -> float:
    return torch.softmax(torch.cat([torch.zeros_like(gap), gap]), dim=0)[0].item()


@pytest.mark.parametrize("name", list(DTYPES))
def test_cliff_matches_log_2_over_s(g, name):
    dtype = DTYPES[name]
    fi = torch.finfo(dtype)
    derived = float(mp.log(2 / (mp.mpf(fi.eps) * mp.mpf(fi.tiny)) - 1))
    gap = g[f"ch11_cliff_{name}"]
    assert abs(gap - derived) <= spacing(gap, dtype)
    assert g[f"ch11_cliff_derived_{name}"] == pytest.approx(derived, rel=1e-12)
    assert smaller_prob(torch.tensor([gap], dtype=dtype)) == 0.0
    assert smaller_prob(previous_float(gap, dtype)) > 0.0


@pytest.mark.parametrize("name", list(DTYPES))
def test_log_softmax_and_cross_entropy_stay_finite_and_right_past_the_cliff(name):
    dtype = DTYPES[name]
    gaps = [0.5, 20.0, 200.0, 1500.0, 60000.0]
    pairs = torch.tensor([[0.0, d] for d in gaps], dtype=dtype)
    logp = torch.log_softmax(pairs, dim=1)[:, 0].double()
    ce = F.cross_entropy(pairs, torch.zeros(len(gaps), dtype=torch.long), reduction="none")
    assert torch.isfinite(logp).all() and torch.isfinite(ce).all()
    for d, got in zip(pairs[:, 1].double().tolist(), logp.tolist()):
        exact = -float(mp.mpf(d) + mp.log1p(mp.exp(-mp.mpf(d))))  # -softplus(d)
        assert got == pytest.approx(exact, rel=torch.finfo(dtype).eps)
    assert torch.isinf(torch.log(torch.softmax(pairs, dim=1))).any()


# --- overflow and an infinite logit ----------------------------------------------------------


def test_float16_overflow_numbers(g):
    assert g["ch11_float16_max"] == 65504.0
    assert g["ch11_exp_overflow_float16"] == pytest.approx(math.log(65504.0), rel=1e-15)
    big = torch.tensor([g["ch11_big_activation"]])
    assert big.item() > 65504 and torch.isinf(big.half()).all()
    assert torch.isfinite(big.bfloat16()).all()


@pytest.mark.parametrize("target", [0, 2])
def test_one_inf_logit_makes_cross_entropy_nan(target):
    row = torch.tensor([[0.0, 1.0, math.inf]])
    assert math.isnan(F.cross_entropy(row, torch.tensor([target])).item())
    assert math.isnan((row - row.max()).max().item())  # inf - inf


# --- flushing subnormals ---------------------------------------------------------------------


def test_flush_denormal_story(g):
    supported = torch.set_flush_denormal(True)
    torch.set_flush_denormal(False)
    assert g["ch11_flush_supported"] == str(supported)
    # gradual underflow, redone in NumPy: the float32 product of 0.9s
    prod = np.cumprod(np.full(1000, 0.9, dtype=np.float32), dtype=np.float32)
    tiny = np.finfo(np.float32).tiny
    assert g["ch11_k_normal_end"] == int(np.flatnonzero(prod < tiny)[0]) + 1
    assert g["ch11_gradual_units"] == prod[-1] / np.finfo(np.float32).smallest_subnormal
    if supported:
        assert g["ch11_k_zero"] == g["ch11_k_normal_end"]


# --- autocast ---------------------------------------------------------------------------------


def test_cpu_autocast_output_dtypes_are_the_glued_ones(g):
    gen = torch.Generator().manual_seed(1)
    x, weight = torch.randn(5, 4, generator=gen), torch.randn(3, 4, generator=gen)
    y = torch.tensor([0, 1, 2, 1, 0])
    y_multi = torch.randint(0, 2, (5, 3), generator=gen).float()
    with torch.autocast("cpu", dtype=torch.bfloat16):
        z = F.linear(x, weight)
        got = {
            "linear": z,
            "matmul": x @ weight.T,
            "softmax": torch.softmax(z, dim=1),
            "log_softmax": torch.log_softmax(z, dim=1),
            "cross_entropy": F.cross_entropy(z, y),
            "nll_loss": F.nll_loss(torch.log_softmax(z, dim=1), y),
            "binary_cross_entropy_with_logits": F.binary_cross_entropy_with_logits(z, y_multi),
            "binary_cross_entropy": F.binary_cross_entropy(torch.sigmoid(z), y_multi),
        }
    for name, out in got.items():
        assert g[f"ch11_autocast_{name}"] == str(out.dtype).removeprefix("torch."), name
    assert got["linear"].dtype == torch.bfloat16 and got["cross_entropy"].dtype == torch.float32


def test_cpu_autocast_cross_entropy_runs_log_softmax_in_float32(g):
    gen = torch.Generator().manual_seed(2)
    with torch.autocast("cpu", dtype=torch.bfloat16):
        z = F.linear(torch.randn(64, 8, generator=gen), 3 * torch.randn(10, 8, generator=gen))
        y = torch.randint(0, 10, (64,), generator=gen)
        one_call = F.cross_entropy(z, y)
        two_calls = F.nll_loss(torch.log_softmax(z, dim=1), y)
    assert one_call.item() == F.cross_entropy(z.float(), y).item()
    assert two_calls.item() == F.nll_loss(torch.log_softmax(z, dim=1).float(), y).item()
    assert g["ch11_ac_err_one_call"] < 1e-6 < g["ch11_ac_err_two_calls"]


# --- loss scaling -----------------------------------------------------------------------------


def test_float16_flushes_what_scaling_saves():
    s16 = torch.finfo(torch.float16).eps * torch.finfo(torch.float16).tiny
    grad = torch.tensor([s16 / 4, s16 / 3, 1e-9])  # below half the subnormal
    assert (grad.half() == 0).all()
    scaled = (grad * 2.0**16).half()
    assert (scaled != 0).all()
    np.testing.assert_allclose(scaled.double() / 2.0**16, grad.double(), rtol=2e-3)


def test_glued_gradient_counts(g):
    assert 0 < g["ch11_grad_lost"] < g["ch11_grad_nonzero"]
    assert g["ch11_grad_lost_frac"] == pytest.approx(g["ch11_grad_lost"] / g["ch11_grad_nonzero"])
    assert g["ch11_grad_lost_scaled"] < g["ch11_grad_lost"] / 100
    assert g["ch11_scale"] == 2.0**16


def test_grad_scaler_scales_the_loss_and_skips_on_overflow(g):
    assert g["ch11_scaler_init"] == torch.amp.GradScaler("cpu").get_scale() == 2.0**16
    assert g["ch11_scaler_scaled"] == pytest.approx(
        g["ch11_scaler_loss"] * g["ch11_scaler_init"], rel=1e-6
    )
    assert g["ch11_big_scale_stepped"] == 0
    assert g["ch11_big_scale_after"] == 2.0 ** (g["ch11_big_scale_log2"] - 1)


def test_grad_scaler_on_cpu_skips_an_inf_step():
    p = torch.nn.Parameter(torch.tensor([1.0]))
    opt = torch.optim.SGD([p], lr=0.1)
    scaler = torch.amp.GradScaler("cpu", init_scale=2.0**10)
    scaler.scale((p * 1e36).sum()).backward()  # 1e36 * 2^10 overflows float32
    scaler.step(opt)
    scaler.update()
    assert p.item() == 1.0 and scaler.get_scale() == 2.0**9


# --- bad targets ----------------------------------------------------------------------------


def test_out_of_range_target_raises_on_cpu_and_diagnose_sees_it():
    logits, target = torch.randn(4, 3), torch.tensor([1, 2, 3, 0])
    with pytest.raises(IndexError, match="Target 3 is out of bounds"):
        F.cross_entropy(logits, target)
    assert any(f.severity == "error" for f in lu.diagnose(logits, target, warn=False))


# --- normalising across batches ------------------------------------------------------------------


def test_glued_batch_means(g):
    assert g["ch11_mean_of_means"] != pytest.approx(g["ch11_token_mean"], rel=1e-3)
    assert g["ch11_token_weight_ratio"] == g["ch11_n_real_0"] / g["ch11_n_real_1"]


def test_sum_then_global_count_is_the_token_mean_and_mean_of_means_is_not():
    rng = np.random.default_rng(3)
    C, pad = 4, -100
    batches = []
    for n_real in (9, 2):
        t = np.full(10, pad)
        t[:n_real] = rng.integers(0, C, n_real)
        batches.append((rng.normal(size=(10, C)), t))
    per_token = np.concatenate([lu.cross_entropy(z, t, reduction="none") for z, t in batches])
    mask = np.concatenate([t != pad for _, t in batches])
    token_mean = per_token[mask].mean()
    n_total = mask.sum()
    fixed = sum(lu.cross_entropy(z, t, reduction="sum") for z, t in batches) / n_total
    naive = np.mean([lu.cross_entropy(z, t) for z, t in batches])
    full = F.cross_entropy(
        torch.from_numpy(np.concatenate([z for z, _ in batches])),
        torch.from_numpy(np.concatenate([t for _, t in batches])),
    )
    assert fixed == pytest.approx(token_mean, rel=1e-12)
    assert fixed == pytest.approx(full.item(), rel=1e-12)
    assert naive != pytest.approx(token_mean, rel=1e-3)


def test_bce_weight_mean_divides_by_n_not_by_weights(g):
    assert g["ch11_bce_weight_arg"] == pytest.approx(
        g["ch11_bce_weighted_mean"] * g["ch11_w_mean"], rel=1e-6
    )
    z, y = np.array([0.3, -1.2, 2.0, 0.1]), np.array([1.0, 0.0, 1.0, 0.0])
    w = np.array([0.5, 2.0, 1.0, 3.0])
    per = lu.binary_cross_entropy_with_logits(z, y, reduction="none")
    got = F.binary_cross_entropy_with_logits(
        torch.from_numpy(z), torch.from_numpy(y), weight=torch.from_numpy(w)
    ).item()
    assert got == pytest.approx((w * per).sum() / len(z), rel=1e-12)
    assert got != pytest.approx((w * per).sum() / w.sum(), rel=1e-3)


def test_n_by_1_loss_times_n_weight_is_a_silent_n_by_n(g):
    assert g["ch11_trap_n"] == 6
    assert g["ch11_trap_mean"] != pytest.approx(g["ch11_intended_mean"], rel=1e-3)
    z = torch.tensor([[0.3], [-1.2], [2.0]])
    y = torch.tensor([[1.0], [0.0], [0.0]])
    w = torch.tensor([0.5, 2.0, 1.0])
    with pytest.raises(RuntimeError, match="broadcast shape"):
        F.binary_cross_entropy_with_logits(z, y, weight=w)
    per = F.binary_cross_entropy_with_logits(z, y, reduction="none")
    trap = per * w
    assert trap.shape == (3, 3)
    assert trap.mean().item() == pytest.approx(per.mean().item() * w.mean().item(), rel=1e-6)


# --- exercises ------------------------------------------------------------------------------------


def test_float8_thresholds(g):
    fi = torch.finfo(torch.float8_e4m3fn)
    assert g["ch11_ex_f8_one"] == pytest.approx(math.log(4 / fi.eps - 1), abs=1e-3)
    assert g["ch11_ex_f8_zero"] == pytest.approx(math.log(2 / (fi.eps * fi.tiny) - 1), abs=1e-3)


def test_allreduce_exercise(g):
    assert g["ch11_ex_global_mean"] != pytest.approx(g["ch11_ex_rank_means"], rel=1e-3)


# --- the page -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "name, words",
    [
        ("fig-ch11-saturation", ("sigmoid", "bfloat16", "float16", "float32", "float64")),
        ("fig-ch11-gradients", ("histogram", "float16", "scaled")),
    ],
)
def test_figure_on_page_with_alt_text(page_html, name, words):
    img = figure_image(page_html, name)
    assert img["src"]
    assert len(img["alt"]) > 80
    for word in words:
        assert word in img["alt"], word


def test_cuda_statements_are_marked_not_run(page_html):
    assert page_html.count("not run in this build") >= 2
