"""Self-checking exercises: is an answer right, close or wrong, without the answer on file.

In a chapter's notebook::

    from lossutils.exercises import check

    check("ex-ch3-howmany", ratio)             # an exercise that asks for a number
    check("ex-ch2-batch", total, gm)           # one that asks for two numbers, in order
    check("ex-ch9-binary-grad", grad)          # one that asks for a function

:func:`check` prints its verdict and returns a :class:`Result` whose ``verdict`` is
``"right"``, ``"close"`` or ``"wrong"``. *Close* names what is off: the log base (the answer
was computed with ``log10`` or ``log2`` instead of the natural log), a factor of N (a sum
instead of a mean), a forgotten 1 − p, a sign, or rounding only. A function is run against
PyTorch on seeded random and edge-case inputs, and the first disagreement is printed as a
counter-example: the inputs, the expected and the received value.

How a number is judged without storing it
-----------------------------------------
For each number an exercise asks for (a :class:`Part`), the registry holds digests: the first
16 hex digits of SHA-256 of ``SALT|exercise|part|tag|text``. ``text`` is a number rounded to
the part's significant digits ``sig`` and written ``f"{x:.{sig - 1}e}"`` (or, for an answer
that is zero up to rounding error, to ``dec`` decimals, ``f"{x:.{dec}f}"``). The ``tag`` is
``right`` for the official answer, a :class:`Variant`'s name for each typical mistake (the
official answer transformed, e.g. multiplied by N for a sum instead of a mean) and
``coarse`` for the official answer with one digit fewer. :func:`check` rounds the given
number the same ways, at ``sig`` and at ``sig + 1`` digits (so that float noise next to a
rounding boundary cannot flip the verdict), hashes it under each tag and looks the digest
up. Rounded answers are few: anyone who hashes every three-digit number finds them. The
digests keep the answers out of sight, not secret.

Maintainers: adding or changing a check
---------------------------------------
A numeric exercise is one entry of ``EXERCISES`` (here for a chapter 12 that does not exist)::

    "ex-ch12-kl": Numeric(
        Part("D_KL(p || q)", sig=3, variants=(*log_base(), SIGN)),
        Part("D_KL(q || p)", sig=3, variants=(*log_base(), SIGN)),
        digests=(),
    ),

Write it with ``digests=()`` and print the digests from the official answers, one per part,
at full precision (a variant with no transform takes its value as ``name=value``)::

    python -m lossutils.exercises digest ex-ch12-kl 0.08528 0.09116

then paste the printed ``digests=(...)`` over the empty one. The chapter's solution cell calls
``check("ex-ch12-kl", kl_pq, kl_qp, official=True)``, which raises if the official answer no
longer passes, so a stale digest fails the strict build. ``python -m lossutils.exercises
check ex-ch12-kl 0.08528 0.09116`` runs a check from the shell; ``... list`` lists them all.

A function exercise is ``Function(signature, judge)``: ``judge(fn)`` runs ``fn`` on its cases
(see :func:`_compare`) and returns ``(verdict, reason, counter_example)``. An exercise whose
answer is an explanation goes in ``PROSE_ONLY`` with a reason; one in a chapter still being
written is covered by its chapter's prefix in ``PENDING``. The book's tests require every
exercise label of every chapter to be in exactly one of these.

Examples
--------
>>> from lossutils.exercises import check
>>> result = check("ex-ch3-howmany", 12.0)
ex-ch3-howmany: wrong.
>>> result.verdict
'wrong'
>>> result = check("ex-ch1-scale", None)
ex-ch1-scale: no automatic check: the answer is an argument in words (scaling by c > 0 keeps
the order of the values), checked by reading the solution.
"""

from __future__ import annotations

import difflib
import hashlib
import math
import sys
import textwrap
import warnings
from dataclasses import dataclass, field
from typing import Callable

import numpy as np

__all__ = ["Result", "check"]

SALT = "lossbook/exercises/1"
_WIDTH = 92


# --- what the registry is made of ------------------------------------------------------------


@dataclass(frozen=True)
class Variant:
    """A typical mistake: its name, what to tell the student, and how it moves the answer.

    ``transform(official)`` is the answer the mistake gives. With no transform, the value is
    given to the ``digest`` command as ``name=value``. ``verdict`` is ``"close"`` for an answer
    that is right up to something (a base, a factor, a sign) and ``"wrong"`` for one that is
    wrong but common enough to deserve a hint.
    """

    name: str
    reason: str
    transform: Callable[[float], float] | None = None
    verdict: str = "close"


@dataclass(frozen=True)
class Part:
    """One number an exercise asks for, with its rounding and its typical mistakes."""

    description: str
    sig: int | None = 3
    dec: int | None = None
    variants: tuple[Variant, ...] = ()

    def text(self, x: float, extra: int = 0) -> str:
        """``x`` rounded to this part's precision plus ``extra`` digits, as a string."""
        if self.dec is not None:
            s = f"{x:.{max(self.dec + extra, 0)}f}"
        else:
            s = f"{x:.{max(self.sig - 1 + extra, 0)}e}"
        return s.lstrip("-") if float(s) == 0 else s  # -0.00 and 0.00 are one answer

    @property
    def coarse_reason(self) -> str:
        if self.dec is not None:
            return (
                f"agrees to {self.dec - 1} decimals but not to {self.dec}: rounding only, "
                "or a small slip"
            )
        return (
            f"agrees to {self.sig - 1} significant digits but not to {self.sig}: rounding "
            "only, or a small slip; keep more digits"
        )


@dataclass(frozen=True)
class Numeric:
    """An exercise whose answer is one or more numbers, given to :func:`check` in order."""

    parts: tuple[Part, ...]
    digests: tuple[str, ...] = ()

    def __init__(self, *parts: Part, digests: tuple[str, ...] = ()):
        object.__setattr__(self, "parts", parts)
        object.__setattr__(self, "digests", digests)


@dataclass(frozen=True)
class Function:
    """An exercise whose answer is a function, judged by running it against references."""

    signature: str
    judge: Callable


@dataclass(frozen=True)
class Result:
    """What :func:`check` found.

    Attributes
    ----------
    exercise : str
        The exercise label, e.g. ``"ex-ch3-howmany"``.
    verdict : {"right", "close", "wrong", "unchecked"}
        ``"unchecked"`` for an exercise that asks for an explanation.
    reason : str
        What is off, for a close or wrong answer with a known cause; empty otherwise.
    parts : tuple of (description, verdict, reason)
        One per number, for an exercise that asks for several.
    counter_example : str or None
        For a function: the inputs, the expected and the received value where it failed.
    """

    exercise: str
    verdict: str
    reason: str = ""
    parts: tuple = ()
    counter_example: str | None = None
    message: str = field(default="", repr=False)

    def __bool__(self) -> bool:
        return self.verdict == "right"

    def __str__(self) -> str:
        return self.message

    def _ipython_display_(self) -> None:
        """Show nothing: :func:`check` has printed the message already."""


