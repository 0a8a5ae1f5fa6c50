"""lossutils.exercises: every check accepts the official answer and names the typical mistakes.

The official answers are computed here from closed forms (mpmath), PyTorch and scikit-learn,
not copied from the chapters. The last tests read the chapters' sources and the built book:
every exercise label is checked, prose-only or in a chapter still being written; each checked
exercise tells the student how to check, and its solution ran the check and was right.
"""

from __future__ import annotations

import math
import re
import subprocess
import sys
import warnings
from fractions import Fraction

import mpmath as mp
import numpy as np
import pytest
import sklearn.metrics
import torch
import torch.nn as nn
import torch.nn.functional as F
from scipy.special import expit, softmax
from sklearn.calibration import calibration_curve
from sklearn.datasets import load_breast_cancer, load_digits
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import train_test_split
from sklearn.preprocessing import StandardScaler

from bookutils import ROOT, executed_notebook, source_path, toc_docnames
from lossutils import exercises as ex
from lossutils.exercises import check

mp.mp.dps = 50
LN2, LN10 = math.log(2), math.log(10)
F32_MAX = float(np.finfo(np.float32).max)


def _float32_case():
    """Chapter 3's exercise data: 999 predictions of 0.9 and one of 0, every label 1."""
    p32 = np.full(1000, 0.9, dtype=np.float32)
    p32[0] = 0.0
    return p32, np.ones(1000, dtype=int)


def _sklearn_log_loss(p):
    return sklearn.metrics.log_loss(np.ones(p.size, dtype=int), p, labels=[0, 1])


def _torch_bce_32():
    p32, y = _float32_case()
    return F.binary_cross_entropy(torch.from_numpy(p32), torch.from_numpy(y).float()).item()


def _breast_cancer_largest_weight(c_sk):
    X, y = load_breast_cancer(return_X_y=True)
    X_train, _, y_train, _ = train_test_split(X, y, test_size=0.25, random_state=0, stratify=y)
    Z = StandardScaler().fit(X_train).transform(X_train)
    C = c_sk(len(y_train))
    return float(
        np.abs(LogisticRegression(C=C, tol=1e-10, max_iter=10_000).fit(Z, y_train).coef_).max()
    )


def _float64_sigmoid_one():
    """The first float64 logit where 1 / (1 + exp(-z)) is exactly 1, found in mpmath terms:
    the smallest z with exp(-z) <= 2**-53 (half an ulp of 1, ties to even), then stepped."""
    z = float(53 * mp.log(2))
    while 1.0 + math.exp(-z) == 1.0:
        z = np.nextafter(z, 0.0)
    while 1.0 + math.exp(-z) != 1.0:
        z = np.nextafter(z, np.inf)
    return float(z)


def _entropy(q):
    return float(-(q * mp.log(q) + (1 - q) * mp.log(1 - q)))


def _entropy_of(probs):
    return float(-sum(mp.mpf(x) * mp.log(mp.mpf(x)) for x in probs))


def _softmax_max(z, T):
    e = [mp.exp(mp.mpf(v) / T) for v in z]
    return float(max(e) / sum(e))


def _kl(a, b):
    return float(sum(mp.mpf(x) * mp.log(mp.mpf(x) / mp.mpf(y)) for x, y in zip(a, b)))


def _ch5_entropy_section_distributions():
    """Chapter 5's entropy section: two draws from a flat Dirichlet, seed 2 (target, prediction)."""
    rng = np.random.default_rng(2)
    return rng.dirichlet(np.ones(5)), rng.dirichlet(np.ones(5))


def _smoothed(eps, c, spread_over):
    """The label-smoothed target of class 0: eps spread evenly over `spread_over` classes."""
    others = [mp.mpf(eps) / spread_over] * (c - 1)
    return [1 - sum(others)] + others


def _digits_ece_by_bins(bins=(5, 10, 20, 50), epochs=3000):
    """ECE on the test set of chapter 10's digits model: chapter 9's split and recipe (full-batch
    descent, lr 0.5, seed 0, float64), the validation quarter halved; ECE from scikit-learn's
    calibration_curve, weighted by the counts of its bins."""
    X, y = load_digits(return_X_y=True)
    X_tr, X_rest, y_tr, y_rest = train_test_split(X, y, test_size=0.25, random_state=0, stratify=y)
    _, X_te, _, y_te = train_test_split(
        X_rest, y_rest, test_size=0.5, random_state=0, stratify=y_rest
    )
    scaler = StandardScaler().fit(X_tr)
    torch.manual_seed(0)
    lin = nn.Linear(64, 10, dtype=torch.float64)
    Xt, yt = torch.tensor(scaler.transform(X_tr)), torch.tensor(y_tr)
    threads = torch.get_num_threads()
    torch.set_num_threads(1)  # a small model: one thread is ten times faster on a busy machine
    try:
        for _ in range(epochs):
            grads = torch.autograd.grad(F.cross_entropy(lin(Xt), yt), [lin.weight, lin.bias])
            with torch.no_grad():
                lin.weight -= 0.5 * grads[0]
                lin.bias -= 0.5 * grads[1]
    finally:
        torch.set_num_threads(threads)
    with torch.no_grad():
        prob = torch.softmax(lin(torch.tensor(scaler.transform(X_te))), dim=1).numpy()
    conf, right = prob.max(axis=1), (prob.argmax(axis=1) == y_te).astype(float)
    out = []
    for n_bins in bins:
        frac, mean_p = calibration_curve(right, conf, n_bins=n_bins)
        counts = np.bincount(
            np.searchsorted(np.linspace(0, 1, n_bins + 1)[1:-1], conf), minlength=n_bins
        )
        out.append(float(np.sum(counts[counts > 0] / len(conf) * np.abs(frac - mean_p))))
    return out