def _digest(exercise: str, index: int, tag: str, text: str) -> str:
    payload = f"{SALT}|{exercise}|{index}|{tag}|{text}".encode()
    return hashlib.sha256(payload).hexdigest()[:16]


# --- variants that several exercises share ------------------------------------------------

SIGN = Variant("sign", "right up to a sign", lambda x: -x)
COMPLEMENT = Variant("complement", "the complement: a forgotten 1 − p", lambda x: 1 - x)


def log_base(power: int = 1) -> tuple[Variant, Variant]:
    """The answer computed with ``log10`` and with ``log2`` instead of the natural log.

    ``power`` says how the answer scales with a logarithm: 1 for a loss (a log), -1 for a
    count that divides by a log.
    """
    reason = (
        "right up to the log base: this is the answer in log{b}; the book's log is the "
        "natural log (np.log), and losses are in nats"
    )
    return (
        Variant("log10", reason.format(b="10"), lambda x: x / math.log(10) ** power),
        Variant("log2", reason.format(b="2"), lambda x: x / math.log(2) ** power),
    )


def sum_not_mean(n: int) -> Variant:
    """The sum of ``n`` terms given where their mean was asked for."""
    return Variant(
        "sum", f"right up to a factor of N = {n}: a sum instead of a mean", lambda x: n * x
    )


def mean_not_sum(n: int) -> Variant:
    """The mean of ``n`` terms given where their sum was asked for."""
    return Variant(
        "mean", f"right up to a factor of N = {n}: a mean instead of a sum", lambda x: x / n
    )


# --- function checks --------------------------------------------------------------------------


@dataclass(frozen=True)
class _Case:
    label: str
    inputs: dict  # argument name -> value, passed positionally in this order
    edge: bool = False  # an edge case: failing only these makes an answer "close"
    context: dict = field(default_factory=dict)  # given to the reference only, by name


def _as_array(value) -> np.ndarray:
    if hasattr(value, "detach"):
        value = value.detach().cpu().numpy()
    return np.asarray(value, dtype=np.float64)


def _copy(value):
    """A copy of an input, so that a student function that writes into it changes nothing."""
    if isinstance(value, (list, tuple)):
        return type(value)(_copy(v) for v in value)
    return value.clone() if hasattr(value, "clone") else np.copy(value)


def _show(value, indent: int = 6) -> str:
    """``value`` as text, its continuation lines indented by ``indent`` (under the first)."""
    return _layout(value).replace("\n", "\n" + " " * indent)


def _layout(value) -> str:
    if isinstance(value, (list, tuple)):  # e.g. one (logits, target) pair per rank
        opening, closing = "()" if isinstance(value, tuple) else "[]"
        items = [_layout(v).replace("\n", "\n ") for v in value]
        one_line = all("\n" not in v for v in items) and sum(map(len, items)) < 60
        return opening + (", " if one_line else ",\n ").join(items) + closing
    if hasattr(value, "detach"):
        value = value.detach().cpu().numpy()
    if isinstance(value, np.ndarray):
        return np.array2string(
            value,
            threshold=40,
            max_line_width=_WIDTH - 14,
            formatter={"float_kind": lambda v: f"{v:.6g}"},
        )
    return repr(value)


def _compare(fn, cases, expected, received, reference, *, rtol=1e-7, atol=1e-10):
    """Run ``fn`` on every case; return ``(verdict, reason, counter_example)``.

    ``expected(*inputs, **context)`` is the value of the ``reference`` (named in the message)
    and ``received(fn, *inputs)`` the value that ``fn`` leads to (both arrays); a case's
    ``context`` holds what the reference needs and the student's function is not given (the
    logits behind a row of losses, say). The student's function gets copies of the inputs and
    runs with NumPy's warnings silenced: only its values are judged. Ordinary cases are tried
    first; an answer that fails only edge cases is close.
    """
    ordered = [c for c in cases if not c.edge] + [c for c in cases if c.edge]
    for case in ordered:
        want = _as_array(
            expected(
                *[_copy(v) for v in case.inputs.values()],
                **{k: _copy(v) for k, v in case.context.items()},
            )
        )
        try:
            with warnings.catch_warnings(), np.errstate(all="ignore"):
                warnings.simplefilter("ignore")
                args = [_copy(v) for v in case.inputs.values()]
                got = received(fn, *args)
            got_text = _show(got, 12)
            got = _as_array(got)
            ok = got.shape == want.shape and bool(
                np.allclose(got, want, rtol=rtol, atol=atol) and np.all(np.isfinite(got))
            )
            if got.shape != want.shape:
                got_text += f"  (shape {got.shape}, expected shape {want.shape})"
        except Exception as exc:  # the student's code may raise anything; show it
            ok, got_text = False, f"raised {type(exc).__name__}: {exc}"
        if not ok:
            lines = [f"counter-example ({case.label}):"]
            lines += [f"  {name} = {_show(v, len(name) + 5)}" for name, v in case.inputs.items()]
            lines += [f"  expected: {_show(want, 12)}", f"  received: {got_text}"]
            if case.edge:
                return (
                    "close",
                    f"right on ordinary inputs, wrong on an edge case ({case.label})",
                    "\n".join(lines),
                )
            return "wrong", "", "\n".join(lines)
    labels = "; ".join(c.label for c in cases)
    return "right", f"agrees with {reference} on {len(cases)} cases ({labels})", None


def _judge_binary_grad(fn):
    """``grad(z, y, pos_weight)`` against autograd of ``F.binary_cross_entropy_with_logits``."""
    import torch
    import torch.nn.functional as F

    rng = np.random.default_rng(9)
    cases = [
        _Case(
            "labels 0 and 1",
            {"z": rng.normal(0, 3, 6), "y": rng.integers(0, 2, 6).astype(float), "pos_weight": 1.0},
        ),
        _Case("soft targets", {"z": rng.normal(0, 3, 6), "y": rng.random(6), "pos_weight": 1.0}),
        _Case(
            "soft targets and pos_weight 2.5",
            {"z": rng.normal(0, 3, 6), "y": rng.random(6), "pos_weight": 2.5},
        ),
        _Case(
            "logits up to ±800",
            {
                "z": np.array([-800.0, -40.0, -1e-3, 40.0, 800.0]),
                "y": np.array([1.0, 0.0, 0.5, 1.0, 0.0]),
                "pos_weight": 3.0,
            },
            edge=True,
        ),
    ]

    def expected(z, y, pos_weight):
        z_t = torch.tensor(z, dtype=torch.float64, requires_grad=True)
        F.binary_cross_entropy_with_logits(
            z_t,
            torch.tensor(y, dtype=torch.float64),
            reduction="sum",
            pos_weight=torch.tensor(pos_weight, dtype=torch.float64),
        ).backward()
        return z_t.grad.numpy()

    return _compare(fn, cases, expected, lambda f, z, y, w: f(z, y, w), "PyTorch's autograd")