def _float8_thresholds(mantissa_bits, min_exponent):
    """Where sigma rounds to 1 (1 - sigma below a quarter of eps) and where the smaller of two
    softmax probabilities rounds to 0 (below half the smallest subnormal, eps * tiny), for a
    format with this many stored mantissa bits and this smallest normal exponent."""
    eps, tiny = mp.mpf(2) ** -mantissa_bits, mp.mpf(2) ** min_exponent
    return float(mp.log(4 / eps - 1)), float(mp.log(2 / (eps * tiny) - 1))


def _first_float16_exp_overflow():
    """The first float16 z whose exp rounds to inf: exp(z) at or above 65504 + half its ulp."""
    z = np.float16(11.0)
    while mp.exp(mp.mpf(float(z))) < 65504 + 16:
        z = np.nextafter(z, np.float16(np.inf))
    return float(z)


# Official answers (one per part), and the values of the variants that have no transform.
STUCK_COUNTS = (400, 200, 120, 80, 60, 50, 40, 25, 15, 10)  # chapter 5's skewed frequencies
DIGITS_ECE = _digits_ece_by_bins()
OFFICIAL = {
    "ex-ch1-flip": (
        [float(mp.mpf("0.4") ** 2 * mp.mpf("0.1") ** 2)],
        {"unflipped": float(mp.mpf("0.6") ** 2 * mp.mpf("0.9") ** 2)},
    ),
    "ex-ch1-allheads": ([1.0], {}),
    # the largest fixed point of n -> round(n * stored 0.99), exactly, ties to even: the
    # product of n units of the smallest subnormal by the float 0.99, rounded to whole units
    "ex-ch2-099": ([float(max(n for n in range(1, 80) if round(n * Fraction(0.99)) == n))], {}),
    "ex-ch2-batch": ([64 * 0.1, float(mp.exp(-0.1))], {}),
    "ex-ch2-overflow": ([float(F32_MAX / -mp.log(mp.mpf("0.9")))], {}),
    "ex-ch3-howmany": (
        [float(mp.log(mp.mpf("0.01")) / mp.log(mp.mpf("0.9")))],
        {"label-1": float(mp.log(mp.mpf("0.99")) / mp.log(mp.mpf("0.9")))},
    ),
    "ex-ch3-float32": (
        [_sklearn_log_loss(_float32_case()[0]), _torch_bce_32()],
        {"eps64": _sklearn_log_loss(_float32_case()[0].astype(np.float64))},
    ),
    "ex-ch4-slope": ([8 / 27], {"slope": 0.25}),
    "ex-ch4-soft": ([float(mp.log(mp.mpf("0.2") / mp.mpf("0.8"))), _entropy(mp.mpf("0.2"))], {}),
    "ex-ch4-float64": ([_float64_sigmoid_one()], {}),
    "ex-ch6-shift": ([0.0, -5 / 6], {}),
    "ex-ch8-floor-limit": (
        [float(mp.log(1 + (mp.e - 1) / 1000))],
        {"floor": float(mp.log(mp.e + 999) - 1)},
    ),
    "ex-ch8-nll-range": ([-1.0], {}),
    "ex-ch8-float64": ([float(1075 * mp.log(2))], {}),
    "ex-ch9-match-sklearn": (
        [_breast_cancer_largest_weight(lambda n: 1.0)],
        {"penalty-not-over-n": _breast_cancer_largest_weight(lambda n: 1 / n)},
    ),
    "ex-ch9-weighted-scale": ([1.0, 2.0], {}),
    "ex-ch5-temperature": (
        [_softmax_max([1, 2, 3], T) for T in (0.1, 1, 100)],
        {
            "times-T-0.1": _softmax_max([0.1, 0.2, 0.3], 1),
            "times-T-100": _softmax_max([100, 200, 300], 1),
        },
    ),
    "ex-ch5-kl": (
        [
            _kl(*_ch5_entropy_section_distributions()),
            _kl(*_ch5_entropy_section_distributions()[::-1]),
        ],
        {
            "reversed-qp": _kl(*_ch5_entropy_section_distributions()[::-1]),
            "reversed-pq": _kl(*_ch5_entropy_section_distributions()),
        },
    ),
    "ex-ch5-stuck": (
        [_entropy_of([mp.mpf(c) / sum(STUCK_COUNTS) for c in STUCK_COUNTS])],
        {"uniform": float(mp.log(10))},
    ),
    # pos_weight's mean divides by N = 10, the repeated one by N plus (k - 1) per positive
    "ex-ch7-pos-weight-dup": ([float(Fraction(10 + 2 * 3, 10))], {}),
    "ex-ch7-smooth-min": (
        [float(_smoothed("0.1", 4, 4)[0]), _entropy_of(_smoothed("0.1", 4, 4))],
        {"over-c-minus-1": _entropy_of(_smoothed("0.1", 4, 3))},
    ),
    "ex-ch10-inverse-frequency": ([1 / 3], {}),
    "ex-ch10-undo-smoothing": (
        [float((mp.mpf("0.01") - mp.mpf("0.1") / 3) / (1 - mp.mpf("0.1")))],
        {
            "no-division": float(mp.mpf("0.01") - mp.mpf("0.1") / 3),
            "times": float((mp.mpf("0.01") - mp.mpf("0.1") / 3) * (1 - mp.mpf("0.1"))),
            "eps-not-over-c": float((mp.mpf("0.01") - mp.mpf("0.1")) / (1 - mp.mpf("0.1"))),
        },
    ),
    "ex-ch10-costs": ([float(Fraction(1, 1 + 9))], {}),  # c_FP / (c_FP + c_FN), c_FN = 9 c_FP
    "ex-ch10-bins": (DIGITS_ECE, {}),
    # float8_e4m3fn: 3 mantissa bits, smallest normal 2**-6; e5m2: 2 bits, 2**-14; float16
    "ex-ch11-float8": (
        [*_float8_thresholds(3, -6)],
        {
            "e5m2-one": _float8_thresholds(2, -14)[0],
            "float16-one": _float8_thresholds(10, -14)[0],
            "normal": float(mp.log(2 / mp.mpf(2) ** -6 - 1)),
            "e5m2-zero": _float8_thresholds(2, -14)[1],
        },
    ),
    "ex-ch11-exp": ([_first_float16_exp_overflow()], {"float32": float(mp.log(F32_MAX))}),
}
NUMERIC = [name for name, entry in ex.EXERCISES.items() if isinstance(entry, ex.Numeric)]


def test_every_numeric_check_has_an_independent_official_answer_here():
    assert sorted(OFFICIAL) == sorted(NUMERIC)


@pytest.mark.parametrize("name", sorted(OFFICIAL))
def test_official_answer_is_right(name, capsys):
    answers, _ = OFFICIAL[name]
    result = check(name, *answers)
    assert result.verdict == "right", str(result)
    assert capsys.readouterr().out.startswith(f"{name}: right")


@pytest.mark.parametrize("name", sorted(OFFICIAL))
@pytest.mark.parametrize("noise", [1 - 1e-12, 1 + 1e-12])
def test_official_answer_with_float_noise_is_right(name, noise):
    answers, _ = OFFICIAL[name]
    assert check(name, *[a * noise for a in answers]).verdict == "right"


@pytest.mark.parametrize("name", sorted(OFFICIAL))
def test_stored_digests_are_those_of_the_independent_answers(name):
    """The digests regenerate exactly from this file's answers: nothing else went into them."""
    answers, named = OFFICIAL[name]
    assert ex.digests_for(name, answers, named) == ex.EXERCISES[name].digests


@pytest.mark.parametrize(
    "convert",
    [np.float32, np.float64, np.array, torch.tensor],
    ids=["float32", "float64", "0-d array", "tensor"],
)
def test_numbers_from_numpy_and_torch_are_accepted(convert):
    official = OFFICIAL["ex-ch4-slope"][0][0]
    assert check("ex-ch4-slope", convert(official)).verdict == "right"


def test_an_official_answer_that_fails_raises_in_a_solution_cell():
    with pytest.raises(AssertionError, match="no longer passes its check.*digest ex-ch3-howmany"):
        check("ex-ch3-howmany", 12.0, official=True)