def _judge_two_to_one(fn):
    """``one_logit_layer(W, b)``: ``BCEWithLogitsLoss`` of its layer against the two-logit CE."""
    import torch
    import torch.nn.functional as F

    gen = torch.Generator().manual_seed(6)

    def case(label, d, scale=1.0, edge=False):
        return _Case(
            label,
            {
                "W": scale * torch.randn(2, d, dtype=torch.float64, generator=gen),
                "b": scale * torch.randn(2, dtype=torch.float64, generator=gen),
                "x": torch.randn(4, d, dtype=torch.float64, generator=gen),
                "y": torch.tensor([0, 1, 1, 0]),
            },
            edge,
        )

    cases = [case("d = 3", 3), case("d = 1", 1), case("d = 5, weights of size 10", 5, 10.0)]

    def expected(W, b, x, y):
        return F.cross_entropy(x @ W.T + b, y, reduction="none")

    def received(f, W, b, x, y):
        layer = f(W, b)
        weight, bias = (layer.weight, layer.bias) if hasattr(layer, "weight") else layer
        weight = torch.as_tensor(_as_array(weight)).reshape(-1)
        bias = torch.as_tensor(_as_array(bias)).reshape(-1)
        if weight.numel() != W.shape[1] or bias.numel() != 1:
            raise ValueError(
                f"the layer has {weight.numel()} weights and {bias.numel()} "
                f"biases; nn.Linear({W.shape[1]}, 1) has {W.shape[1]} and 1"
            )
        return F.binary_cross_entropy_with_logits(x @ weight + bias, y.double(), reduction="none")

    return _compare(
        fn, cases, expected, received, "PyTorch's two-logit cross_entropy", rtol=1e-9, atol=1e-12
    )


def _judge_softmax_grad(fn):
    """``grad(z, y)`` against autograd of ``F.cross_entropy(..., reduction="sum")``."""
    import torch
    import torch.nn.functional as F

    rng = np.random.default_rng(5)

    def case(label, n, c, scale=2.0, edge=False):
        return _Case(label, {"z": rng.normal(0, scale, (n, c)), "y": rng.integers(0, c, n)}, edge)

    cases = [
        case("4 samples, 3 classes", 4, 3),
        case("2 samples, 2 classes", 2, 2),
        case("5 samples, 10 classes", 5, 10),
        _Case(
            "logits up to ±1000",
            {"z": np.array([[1000.0, 0.0, -1000.0], [-5.0, 800.0, 790.0]]), "y": np.array([2, 1])},
            edge=True,
        ),
    ]

    def expected(z, y):
        z_t = torch.tensor(z, dtype=torch.float64, requires_grad=True)
        F.cross_entropy(z_t, torch.tensor(y), reduction="sum").backward()
        return z_t.grad.numpy()

    return _compare(fn, cases, expected, lambda f, z, y: f(z, y), "PyTorch's autograd")


def _judge_mean_from_none(fn):
    """``mean_from_none(losses, target, weight)`` against ``F.cross_entropy``'s weighted mean."""
    import torch
    import torch.nn.functional as F

    gen = torch.Generator().manual_seed(7)

    def case(label, n, c, ignored=(), edge=False):
        logits = 2 * torch.randn(n, c, dtype=torch.float64, generator=gen)
        target = torch.randint(0, c, (n,), generator=gen)
        target[list(ignored)] = -100
        weight = 0.5 + 3 * torch.rand(c, dtype=torch.float64, generator=gen)
        losses = F.cross_entropy(logits, target, weight=weight, reduction="none")
        return _Case(
            label,
            {"losses": losses, "target": target, "weight": weight},
            edge,
            context={"logits": logits},
        )

    cases = [
        case("6 samples, 4 classes", 6, 4),
        case("8 samples, 3 classes", 8, 3),
        case("targets with ignore_index = -100", 7, 4, ignored=(1, 4, 5), edge=True),
    ]

    def expected(losses, target, weight, logits):
        return F.cross_entropy(logits, target, weight=weight)

    return _compare(
        fn,
        cases,
        expected,
        lambda f, losses, t, w: f(losses, t, w),
        "F.cross_entropy(logits, target, weight=weight)",
        rtol=1e-10,
    )


def _judge_global_mean(fn):
    """``global_mean(ranks)`` against ``F.cross_entropy`` of all the ranks' tokens at once."""
    import torch
    import torch.nn.functional as F

    gen = torch.Generator().manual_seed(11)

    def case(label, counts, c=3, edge=False):
        ranks = [
            (
                torch.randn(k, c, generator=gen, dtype=torch.float64),
                torch.randint(0, c, (k,), generator=gen),
            )
            for k in counts
        ]
        return _Case(label, {"ranks": ranks}, edge)

    cases = [
        case("ranks of 2 and 6 tokens", [2, 6]),
        case("ranks of 7, 1, 3 and 12 tokens", [7, 1, 3, 12]),
        case("a rank with no tokens", [4, 0, 5], edge=True),
    ]

    def expected(ranks):
        return F.cross_entropy(torch.cat([z for z, _ in ranks]), torch.cat([t for _, t in ranks]))

    return _compare(
        fn,
        cases,
        expected,
        lambda f, ranks: f(ranks),
        "F.cross_entropy over every token at once",
        rtol=1e-10,
    )


# --- the registry -----------------------------------------------------------------------------

EXERCISES: dict[str, Numeric | Function] = {
    "ex-ch1-flip": Numeric(
        Part(
            "the likelihood of the flipped labels",
            sig=3,
            variants=(
                Variant(
                    "log",
                    "this is the log-likelihood; the question asks for the likelihood",
                    math.log,
                ),
                Variant(
                    "nll",
                    "this is the negative log-likelihood; the question asks for the likelihood",
                    lambda x: -math.log(x),
                ),
                Variant(
                    "unflipped",
                    "this is the likelihood of the original labels: flip every label first",
                    verdict="wrong",
                ),
            ),
        ),
        digests=(
            "1f2b57e713963821 d47f98deadc97bb0 6a6a80e17c5dcb10 0be62a542428c930 "
            "1408976f139fd4f0 d4e55072ad30b4e8 715e8305e76f5cbd b823ac3bbe4250a9 "
            "8653bd0a18f9c5db",
        ),
    ),
    "ex-ch1-allheads": Numeric(
        Part(
            "the maximiser",
            sig=3,
            variants=(
                Variant(
                    "minimiser",
                    "that is where the likelihood is smallest",
                    lambda x: 1 - x,
                    verdict="wrong",
                ),
            ),
        ),
        digests=(
            "a18e360cffaec79d a1252ab338a47d87 5a3e8f239dd8cb68 872d3c8919445393 583e557c092763db",
        ),
    ),
    "ex-ch2-099": Numeric(
        Part(
            "the number of units of the smallest subnormal",
            sig=3,
            variants=(
                Variant(
                    "bound",
                    "that is the bound itself; whether the product stops there or "
                    "just below depends on which side of 0.99 the stored factor lies: run it",
                    lambda x: x + 1,
                ),
            ),
        ),
        digests=(
            "3d61425abafd7280 630d72225ae8513b 751fbf632e8daa30 7292a5684f6da27e 0fac9a618df6e207",
        ),
    ),
    "ex-ch2-batch": Numeric(
        Part(
            "the summed NLL of a batch",
            sig=3,
            variants=(
                Variant(
                    "mean",
                    "right up to a factor of N = 64: this is the mean; the sum is asked for",
                    lambda x: x / 64,
                ),
                SIGN,
            ),
        ),
        Part(
            "the geometric-mean probability",
            sig=3,
            variants=(
                Variant("sign", "a sign: exponentiate minus the mean NLL", lambda x: 1 / x),
                Variant(
                    "log10",
                    "right up to the log base: the NLL is in nats, so exponentiate "
                    "with e (np.exp), not 10",
                    lambda x: x ** math.log(10),
                ),
                Variant(
                    "log2",
                    "right up to the log base: the NLL is in nats, so exponentiate "
                    "with e (np.exp), not 2",
                    lambda x: x ** math.log(2),
                ),
                Variant(
                    "sum",
                    "right up to a factor of N = 64: exponentiate minus the mean NLL, "
                    "not minus the sum",
                    lambda x: x**64,
                ),
                COMPLEMENT,
            ),
        ),
        digests=(
            "765787855fd13cef dc84eab4d8a8b06d 272f6f0b4fcca49b c1bd4eec23faf5f1 "
            "e74743e0cee3cd5b 872fd671a19e4027 52f7ebe50e1e3ead",
            "8a837e1794f76e9d ed67c426bd65a0f0 f8fc215a3f3a6443 0ed8790e636f6e9f "
            "9dabf58f95f1cff2 6de73a0f17a66198 77e77a8a0f599ec0 14925db5df548859 "
            "2bcabf4c7bd36cf7 ac1e3831f871295f 93fbc7c8954ca255 8a36c6281ab6baad "
            "628bc19b1f52eb89",
        ),
    ),
    "ex-ch2-overflow": Numeric(
        Part(
            "the number of factors",
            sig=3,
            variants=(
                *log_base(power=-1),
                Variant("sign", "a sign: a count is positive (log 0.9 is negative)", lambda x: -x),
            ),
        ),
        digests=(
            "d35cdfcd3ea91518 0666f98a045e49a8 8702f9381f0708c6 bd4bbf752827d2c6 "
            "0c0f9430ca2170e0 0e59155505de8012 5ba28ab59e1c01d8 63edf87746df34e6 "
            "40ccc0b12fe16310",
        ),
    ),
    "ex-ch3-howmany": Numeric(
        Part(
            "the number of good predictions",
            sig=3,
            variants=(
                Variant(
                    "label-1",
                    "a forgotten 1 − p: the label is 0, so the mistake costs −log(1 − 0.99)",
                ),
                Variant(
                    "inverse",
                    "the ratio upside down: divide the mistake's cost by the cost "
                    "of one good prediction",
                    lambda x: 1 / x,
                ),
                Variant(
                    "floor",
                    "rounding only: the ratio of the two costs need not be a whole number",
                    math.floor,
                ),
                Variant(
                    "ceil",
                    "rounding only: the ratio of the two costs need not be a whole number",
                    math.ceil,
                ),
            ),
        ),
        digests=(
            "0d35cd3a68f08494 a4effc72e487b20c c2a15d4af048e899 8f8a198305f795f0 "
            "f2a5f8eba2695a25 78610dc6edbed2b6 9bbbce95d299b42a dfdf98aacda88050 "
            "240f136ba2bc6202 2580f63c693401ab caed58a28802ab3f",
        ),
    ),
    "ex-ch3-float32": Numeric(
        Part(
            "scikit-learn's mean log-loss",
            sig=4,
            variants=(
                sum_not_mean(1000),
                *log_base(),
                Variant(
                    "eps64",
                    "scikit-learn clips at the machine epsilon of the predictions' "
                    "dtype, and these predictions were float64: keep them float32",
                ),
            ),
        ),
        Part("PyTorch's mean log-loss", sig=4, variants=(sum_not_mean(1000),)),
        digests=(
            "ce3fa9df07494d5c 71edd39660d2088a b98390649069cb01 a98a95306f0eb6ca "
            "2c3b2d570aed5d56 96b9ade0fdd799ee 9d049746370c8ec2 b751c7ad354c1a9b "
            "e1f8ca38f463a328 9c742bd96806f201 f121e82d445f6d75",
            "a743826ae573a012 448946c129266f2a d2b2663a37dfbe19 b71364ee713a8191 6ceaaa65ef5441a4",
        ),
    ),
    "ex-ch4-slope": Numeric(
        Part(
            "the largest size of the gradient",
            sig=3,
            variants=(
                Variant(
                    "no-2",
                    "right up to a factor of 2: the derivative of (s − 1)² is 2(s − 1)",
                    lambda x: x / 2,
                ),
                Variant("sign", "a sign: the question asks for the size", lambda x: -x),
                Variant(
                    "slope",
                    "this is the largest slope of the sigmoid; the gradient of the "
                    "squared error multiplies it by 2(s − 1)",
                    verdict="wrong",
                ),
            ),
        ),
        digests=(
            "75afe0ff05e8f024 4da481faff40c8ae 5a8792c8ab71c7ad f1551022b1c7b070 "
            "d59003d9113da9c1 ee76f3e333d3e9df 8fb2df7912028fed 622459e810903864 "
            "f46892553bb59786",
        ),
    ),
    "ex-ch4-soft": Numeric(
        Part(
            "the minimising logit for q = 0.2",
            sig=3,
            variants=(
                Variant("sign", "a sign: this is the logit of 1 − q", lambda x: -x),
                *log_base(),
            ),
        ),
        Part(
            "the smallest loss for q = 0.2",
            sig=3,
            variants=(
                *log_base(),
                Variant(
                    "zero",
                    "the loss of a soft target cannot reach 0",
                    lambda x: 0.0,
                    verdict="wrong",
                ),
            ),
        ),
        digests=(
            "6f26e70e65299ec7 71b7481cdec1733d 9c621c2c437ce744 72c2cc51980818b9 "
            "eed6c2ad78102bd8 80dd96fceb96021e bcff6982ba5ad60b 304bff1235ee6f0e "
            "f5ace7a3c563280d",
            "ae2a8adc8b2faa02 16a102683c2c8659 cbda7cb0e9440400 e4e54522487ad450 "
            "e5c75dca7b882113 58c6db2557a7fcda 2b78a6ddb96c015c 79d5ad47034c65a9 "
            "f92b41c8cdbeba82",
        ),
    ),
    "ex-ch4-float64": Numeric(
        Part(
            "the logit from which float64's naive loss fails",
            sig=3,
            variants=(
                Variant(
                    "bits",
                    "right up to the log base: this is the threshold in bits, a power "
                    "of two; the logit is in nats",
                    lambda x: x / math.log(2),
                ),
                Variant(
                    "float32",
                    "this is float32's threshold; the question asks for float64",
                    lambda x: x * 24 / 53,
                ),
                SIGN,
            ),
        ),
        digests=(
            "8d808a2d8c3a3af1 df84ae45f5da86d4 9ebaebee7a87b6e4 a825c23cabb323f7 "
            "7f0657bf63f257c6 0694da48a69a3e34 a9b2b0dee3bc1008 ad49d9e63e5aa8f5 "
            "967a32ec36699ee0",
        ),
    ),
    "ex-ch5-temperature": Numeric(
        Part(
            "the largest probability at T = 0.1",
            sig=5,
            variants=(
                Variant(
                    "limit-0",
                    "that is the limit as T → 0, the one-hot vector; at T = 0.1 the "
                    "largest probability is still just below 1",
                    lambda x: 1.0,
                ),
                Variant(
                    "times-T-0.1",
                    "this multiplies the logits by T; the temperature divides them",
                    verdict="wrong",
                ),
            ),
        ),
        Part("the largest probability at T = 1", sig=4),
        Part(
            "the largest probability at T = 100",
            sig=4,
            variants=(
                Variant(
                    "limit-inf",
                    "that is the limit as T → ∞, the uniform distribution; at "
                    "T = 100 the largest probability is still a little above 1/3",
                    lambda x: 1 / 3,
                ),
                Variant(
                    "times-T-100",
                    "this multiplies the logits by T; the temperature divides them",
                    verdict="wrong",
                ),
            ),
        ),
        digests=(
            "628de1193a28b456 5a30d96c8951c20e b91a36060485144d 0a2c9919a9a3a85a "
            "4f1a3b27a42aafa9 d109279f43400cb7 a44f6a97843843c4",
            "3a6f7a198ff3d485 e4bc7e4cad02547c 7d177b754f8a5b70",
            "c9442e82049f3ac2 76c6c3d2198c2b6b ae733c53fe196bb4 1d47269d41ab2f2c "
            "6c7fa76857d6dcc5 23f8996a352980ed 5bff7797d56fd3f5",
        ),
    ),
    "ex-ch5-gradient": Function(
        "grad(z, y) -> dL/dz for the summed cross-entropy, shape (N, C)", _judge_softmax_grad
    ),
    "ex-ch5-kl": Numeric(
        Part(
            "D_KL(q || p)",
            sig=3,
            variants=(
                *log_base(),
                SIGN,
                Variant(
                    "reversed-qp",
                    "this is D_KL(p ‖ q): in D_KL(q ‖ p) the target q is the "
                    "one that weights the logs",
                    verdict="wrong",
                ),
            ),
        ),
        Part(
            "D_KL(p || q)",
            sig=3,
            variants=(
                *log_base(),
                SIGN,
                Variant(
                    "reversed-pq",
                    "this is D_KL(q ‖ p): in D_KL(p ‖ q) the prediction p is "
                    "the one that weights the logs",
                    verdict="wrong",
                ),
            ),
        ),
        digests=(
            "6065004b8199bf42 288a5f46e0bf77dd 46cd458de1104b4b f477023d444d2952 "
            "ef01e26b3c1a5df8 160e1d7c7d408d50 90c458b6c75069a2 27324e57c72e8e25 "
            "f8a2100aaae60469 1880383507542565 3139e8825a3f0421",
            "950eea01581546b9 1820e8632a831461 c7f6e466b484ac4c f661a71e915dc8c5 "
            "29d3a019b778baef 6913486cecd3bd9e 574edfe01ae2bb75 436e7dd116d86b55 "
            "6385a3514993fcfe e64bd6d204be842e 23c18fc8b067e057",
        ),
    ),
    "ex-ch5-stuck": Numeric(
        Part(
            "the loss of predicting the class frequencies",
            sig=3,
            variants=(
                *log_base(),
                SIGN,
                sum_not_mean(1000),
                Variant(
                    "uniform",
                    "that is log 10, the loss of the uniform prediction; predicting "
                    "the frequencies scores their entropy, which is lower",
                    verdict="wrong",
                ),
            ),
        ),
        digests=(
            "e7b98a30a9084836 d96d6916f774e2e3 e14e7b29d38ead71 679819dedb7e19ed "
            "1b774ee6cf947a1d c018902d1f853f0f 12ab35e56b4ed327 f17d0b2337da7095 "
            "397a9f8caf57c474 41680d3dea6f9a8a 99beee91711fe8ad cff2a13fc09b0300 "
            "5072ecdc77c66092",
        ),
    ),
    "ex-ch6-shift": Numeric(
        Part("the change of F.cross_entropy", sig=None, dec=6),
        Part(
            "the change of F.nll_loss",
            sig=3,
            variants=(
                Variant(
                    "sum",
                    "right up to a factor of N = 6: nll_loss averages over the batch",
                    lambda x: 6 * x,
                ),
                Variant("sign", "a sign: the mistaken loss goes down", lambda x: -x),
            ),
        ),
        digests=(
            "bd475afb13ba5833 3135970815323ce3 d6dc446f4f71020b",
            "5826352fa061c2b1 4de7b1267697cfc5 f6bed6f10dffb480 78085a089e2778eb "
            "b338c2ec894538ac 39ef7fa4b6f4c437 58c79a4ae29d1d60",
        ),
    ),
    "ex-ch6-two-to-one": Function("one_logit_layer(W, b) -> (weight, bias)", _judge_two_to_one),
    "ex-ch7-from-none": Function(
        "mean_from_none(losses, target, weight) -> PyTorch's mean", _judge_mean_from_none
    ),
    "ex-ch7-pos-weight-dup": Numeric(
        Part(
            "the mean with pos_weight over the mean with repeated positives",
            sig=3,
            variants=(
                Variant(
                    "equal",
                    "the sums agree but the means do not: pos_weight keeps the "
                    "denominator at N, repeating adds the copies to it",
                    lambda x: 1.0,
                    verdict="wrong",
                ),
                Variant(
                    "inverse",
                    "the ratio upside down: pos_weight's mean over the repeated one's",
                    lambda x: 1 / x,
                ),
            ),
        ),
        digests=(
            "b023537677f47ba5 a2d54056e48be6c8 43f75f956fb0ca00 3913926914bec4ab "
            "5ac5966565ec997e c4362a5911589d22 b42b5d5533c72152",
        ),
    ),
    "ex-ch7-smooth-min": Numeric(
        Part(
            "the probability of the true class at the minimiser",
            sig=3,
            variants=(
                Variant(
                    "one-minus-eps",
                    "PyTorch spreads ε over all C classes, the true one "
                    "included: the true class keeps 1 − ε + ε/C",
                    lambda x: 0.9,
                    verdict="wrong",
                ),
                Variant(
                    "one-hot",
                    "with smoothing the minimiser is not one-hot: it is the smoothed target",
                    lambda x: 1.0,
                    verdict="wrong",
                ),
            ),
        ),
        Part(
            "the smallest per-sample loss",
            sig=3,
            variants=(
                *log_base(),
                Variant(
                    "over-c-minus-1",
                    "this spreads ε over the C − 1 other classes; PyTorch spreads it over all C",
                    verdict="wrong",
                ),
                Variant(
                    "zero",
                    "the loss of a smoothed target cannot reach 0",
                    lambda x: 0.0,
                    verdict="wrong",
                ),
            ),
        ),
        digests=(
            "be4e7a822e567718 9a712b4a90299264 8e9ac5ddc32dfb8a 1cf6951544d0ac74 "
            "caeb3e803c6d605c 5528e2083cfcfb38 3a99ba4504ed863f",
            "be9a8d7607752a1a 3288c762d25ee8b4 23ca5fa32fb3ed91 8d7f3b62ead5ba30 "
            "30879b131e61784d 87e85a91eb40a695 ddd81b5dc3fbf1f6 465d305095b127dd "
            "f5f49b68ba7eda6b 15a44912de4f2ae1 437b5a9497b5c24c",
        ),
    ),
    "ex-ch8-floor-limit": Numeric(
        Part(
            "how far the floor lies above log C − 1 for C = 1000",
            sig=3,
            variants=(
                *log_base(),
                SIGN,
                Variant(
                    "floor",
                    "this is the floor itself; the question asks how far it lies above log C − 1",
                    verdict="wrong",
                ),
            ),
        ),
        digests=(
            "499d7a5d1ef0d546 9dd1b9a869e43358 7cf1d6783704ed4b ba7823a57f08911d "
            "cc132fd253239709 8921504a013a29c6 c837066d04ea55bf 5de03f70b6034635 "
            "0ab92f9ea186f01b af13327471937c07 ce1ee30e6a1f1dbd",
        ),
    ),
    "ex-ch8-nll-range": Numeric(
        Part(
            "the value training drives it to",
            sig=3,
            variants=(
                Variant("sign", "a sign: nll_loss returns minus the picked entry", lambda x: -x),
                Variant(
                    "zero",
                    "that is the other end of the range, where the true class gets probability 0",
                    lambda x: 0.0,
                    verdict="wrong",
                ),
            ),
        ),
        digests=(
            "2738b5e614184a00 5577501d638b8fde 3c7817d25325cbcd 4e37ab70c7cd1893 "
            "612f3f7dda28e106 904b06759a542033 ede8285f9ca02b2d",
        ),
    ),
    "ex-ch8-float64": Numeric(
        Part(
            "the first gap with an infinite loss",
            sig=4,
            variants=(
                Variant(
                    "bits",
                    "right up to the log base: this is the gap in bits, a power of "
                    "two; the gap between logits is in nats",
                    lambda x: x / math.log(2),
                ),
                Variant(
                    "one-power",
                    "one power of two short: e^(−gap) rounds to 0 only below "
                    "half the smallest subnormal",
                    lambda x: x - math.log(2),
                ),
                Variant(
                    "float32",
                    "this is float32's cliff; the question asks for float64",
                    lambda x: x * 150 / 1075,
                ),
            ),
        ),
        digests=(
            "ab97acbcab293c46 8e317cbac79dda8d 4ed7e84ca4f7d6bf 7c7b637a04f97287 "
            "776bfde46d5f7301 94a613b855d7c490 9a1b14d3ec9627cd cb23dc2f1d5a7e5a "
            "80b05c3e5dd368f7",
        ),
    ),
    "ex-ch9-binary-grad": Function(
        "grad(z, y, pos_weight) -> dl/dz, one per element", _judge_binary_grad
    ),
    "ex-ch9-match-sklearn": Numeric(
        Part(
            "the largest absolute weight",
            sig=3,
            variants=(
                Variant(
                    "penalty-not-over-n",
                    "right up to a factor of N in the penalty: it is ‖W‖² / (2N), not ‖W‖² / 2",
                ),
            ),
        ),
        digests=(
            "c2ef39ca425a21a7 bfe61f522dc445f0 8c09911f47f6069d 4e474b200f6f2ed4 5067c8661f81b4c0",
        ),
    ),
    "ex-ch9-weighted-scale": Numeric(
        Part(
            "the factor with reduction='mean'",
            sig=3,
            variants=(
                Variant(
                    "doubled",
                    "with 'mean' the weights also divide: the denominator doubles too",
                    lambda x: 2 * x,
                    verdict="wrong",
                ),
            ),
        ),
        Part(
            "the factor with reduction='sum'",
            sig=3,
            variants=(
                Variant(
                    "unchanged",
                    "with 'sum' no denominator cancels the doubling",
                    lambda x: x / 2,
                    verdict="wrong",
                ),
            ),
        ),
        digests=(
            "956e9896071c2257 b1a8418667210f5f 175eb2977b1a225a 6c7060aece2e1680 5c0568ecf50f3471",
            "1bb3ffe153884983 e7260a1a59f520e8 b224fded3e5f3f9b 0dabbd33a218eba5 51e7db68d61505e9",
        ),
    ),
    "ex-ch10-inverse-frequency": Numeric(
        Part(
            "the probability of each class at the minimiser",
            sig=3,
            variants=(
                Variant(
                    "inverse", "this is C; the probability is 1/C", lambda x: 1 / x, verdict="wrong"
                ),
            ),
        ),
        digests=(
            "31832fba79e7c73a 1d6044c668247ad5 fda2953d77dd0928 7009bd9122560404 1262eef0b1dcc2c0",
        ),
    ),
    "ex-ch10-undo-smoothing": Numeric(
        Part(
            "what the inversion gives for an output of 0.01",
            sig=3,
            variants=(
                Variant("no-division", "a forgotten factor: subtract ε/C, then divide by 1 − ε"),
                Variant("times", "divide by 1 − ε; this multiplies by it", verdict="wrong"),
                Variant(
                    "eps-not-over-c",
                    "label smoothing spreads ε over the C classes: subtract ε/C, not ε",
                    verdict="wrong",
                ),
                Variant(
                    "clipped",
                    "that is the clipped value; the question asks what the inversion itself gives",
                    lambda x: 0.0,
                    verdict="wrong",
                ),
            ),
        ),
        digests=(
            "750360fbb0e882a1 af5bb576ef20a7e0 537da85a02449c51 5c4205620e7e812b "
            "faee2b6dd0a82865 419adf0278258a1c a49bcf848825bff6 bc25c4b74733b224 "
            "ecf3277ee27d6430 66ef4beca17ca6ab 14ea0062d926003a",
        ),
    ),
    "ex-ch10-costs": Numeric(
        Part(
            "the threshold",
            sig=3,
            variants=(
                Variant(
                    "swapped",
                    "the costs swapped: a positive is predicted when p exceeds "
                    "c_FP / (c_FP + c_FN)",
                    lambda x: 1 - x,
                    verdict="wrong",
                ),
                Variant(
                    "odds",
                    "this is c_FP / c_FN, a ratio of costs; the threshold on a "
                    "probability is c_FP / (c_FP + c_FN)",
                    lambda x: x / (1 - x),
                    verdict="wrong",
                ),
                Variant(
                    "half",
                    "that is the threshold when both mistakes cost the same",
                    lambda x: 0.5,
                    verdict="wrong",
                ),
            ),
        ),
        digests=(
            "8285f3520a6cff97 a6030bef46d62201 800211912674a093 7eaa30ea279551af "
            "d182fb88f86b1edc 2d52a6300c99e98c eea8c8bbc74d8ef5 6893be6516b66e0c "
            "b1c86ff6fde6473d",
        ),
    ),
    "ex-ch10-bins": Numeric(
        *(
            Part(
                f"the ECE with {b} bins",
                sig=3,
                variants=(
                    Variant(
                        "percent",
                        "right up to a factor of 100: give the ECE as a fraction, not in percent",
                        lambda x: 100 * x,
                    ),
                ),
            )
            for b in (5, 10, 20, 50)
        ),
        digests=(
            "e24ea24049721f5e 49ddaf0d149ae288 93cfa87ea2167412 89058d45afba482c 738e9c9661490aaf",
            "558f6d9c8a6e707a 4a122fde89c5ed7b 33854e5fcc5c6dee 5d5be0a4f643964a 4fc03d8d80121e86",
            "c831c2fc69bec6f8 e00c912c5e4e4740 3def3aebd4537572 100306981d810e26 b147d77f2b8653d1",
            "b73b50800f0d10c4 bd048cd3226de12c ce9044a3a1d85fc1 857c529be809035b e197564d474f157f",
        ),
    ),
    "ex-ch11-float8": Numeric(
        Part(
            "the logit from which σ rounds to 1",
            sig=3,
            variants=(
                Variant(
                    "bits",
                    "right up to the log base: this is in bits; the logit is in nats",
                    lambda x: x / math.log(2),
                ),
                SIGN,
                Variant(
                    "e5m2-one",
                    "that is float8_e5m2's; the question asks for float8_e4m3fn",
                    verdict="wrong",
                ),
                Variant(
                    "float16-one",
                    "that is float16's; the question asks for float8_e4m3fn",
                    verdict="wrong",
                ),
            ),
        ),
        Part(
            "the gap from which the smaller probability rounds to 0",
            sig=3,
            variants=(
                Variant(
                    "bits",
                    "right up to the log base: this is in bits; the gap is in nats",
                    lambda x: x / math.log(2),
                ),
                Variant(
                    "normal",
                    "this is where the probability falls below the smallest normal "
                    "number; float8_e4m3fn has subnormals, and rounds to 0 only below half the "
                    "smallest of them (ε · tiny)",
                ),
                Variant(
                    "e5m2-zero",
                    "that is float8_e5m2's; the question asks for float8_e4m3fn",
                    verdict="wrong",
                ),
            ),
        ),
        digests=(
            "81463a784d722fc0 78b1e3a1a2c0d42f ea943b40459d3ff2 a3b668a4b37bebbe "
            "f7752858f17d1143 1bc5fae4685f5daf b96bc263a7dc314e b9dc72958a02b28d "
            "b05449b9b2b56187 2f1a34bcd49243d2 1bcc12cedfded852",
            "6b49dd077dceb3ab 5b7b2c6afec7b4ca e50b806ce2a8f393 bf596c529caa1518 "
            "121eee72b6ce3577 bb9df48871560ad6 00facab8006e8417 6d4a0aef36136558 "
            "7ad7570d4da7e4d3",
        ),
    ),
    "ex-ch11-allreduce": Function(
        "global_mean(ranks) -> the mean over every token", _judge_global_mean
    ),
    "ex-ch11-exp": Numeric(
        Part(
            "the first float16 logit at which torch.exp overflows",
            sig=3,
            variants=(
                *log_base(),
                Variant(
                    "float32",
                    "that is float32's (and bfloat16's) overflow; the logits are float16",
                    verdict="wrong",
                ),
                Variant(
                    "max",
                    "that is the largest float16 number; the question asks for the logit "
                    "whose exponential exceeds it",
                    lambda x: 65504.0,
                    verdict="wrong",
                ),
            ),
        ),
        digests=(
            "a364701dc630c680 30726f0c59e5e447 1c1b19dbea34c721 22d9095af4bfcc09 "
            "c823fad6a78c4912 8564e3880f69d4d6 d7a54ded47755415 913f73dcf89df646 "
            "8ec2c2a0f8fe51aa 35f3e9ede646377e 6f5c0e938c132061",
        ),
    ),
}