# (exercise, answers, verdict, words in the reason)
MISTAKES = [
    ("ex-ch1-flip", [math.log(0.0016)], "close", "log-likelihood"),
    ("ex-ch1-flip", [0.2916], "wrong", "original labels"),
    ("ex-ch1-allheads", [0.0], "wrong", "smallest"),
    ("ex-ch2-099", [50.0], "close", "bound itself"),
    ("ex-ch2-batch", [0.1, math.exp(-0.1)], "close", "factor of N = 64"),
    ("ex-ch2-batch", [-6.4, math.exp(-0.1)], "close", "sign"),
    ("ex-ch2-batch", [6.4, 10**-0.1], "close", "log base"),
    ("ex-ch2-batch", [6.4, 2**-0.1], "close", "log base"),
    ("ex-ch2-batch", [6.4, 1 - math.exp(-0.1)], "close", "forgotten 1 − p"),
    ("ex-ch2-batch", [6.4, math.exp(0.1)], "close", "sign"),
    ("ex-ch2-batch", [6.4, math.exp(-6.4)], "close", "factor of N = 64"),
    ("ex-ch2-batch", [0.1, 0.5], "wrong", "factor of N = 64"),
    ("ex-ch2-overflow", [F32_MAX / -math.log10(0.9)], "close", "log base"),
    ("ex-ch2-overflow", [F32_MAX / -math.log2(0.9)], "close", "log base"),
    ("ex-ch2-overflow", [F32_MAX / math.log(0.9)], "close", "sign"),
    ("ex-ch2-overflow", [3.2e39], "close", "2 significant digits"),
    ("ex-ch3-howmany", [math.log(0.99) / math.log(0.9)], "close", "forgotten 1 − p"),
    ("ex-ch3-howmany", [math.log(0.9) / math.log(0.01)], "close", "upside down"),
    ("ex-ch3-howmany", [44], "close", "rounding only"),
    ("ex-ch3-howmany", [43], "close", "rounding only"),
    ("ex-ch3-howmany", [42.7], "wrong", ""),
    ("ex-ch4-slope", [4 / 27], "close", "factor of 2"),
    ("ex-ch4-slope", [-8 / 27], "close", "sign"),
    ("ex-ch4-slope", [0.25], "wrong", "slope of the sigmoid"),
    ("ex-ch4-soft", [math.log(4), _entropy(mp.mpf("0.2"))], "close", "sign"),
    ("ex-ch4-soft", [math.log10(0.25), _entropy(mp.mpf("0.2"))], "close", "log base"),
    ("ex-ch4-soft", [math.log(0.25), _entropy(mp.mpf("0.2")) / LN10], "close", "log base"),
    ("ex-ch4-soft", [math.log(0.25), 0.0], "wrong", "cannot reach 0"),
    ("ex-ch4-float64", [53.0], "close", "log base"),
    ("ex-ch4-float64", [24 * LN2], "close", "float32"),
    ("ex-ch4-float64", [-53 * LN2], "close", "sign"),
    ("ex-ch5-temperature", [1.0, 0.665, 0.3367], "close", "limit as T → 0"),
    ("ex-ch5-temperature", [0.99995, 0.665, 1 / 3], "close", "limit as T → ∞"),
    (
        "ex-ch5-temperature",
        [math.exp(0.3) / sum(math.exp(0.1 * k) for k in (1, 2, 3)), 0.665, 1.0],
        "wrong",
        "multiplies the logits by T",
    ),
    (
        "ex-ch5-kl",
        [OFFICIAL["ex-ch5-kl"][0][1], OFFICIAL["ex-ch5-kl"][0][0]],
        "wrong",
        "this is D_KL(p ‖ q)",
    ),
    (
        "ex-ch5-kl",
        [OFFICIAL["ex-ch5-kl"][0][0] / LN2, OFFICIAL["ex-ch5-kl"][0][1]],
        "close",
        "log base",
    ),
    ("ex-ch5-kl", [-OFFICIAL["ex-ch5-kl"][0][0], OFFICIAL["ex-ch5-kl"][0][1]], "close", "sign"),
    ("ex-ch5-stuck", [math.log(10)], "wrong", "uniform prediction"),
    (
        "ex-ch5-stuck",
        [sum(-c * math.log10(c / 1000) for c in STUCK_COUNTS) / 1000],
        "close",
        "log base",
    ),
    (
        "ex-ch5-stuck",
        [sum(-c * math.log(c / 1000) for c in STUCK_COUNTS)],
        "close",
        "factor of N = 1000",
    ),
    ("ex-ch7-pos-weight-dup", [1.0], "wrong", "denominator at N"),
    ("ex-ch7-pos-weight-dup", [10 / 16], "close", "upside down"),
    (
        "ex-ch7-smooth-min",
        [0.9, OFFICIAL["ex-ch7-smooth-min"][0][1]],
        "wrong",
        "the true one included",
    ),
    (
        "ex-ch7-smooth-min",
        [0.925, OFFICIAL["ex-ch7-smooth-min"][1]["over-c-minus-1"]],
        "wrong",
        "C − 1 other classes",
    ),
    ("ex-ch7-smooth-min", [1.0, 0.0], "wrong", "cannot reach 0"),
    ("ex-ch10-inverse-frequency", [3.0], "wrong", "1/C"),
    ("ex-ch10-undo-smoothing", [0.01 - 0.1 / 3], "close", "divide by 1 − ε"),
    ("ex-ch10-undo-smoothing", [(0.01 - 0.1) / 0.9], "wrong", "not ε"),
    ("ex-ch10-undo-smoothing", [0.0], "wrong", "clipped"),
    ("ex-ch10-costs", [0.9], "wrong", "costs swapped"),
    ("ex-ch10-costs", [1 / 9], "wrong", "ratio of costs"),
    ("ex-ch10-costs", [0.5], "wrong", "cost the same"),
    ("ex-ch10-bins", [100 * e for e in DIGITS_ECE], "close", "in percent"),
    ("ex-ch10-bins", [*DIGITS_ECE[:3], DIGITS_ECE[2]], "wrong", ""),
    ("ex-ch11-float8", [math.log2(31), math.log(1023)], "close", "in bits"),
    ("ex-ch11-float8", [math.log(31), math.log(127)], "close", "subnormals"),
    ("ex-ch11-float8", [math.log(15), math.log(2**17 - 1)], "wrong", "float8_e5m2"),
    ("ex-ch11-float8", [math.log(4095), math.log(1023)], "wrong", "float16"),
    ("ex-ch11-exp", [math.log(65504)], "right", ""),
    ("ex-ch11-exp", [math.log10(65504)], "close", "log base"),
    ("ex-ch11-exp", [88.7], "wrong", "float32"),
    ("ex-ch11-exp", [65504.0], "wrong", "largest float16 number"),
    ("ex-ch6-shift", [0.0, -5.0], "close", "factor of N = 6"),
    ("ex-ch6-shift", [-2e-16, 5 / 6], "close", "sign"),
    ("ex-ch6-shift", [-5 / 6, -5 / 6], "wrong", ""),
    ("ex-ch8-floor-limit", [math.log10(1 + (math.e - 1) / 1000)], "close", "log base"),
    ("ex-ch8-floor-limit", [-math.log1p((math.e - 1) / 1000)], "close", "sign"),
    ("ex-ch8-floor-limit", [math.log(math.e + 999) - 1], "wrong", "floor itself"),
    ("ex-ch8-nll-range", [1.0], "close", "sign"),
    ("ex-ch8-nll-range", [0.0], "wrong", "other end"),
    ("ex-ch8-float64", [1075.0], "close", "log base"),
    ("ex-ch8-float64", [1074 * LN2], "close", "one power of two"),
    ("ex-ch8-float64", [150 * LN2], "close", "float32"),
    (
        "ex-ch9-match-sklearn",
        [OFFICIAL["ex-ch9-match-sklearn"][1]["penalty-not-over-n"]],
        "close",
        "factor of N in the penalty",
    ),
    ("ex-ch9-weighted-scale", [2.0, 2.0], "wrong", "denominator doubles"),
    ("ex-ch9-weighted-scale", [1.0, 1.0], "wrong", "no denominator"),
]