PROSE_ONLY: dict[str, str] = {
    "ex-ch1-scale": "the answer is an argument in words (scaling by c > 0 keeps the order of "
    "the values), checked by reading the solution",
    "ex-ch3-mirror": "the answer is a derivation (the two expressions are the same), checked "
    "by reading the solution",
    "ex-ch6-log-probs": "the answer is two one-line fixes and a preference, checked by "
    "reading the solution",
}

# chapters being written when the checks were made; their exercises get entries with them
# (empty: every chapter's exercises are checked or prose-only)
PENDING: dict[str, str] = {}


# --- check --------------------------------------------------------------------------------


def _judge_part(exercise: str, index: int, part: Part, stored: set[str], value):
    try:
        x = float(_as_array(value).reshape(()))
    except (TypeError, ValueError):
        shape = np.shape(value)
        raise TypeError(
            f"{exercise}: {part.description} should be one number; got "
            f"{type(value).__name__}" + (f" of shape {shape}" if shape else "")
        ) from None
    if not math.isfinite(x):
        return "wrong", f"{x} is not a finite number"
    tags = [("right", "right", "")] + [(v.name, v.verdict, v.reason) for v in part.variants]
    for tag, verdict, reason in tags:
        if any(_digest(exercise, index, tag, part.text(x, e)) in stored for e in (0, 1)):
            return verdict, reason
    if _digest(exercise, index, "coarse", part.text(x, -1)) in stored:
        return "close", part.coarse_reason
    return "wrong", ""


def _lookup(exercise: str):
    if exercise in EXERCISES or exercise in PROSE_ONLY:
        return EXERCISES.get(exercise)
    for prefix, why in PENDING.items():
        if exercise.startswith(prefix):
            raise ValueError(f"{exercise} has no check yet: {why}")
    near = difflib.get_close_matches(exercise, [*EXERCISES, *PROSE_ONLY], n=3)
    hint = f"; did you mean {', '.join(map(repr, near))}?" if near else ""
    raise ValueError(
        f"no exercise is labelled {exercise!r}{hint} (labels look like "
        "'ex-ch3-howmany', as in the exercise's check line)"
    )


def _wrap(text: str, indent: str = "") -> str:
    return textwrap.fill(
        text,
        width=_WIDTH,
        initial_indent=indent,
        subsequent_indent=indent + "  ",
        break_on_hyphens=False,
    )


def check(exercise: str, *answers, official: bool = False) -> Result:
    """Say whether ``answers`` answer ``exercise``: right, close (and why) or wrong.

    Parameters
    ----------
    exercise : str
        The exercise's label, e.g. ``"ex-ch3-howmany"``.
    *answers : numbers, or one function
        The numbers the exercise asks for, in the order it asks for them (a Python or NumPy
        number, or a one-element array or tensor), or the function it asks you to write.
    official : bool, default False
        For the book's own solution cells: raise ``AssertionError`` unless the verdict is
        right, so that a stale digest fails the build.

    Returns
    -------
    Result
        Its ``verdict`` is ``"right"``, ``"close"`` or ``"wrong"``; the message it printed is
        ``str(result)``.

    Examples
    --------
    An exercise that asks for two numbers judges each:

    >>> result = check("ex-ch2-batch", 1.0, 0.5)
    ex-ch2-batch: wrong.
      the summed NLL of a batch: wrong.
      the geometric-mean probability: wrong.
    >>> [verdict for _, verdict, _ in result.parts]
    ['wrong', 'wrong']

    A function is run against PyTorch. This gradient forgets ``pos_weight``:

    >>> import numpy as np
    >>> def grad(z, y, pos_weight):
    ...     return 1 / (1 + np.exp(-z)) - y
    >>> result = check("ex-ch9-binary-grad", grad)
    ex-ch9-binary-grad: wrong.
    counter-example (soft targets and pos_weight 2.5):
      z = [0.557862 -4.56801 7.0297 -0.282077 -1.15534 2.43254]
      y = [0.554497 0.923238 0.0897308 0.370132 0.605939 0.47773]
      pos_weight = 2.5
      expected: [-0.22133 -2.2836 0.909266 -0.25668 -1.05764 0.383699]
      received: [0.0814608 -0.912966 0.909385 0.059813 -0.366424 0.441546]
    >>> bool(result), result.verdict
    (False, 'wrong')
    """
    entry = _lookup(exercise)
    if entry is None:
        result = Result(
            exercise,
            "unchecked",
            message=_wrap(f"{exercise}: no automatic check: {PROSE_ONLY[exercise]}."),
        )
    elif isinstance(entry, Function):
        if len(answers) != 1 or not callable(answers[0]):
            raise TypeError(
                f"{exercise} asks for a function, {entry.signature}: "
                f"check({exercise!r}, your_function)"
            )
        verdict, reason, counter = entry.judge(answers[0])
        head = f"{exercise}: {verdict}" + (f": {reason}." if reason else ".")
        message = _wrap(head) + (f"\n{counter}" if counter else "")
        result = Result(exercise, verdict, reason, counter_example=counter, message=message)
    else:
        if len(answers) != len(entry.parts):
            names = ", ".join(p.description for p in entry.parts)
            raise TypeError(
                f"{exercise} asks for {len(entry.parts)} number(s), in this "
                f"order: {names}; got {len(answers)}"
            )
        parts = tuple(
            (part.description, *_judge_part(exercise, i, part, set(stored.split()), value))
            for i, (part, stored, value) in enumerate(zip(entry.parts, entry.digests, answers))
        )
        verdicts = [v for _, v, _ in parts]
        verdict = "wrong" if "wrong" in verdicts else "close" if "close" in verdicts else "right"
        if len(parts) == 1:
            reason = parts[0][2]
            message = _wrap(f"{exercise}: {verdict}" + (f": {reason}." if reason else "."))
        else:
            reason = "; ".join(f"{d}: {r}" for d, v, r in parts if r)
            message = "\n".join(
                [f"{exercise}: {verdict}."]
                + [_wrap(f"{d}: {v}" + (f": {r}." if r else "."), "  ") for d, v, r in parts]
            )
        result = Result(exercise, verdict, reason, parts=parts, message=message)
    print(result.message)
    if official and result.verdict != "right":
        raise AssertionError(
            f"the official answer to {exercise} no longer passes its check ({result.verdict}); "
            "if the answer changed on purpose, regenerate its digests with "
            f"`python -m lossutils.exercises digest {exercise} ...`"
        )
    return result