@pytest.mark.parametrize(
    "name, answers, verdict, words", MISTAKES, ids=[f"{m[0]}-{m[3] or 'wrong'}" for m in MISTAKES]
)
def test_typical_mistake_gets_its_verdict_and_reason(name, answers, verdict, words):
    result = check(name, *answers)
    assert result.verdict == verdict, str(result)
    assert words in result.reason
    assert words in str(result)


def test_sklearn_float64_predictions_are_named():
    p64 = _float32_case()[0].astype(np.float64)
    result = check("ex-ch3-float32", _sklearn_log_loss(p64), _torch_bce_32())
    assert result.verdict == "close" and "machine epsilon" in result.reason


@pytest.mark.parametrize("log", [np.log10, np.log2], ids=["log10", "log2"])
def test_sklearn_mean_in_another_log_base_is_close(log):
    p32, _ = _float32_case()
    clipped = np.clip(p32.astype(np.float64), np.finfo(np.float32).eps, None)
    assert check("ex-ch3-float32", float(-log(clipped).mean()), _torch_bce_32()).reason.endswith(
        "nats"
    )


def test_sums_instead_of_means_are_close_by_a_factor_of_1000():
    p32, y = _float32_case()
    sk_sum = sklearn.metrics.log_loss(y, p32, labels=[0, 1], normalize=False)
    pt_sum = F.binary_cross_entropy(
        torch.from_numpy(p32), torch.from_numpy(y).float(), reduction="sum"
    ).item()
    result = check("ex-ch3-float32", sk_sum, pt_sum)
    assert [v for _, v, _ in result.parts] == ["close", "close"]
    assert all("factor of N = 1000" in r for _, _, r in result.parts)


def test_a_wrong_number_of_answers_says_what_is_asked():
    with pytest.raises(TypeError, match="asks for 2 number.*summed NLL.*geometric-mean"):
        check("ex-ch2-batch", 6.4)


def test_an_array_where_one_number_is_asked_is_refused():
    with pytest.raises(TypeError, match="should be one number.*shape \\(2,\\)"):
        check("ex-ch4-slope", np.array([0.1, 0.2]))


def test_a_mistyped_label_suggests_the_nearest():
    with pytest.raises(ValueError, match="did you mean 'ex-ch3-howmany'"):
        check("ex-ch3-howmny", 1.0)


def test_nan_is_wrong_not_an_error():
    assert check("ex-ch4-slope", float("nan")).verdict == "wrong"


def test_prose_only_exercise_says_it_has_no_check_and_official_raises(capsys):
    assert check("ex-ch3-mirror").verdict == "unchecked"
    assert "no automatic check" in capsys.readouterr().out
    with pytest.raises(AssertionError):
        check("ex-ch3-mirror", official=True)