# --- the maintainer's command line --------------------------------------------------------------


def digests_for(exercise: str, officials, values: dict[str, float] | None = None):
    """The ``digests`` tuple of a numeric exercise, from its official answers.

    ``values`` gives the answer of each variant that has no transform, by name. A variant
    that rounds to the official answer (a log base in a ratio of logs), or to an earlier
    variant, is left out: it could not be told apart.
    """
    entry = EXERCISES[exercise]
    values = dict(values or {})
    if len(officials) != len(entry.parts):
        raise ValueError(
            f"{exercise} has {len(entry.parts)} part(s); got {len(officials)} official answers"
        )
    out = []
    for i, (part, official) in enumerate(zip(entry.parts, officials)):
        digests = [_digest(exercise, i, "right", part.text(official, e)) for e in (0, 1)]
        seen = {part.text(official, e) for e in (0, 1)}
        for v in part.variants:
            if v.transform is None and v.name not in values:
                raise ValueError(
                    f"variant {v.name!r} of {exercise} has no transform: give "
                    f"its value as {v.name}=..."
                )
            x = values.pop(v.name) if v.transform is None else v.transform(official)
            if not math.isfinite(x) or {part.text(x, e) for e in (0, 1)} & seen:
                print(
                    f"# {exercise} part {i}: variant {v.name!r} left out (it rounds to "
                    "the official answer or to an earlier variant)",
                    file=sys.stderr,
                )
                continue
            seen |= {part.text(x, e) for e in (0, 1)}
            digests += [_digest(exercise, i, v.name, part.text(x, e)) for e in (0, 1)]
        if part.dec is None and part.sig > 1 or part.dec is not None and part.dec > 1:
            digests.append(_digest(exercise, i, "coarse", part.text(official, -1)))
        out.append(" ".join(digests))
    if values:
        raise ValueError(f"{exercise} has no variant named {', '.join(values)}")
    return tuple(out)