def test_result_is_true_only_when_right():
    assert check("ex-ch8-nll-range", -1.0)
    assert not check("ex-ch8-nll-range", 1.0)


# --- function checks --------------------------------------------------------------------------


def grad_reference(z, y, pos_weight):
    s = expit(z)
    return -pos_weight * y * (1 - s) + (1 - y) * s


def grad_naive_sigmoid(z, y, pos_weight):
    s = np.exp(z) / (1 + np.exp(z))  # inf / inf = nan at large logits
    return -pos_weight * y * (1 - s) + (1 - y) * s


def grad_pos_weight_on_both(z, y, pos_weight):
    s = expit(z)
    return pos_weight * (-y * (1 - s) + (1 - y) * s)


def grad_of_the_mean(z, y, pos_weight):
    return grad_reference(z, y, pos_weight) / len(z)


def grad_wrong_sign(z, y, pos_weight):
    return -grad_reference(z, y, pos_weight)


def test_binary_grad_reference_is_right():
    result = check("ex-ch9-binary-grad", grad_reference)
    assert result.verdict == "right" and result.counter_example is None


def test_binary_grad_taken_by_torch_itself_is_right():
    def by_autograd(z, y, pos_weight):
        z_t = torch.tensor(z, requires_grad=True)
        F.binary_cross_entropy_with_logits(
            z_t,
            torch.tensor(y),
            pos_weight=torch.tensor(pos_weight, dtype=torch.float64),
            reduction="sum",
        ).backward()
        return z_t.grad

    assert check("ex-ch9-binary-grad", by_autograd).verdict == "right"


def test_binary_grad_that_overflows_is_close_with_the_large_logits_as_counter_example():
    result = check("ex-ch9-binary-grad", grad_naive_sigmoid)
    assert result.verdict == "close" and "edge case" in result.reason
    assert "logits up to ±800" in result.counter_example
    assert "z = [-800 -40 -0.001 40 800]" in result.counter_example
    received = result.counter_example.split("received:")[1]
    assert "nan" in received


def test_binary_grad_check_leaks_no_warning_from_the_student_function():
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        check("ex-ch9-binary-grad", grad_naive_sigmoid)


@pytest.mark.parametrize("wrong", [grad_pos_weight_on_both, grad_of_the_mean, grad_wrong_sign])
def test_subtly_wrong_binary_grad_is_wrong_with_a_counter_example(wrong):
    result = check("ex-ch9-binary-grad", wrong)
    assert result.verdict == "wrong"
    lines = result.counter_example.splitlines()
    assert lines[0].startswith("counter-example (")
    assert [line.split("=")[0].strip() for line in lines[1:4]] == ["z", "y", "pos_weight"]
    assert lines[4].lstrip().startswith("expected:") and lines[5].lstrip().startswith("received:")


def test_counter_example_shows_autograds_value_at_the_shown_inputs():
    """Recompute the expected value from the printed inputs: the counter-example is honest."""
    result = check("ex-ch9-binary-grad", grad_pos_weight_on_both)
    values = dict(re.findall(r"^\s+(\w+) = (.*)$", result.counter_example, flags=re.M))
    z = np.array(values["z"].strip("[]").split(), dtype=float)
    y = np.array(values["y"].strip("[]").split(), dtype=float)
    shown = np.array(
        result.counter_example.split("expected:")[1].splitlines()[0].strip(" []").split(),
        dtype=float,
    )
    np.testing.assert_allclose(
        shown, grad_reference(z, y, float(values["pos_weight"])), rtol=1e-4, atol=1e-6
    )


def test_a_function_that_raises_is_wrong_and_the_error_is_shown():
    def broken(z, y, pos_weight):
        raise ZeroDivisionError("oops")

    result = check("ex-ch9-binary-grad", broken)
    assert result.verdict == "wrong" and "raised ZeroDivisionError: oops" in result.counter_example


def test_a_number_given_to_a_function_exercise_is_refused():
    with pytest.raises(TypeError, match="asks for a function"):
        check("ex-ch9-binary-grad", 0.5)


def one_logit_reference(W, b):
    return W[1] - W[0], b[1] - b[0]


def test_two_to_one_reference_is_right():
    assert check("ex-ch6-two-to-one", one_logit_reference).verdict == "right"


def test_two_to_one_as_an_nn_linear_and_in_numpy_is_right():
    def as_module(W, b):
        layer = nn.Linear(W.shape[1], 1).double()
        with torch.no_grad():
            layer.weight.copy_(W[1:2] - W[0:1])
            layer.bias.copy_(b[1:2] - b[0:1])
        return layer

    assert check("ex-ch6-two-to-one", as_module).verdict == "right"
    assert (
        check(
            "ex-ch6-two-to-one", lambda W, b: (np.diff(W.numpy(), axis=0), np.diff(b.numpy()))
        ).verdict
        == "right"
    )


def test_two_to_one_with_the_classes_swapped_is_wrong():
    result = check("ex-ch6-two-to-one", lambda W, b: (W[0] - W[1], b[0] - b[1]))
    assert result.verdict == "wrong"
    assert "counter-example (d = 3)" in result.counter_example


def test_two_to_one_with_the_wrong_axis_says_the_shapes():
    result = check("ex-ch6-two-to-one", lambda W, b: (W[:, 1] - W[:, 0], b[1] - b[0]))
    assert result.verdict == "wrong"
    assert "raised ValueError: the layer has 2 weights" in result.counter_example


def softmax_grad_reference(z, y):
    return softmax(z, axis=1) - np.eye(z.shape[1])[y]


def test_softmax_grad_reference_and_autograd_itself_are_right():
    def by_autograd(z, y):
        z_t = torch.tensor(z, requires_grad=True)
        F.cross_entropy(z_t, torch.tensor(y), reduction="sum").backward()
        return z_t.grad

    assert check("ex-ch5-gradient", softmax_grad_reference).verdict == "right"
    assert check("ex-ch5-gradient", by_autograd).verdict == "right"


def test_softmax_grad_that_overflows_is_close_on_the_large_logits():
    def naive(z, y):
        e = np.exp(z)
        return e / e.sum(axis=1, keepdims=True) - np.eye(z.shape[1])[y]

    result = check("ex-ch5-gradient", naive)
    assert result.verdict == "close" and "logits up to ±1000" in result.reason
    assert "nan" in result.counter_example.split("received:")[1]


@pytest.mark.parametrize(
    "wrong",
    [
        lambda z, y: softmax_grad_reference(z, y) / len(z),  # the mean's gradient
        lambda z, y: -softmax_grad_reference(z, y),  # a sign
        lambda z, y: softmax(z, axis=1),  # the one-hot forgotten
        lambda z, y: softmax(z, axis=1) - np.eye(z.shape[1])[y[::-1]],  # labels misaligned
    ],
    ids=["mean", "sign", "no-one-hot", "misaligned"],
)
def test_subtly_wrong_softmax_grad_is_wrong_with_a_counter_example(wrong):
    result = check("ex-ch5-gradient", wrong)
    assert result.verdict == "wrong"
    assert result.counter_example.startswith("counter-example (")


def mean_from_none_reference(losses, target, weight):
    kept = target != -100
    return losses[kept].sum() / weight[target[kept]].sum()


def test_mean_from_none_reference_is_right():
    assert check("ex-ch7-from-none", mean_from_none_reference).verdict == "right"


def test_mean_from_none_that_forgets_ignore_index_is_close_and_shows_the_ignored_targets():
    result = check("ex-ch7-from-none", lambda losses, t, w: losses.sum() / w[t].sum())
    assert result.verdict == "close" and "ignore_index" in result.reason
    assert "target = " in result.counter_example and "-100" in result.counter_example
    assert "raised IndexError" in result.counter_example


@pytest.mark.parametrize(
    "wrong",
    [
        lambda losses, t, w: losses.mean(),  # the weights forgotten
        lambda losses, t, w: losses.sum() / w.sum(),  # every class's weight
        lambda losses, t, w: losses.sum() / (t != -100).sum(),  # a count, not a weight
    ],
    ids=["mean", "weight-sum", "count"],
)
def test_wrong_mean_from_none_is_wrong(wrong):
    assert check("ex-ch7-from-none", wrong).verdict == "wrong"


def test_mean_from_none_expected_value_is_pytorchs_mean_of_the_shown_losses():
    """Recompute the printed expected value from the printed losses, targets and weights."""
    result = check("ex-ch7-from-none", lambda losses, t, w: losses.mean())
    values = dict(re.findall(r"^\s+(\w+) = \[(.*)\]$", result.counter_example, flags=re.M))
    losses, target, weight = (
        np.array(values[k].split(), dtype=float) for k in ("losses", "target", "weight")
    )
    kept = target != -100
    shown = float(result.counter_example.split("expected:")[1].split()[0])
    assert shown == pytest.approx(
        losses[kept].sum() / weight[target[kept].astype(int)].sum(), rel=1e-4
    )


def global_mean_reference(ranks):
    total = sum(F.cross_entropy(z, t, reduction="sum") for z, t in ranks)
    return total / sum(len(t) for _, t in ranks)


def test_global_mean_reference_is_right():
    assert check("ex-ch11-allreduce", global_mean_reference).verdict == "right"


def test_mean_of_rank_means_is_wrong_with_the_ranks_shown():
    result = check(
        "ex-ch11-allreduce",
        lambda ranks: torch.stack([F.cross_entropy(z, t) for z, t in ranks]).mean(),
    )
    assert result.verdict == "wrong"
    assert result.counter_example.startswith("counter-example (ranks of 2 and 6 tokens)")
    assert result.counter_example.count("([[") == 2  # the two ranks' logits