def _format_digests(digests: tuple[str, ...]) -> str:
    lines = ["        digests=("]
    for part in digests:
        words = part.split()
        chunks = [" ".join(words[k : k + 4]) for k in range(0, len(words), 4)]
        for k, chunk in enumerate(chunks):
            end = " " if k < len(chunks) - 1 else ""
            comma = "," if k == len(chunks) - 1 else ""
            lines.append(f'            "{chunk}{end}"{comma}')
    lines.append("        ),")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    args = list(sys.argv[1:] if argv is None else argv)
    usage = (
        "usage: python -m lossutils.exercises digest EXERCISE VALUE... [VARIANT=VALUE...]\n"
        "       python -m lossutils.exercises check EXERCISE VALUE...\n"
        "       python -m lossutils.exercises list"
    )
    if not args or args[0] not in ("digest", "check", "list"):
        print(usage, file=sys.stderr)
        return 2
    if args[0] == "list":
        for name, entry in EXERCISES.items():
            kind = (
                entry.signature
                if isinstance(entry, Function)
                else "; ".join(p.description for p in entry.parts)
            )
            print(f"{name}: {kind}")
        for name in PROSE_ONLY:
            print(f"{name}: prose only")
        return 0
    if len(args) < 3:
        print(usage, file=sys.stderr)
        return 2
    exercise = args[1]
    numbers = [float(a) for a in args[2:] if "=" not in a]
    named = {k: float(v) for k, v in (a.split("=", 1) for a in args[2:] if "=" in a)}
    if args[0] == "check":
        return 0 if check(exercise, *numbers) else 1
    print(_format_digests(digests_for(exercise, numbers, named)))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