def test_global_mean_from_rank_means_is_close_on_an_empty_rank():
    def via_means(ranks):
        return sum(F.cross_entropy(z, t) * len(t) for z, t in ranks) / sum(len(t) for _, t in ranks)

    result = check("ex-ch11-allreduce", via_means)
    assert result.verdict == "close" and "no tokens" in result.reason
    assert "([], [])" in result.counter_example


# --- the registry against the book ------------------------------------------------------------

EXERCISE = re.compile(
    r"^(`{3,}|:{3,})\{exercise\}[^\n]*\n:label: (ex-[\w-]+)\n(.*?)^\1\s*$", flags=re.M | re.S
)
SOLUTION = re.compile(
    r"^(`{3,})\{solution-start\} (ex-[\w-]+)\n(.*?)^`{3,}\{solution-end\}", flags=re.M | re.S
)


def _chapter_sources():
    return {
        name: source_path(name).read_text(encoding="utf-8")
        for name in toc_docnames()
        if source_path(name).suffix == ".md"
    }


def _exercises():
    """label -> (docname, statement, solution or '') for every exercise in the toc's pages."""
    found = {}
    for name, text in _chapter_sources().items():
        solutions = {m[2]: m[3] for m in SOLUTION.finditer(text)}
        for m in EXERCISE.finditer(text):
            found[m[2]] = (name, m[3], solutions.get(m[2], ""))
    return found


def test_the_chapters_have_exercises_to_check():
    assert len(_exercises()) >= 20


def test_every_exercise_is_checked_prose_only_or_in_a_pending_chapter():
    uncovered = [
        label
        for label in _exercises()
        if (label in ex.EXERCISES) + (label in ex.PROSE_ONLY) != 1
        and not any(label.startswith(p) for p in ex.PENDING)
    ]
    assert not uncovered, (
        "add each to lossutils.exercises.EXERCISES (a check) or PROSE_ONLY "
        f"(with the reason): {uncovered}"
    )


def test_every_registered_label_is_an_exercise_of_the_book():
    labels = _exercises()
    assert [name for name in [*ex.EXERCISES, *ex.PROSE_ONLY] if name not in labels] == []


@pytest.mark.parametrize("label", sorted(ex.EXERCISES))
def test_checked_exercise_says_how_to_check_and_its_solution_runs_the_check(label):
    _, statement, solution = _exercises()[label]
    assert f'check("{label}", ' in statement
    assert re.search(rf'check\("{label}", .*official=True\)', solution)


@pytest.mark.parametrize("label", sorted(ex.PROSE_ONLY))
def test_prose_only_exercise_offers_no_check(label):
    _, statement, solution = _exercises()[label]
    assert "check(" not in statement and f'check("{label}"' not in solution


@pytest.mark.parametrize("name", sorted(OFFICIAL))
def test_no_official_answer_is_written_in_the_module(name):
    source = (ROOT / "lossutils" / "exercises.py").read_text(encoding="utf-8")
    for part, official in zip(ex.EXERCISES[name].parts, OFFICIAL[name][0]):
        digits = part.sig or 3
        forms = {
            f"{official:.{digits - 1}e}",
            f"{official:.{digits}e}",
            f"{official:.{digits}g}",
            f"{official:.{digits + 1}g}",
            repr(official),
        }
        for form in forms:
            if len(form.strip("-").replace(".", "")) >= 3:  # "1", "49": too short to mean it
                assert form not in source, f"{name}: {form} is written in the module"


def test_importing_the_module_imports_neither_torch_nor_sklearn():
    code = (
        "import sys, lossutils.exercises; "
        "print(sorted({'torch', 'sklearn', 'scipy'} & set(sys.modules)))"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=ROOT
    ).stdout
    assert out.strip() == "[]"


def test_digest_command_prints_the_registry_lines():
    answers, named = OFFICIAL["ex-ch2-batch"]
    out = subprocess.run(
        [
            sys.executable,
            "-m",
            "lossutils.exercises",
            "digest",
            "ex-ch2-batch",
            *map(repr, answers),
        ],
        capture_output=True,
        text=True,
        check=True,
        cwd=ROOT,
    ).stdout
    assert out.startswith("        digests=(\n")
    printed = eval(out.strip().removeprefix("digests=").rstrip(","))  # a tuple literal
    assert printed == ex.EXERCISES["ex-ch2-batch"].digests


def test_check_command_exits_zero_only_when_right():
    def run(*values):
        return subprocess.run(
            [sys.executable, "-m", "lossutils.exercises", "check", "ex-ch8-nll-range", *values],
            capture_output=True,
            cwd=ROOT,
        )

    assert run("-1").returncode == 0 and run("1").returncode == 1


# --- the built book ----------------------------------------------------------------------------


@pytest.mark.parametrize("label", sorted(ex.EXERCISES))
def test_solution_cell_printed_right_in_the_executed_notebook(book_build, label):
    docname = _exercises()[label][0]
    outputs = "".join(
        "".join(o.get("text", ""))
        for cell in executed_notebook(book_build, docname)["cells"]
        if cell["cell_type"] == "code"
        for o in cell.get("outputs", [])
    )
    assert f"{label}: right" in outputs
