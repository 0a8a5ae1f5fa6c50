"""Checks on what is about to be passed to a loss: :func:`diagnose`.

Most bugs with classification losses do not raise an error: a softmax applied
before ``CrossEntropyLoss``, probabilities given to ``nll_loss``, logits given
to ``BCELoss``'s with-logits sibling the wrong way round. The loss runs, returns
a number, and the model trains badly. :func:`diagnose` looks at the arrays (or
tensors) a user is about to pass and says, in plain words, what looks wrong and
how to fix it.

Only NumPy is imported here. A PyTorch tensor is read through its own
``.detach().cpu().numpy()`` methods, so this module never imports torch.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass
from typing import Any, Literal, NamedTuple

import numpy as np
from numpy.typing import NDArray

from .functional import logsumexp

__all__ = ["CODES", "Finding", "LossInputWarning", "diagnose"]

_MULTICLASS = ("cross_entropy", "nll_loss")
_BINARY = ("binary_cross_entropy", "binary_cross_entropy_with_logits")

Severity = Literal["error", "warning", "note"]
FloatArray = NDArray[np.floating]


class _Code(NamedTuple):
    severity: Severity
    meaning: str
    # An "error" code whose mistake PyTorch raises on for some inputs and runs
    # on for others (a float target, or the with-logits loss): there it is a
    # "warning".
    warning_where_torch_runs: bool = False


#: Every code a :class:`Finding` can carry, with its severity and a one-line
#: meaning (``CODES[code].severity``, ``CODES[code].meaning``). The severity
#: is ``"error"`` (PyTorch raises on the input), ``"warning"`` (the loss runs,
#: but its value or gradient is wrong or useless) or ``"note"`` (the loss is
#: right; something is worth knowing). Two error codes,
#: ``one_logit_per_sample`` and ``target_out_of_range``, are warnings on the
#: inputs PyTorch accepts (their ``warning_where_torch_runs`` is true).
#:
#: :meta hide-value:
CODES: dict[str, _Code] = {
    # input, any loss
    "integer_input": _Code("error", "input has an integer, boolean or non-numeric dtype"),
    "nan_input": _Code("warning", "input contains NaN"),
    "inf_input": _Code("warning", "input contains +inf"),
    # cross_entropy / nll_loss: shapes and layout
    "scalar_input": _Code("error", "a 0-d input, with no class axis"),
    "one_logit_per_sample": _Code(
        "error",
        "a 1-D input with 0/1 labels of its shape: one logit per sample of a binary problem",
        warning_where_torch_runs=True,
    ),
    "class_axis": _Code(
        "error", "the classes are on the last axis, or the input is transposed (C, N)"
    ),
    "target_shape": _Code("error", "target's shape fits no reading of input's shape"),
    # cross_entropy / nll_loss: target
    "prob_target_to_nll": _Code(
        "error", "a float target of input's shape (probabilities, one-hot) to nll_loss"
    ),
    "one_hot_target": _Code(
        "note", "a float one-hot target, read by cross_entropy as probabilities: correct"
    ),
    "target_not_probabilities": _Code(
        "warning", "a float target of input's shape that is not a distribution"
    ),
    "soft_target_classes_last": _Code(
        "warning",
        "soft targets that sum to 1 along the last axis, not dim 1: scored over the wrong axis",
    ),
    "integer_one_hot_target": _Code("error", "an integer target of input's shape (one-hot or not)"),
    "float_target": _Code("error", "class indices with a float dtype"),
    "bool_target": _Code("error", "class indices with a boolean dtype"),
    "target_dtype": _Code("error", "class indices of a dtype PyTorch refuses (int32, non-numeric)"),
    "all_ignored": _Code("warning", "every target equals ignore_index: the mean loss is nan"),
    "target_out_of_range": _Code(
        "error",
        "a class index outside [0, C) and not ignore_index; a binary target outside [0, 1]",
        warning_where_torch_runs=True,
    ),
    "single_class": _Code(
        "note", "every target is the same class: routine in one batch, a bug in a whole dataset"
    ),
    "target_on_neg_inf": _Code("warning", "a target sits on a -inf score: an infinite loss"),
    # cross_entropy / nll_loss: scores
    "single_class_column": _Code("warning", "one column on the class axis: the loss is always 0"),
    "softmax_applied": _Code(
        "warning", "probabilities given to cross_entropy (a softmax already applied)"
    ),
    "log_softmax_applied": _Code(
        "note", "log-probabilities given to cross_entropy: right; nll_loss is cheaper"
    ),
    "softmax_wrong_dim": _Code(
        "warning", "input sums to 1 along an axis that is not the class axis"
    ),
    "log_softmax_wrong_dim": _Code(
        "warning", "input is a log_softmax over an axis that is not the class axis"
    ),
    "probabilities_to_nll": _Code(
        "warning", "probabilities given to nll_loss: the loss comes out negative"
    ),
    "positive_to_nll": _Code("warning", "positive values (logits) given to nll_loss"),
    "nll_not_normalised": _Code(
        "warning", "values <= 0 given to nll_loss whose exponentials do not sum to 1"
    ),
    "uniform_predictions": _Code(
        "warning", "all scores equal in every row: the loss is exactly log C"
    ),
    "constant_output": _Code(
        "warning", "the same scores for every sample: the output ignores the input"
    ),
    # binary losses
    "two_columns": _Code("error", "two scores per sample against one label per sample"),
    "integer_target": _Code("error", "an integer or boolean target given to a binary loss"),
    "logits_to_bce": _Code("error", "values outside [0, 1] (logits) given to binary_cross_entropy"),
    "hard_predictions": _Code(
        "warning", "every input exactly 0 or 1 given to binary_cross_entropy"
    ),
    "probabilities_to_bce_with_logits": _Code(
        "warning", "values in [0, 1] (probabilities) given to binary_cross_entropy_with_logits"
    ),
}


class LossInputWarning(UserWarning):
    """Warning issued by :func:`diagnose` for an input that looks like a mistake."""


@dataclass(frozen=True)
class Finding:
    """One thing :func:`diagnose` noticed.

    Attributes
    ----------
    code : str
        A short stable name, e.g. ``"softmax_applied"``: a key of
        :data:`CODES`, which gives its meaning. Tests and notebooks can
        select on it.
    severity : {"error", "warning", "note"}
        ``"error"``: PyTorch will raise on this input. ``"warning"``: the loss
        runs but its value or its gradient is wrong or useless. ``"note"``:
        the loss is right, but there is something worth knowing. Each code
        has one severity, given in :data:`CODES`.
    message : str
        What was seen and how to fix it, in plain words.
    """

    code: str
    severity: Severity
    message: str

    def __str__(self) -> str:
        return f"{self.severity}: {self.message}"


def _to_numpy(x: Any) -> tuple[NDArray[Any], str | None]:
    """Return ``(array, torch_dtype_name_or_None)`` for an array-like or a tensor."""
    if hasattr(x, "detach") and hasattr(x, "cpu") and hasattr(x, "numpy"):
        tensor = x.detach().cpu()
        try:
            arr = tensor.numpy()
        except TypeError:  # bfloat16 and other dtypes NumPy lacks
            arr = tensor.float().numpy()
        return np.asarray(arr), str(x.dtype)
    return np.asarray(x), None


def _tolerance(dtype: np.dtype) -> float:
    """How far from 1 a row sum may be and still count as "sums to 1"."""
    if dtype.kind == "f" and dtype.itemsize <= 2:
        return 1e-2
    if dtype.kind == "f" and dtype.itemsize == 4:
        return 1e-4
    return 1e-7


def _sums_to_one(scores: FloatArray, axis: int, tol: float) -> bool:
    """Every entry in [0, 1] and every slice along ``axis`` sums to 1."""
    if scores.size == 0 or not np.all(np.isfinite(scores)):
        return False
    if np.any(scores < 0) or np.any(scores > 1):
        return False
    return bool(np.all(np.abs(scores.sum(axis=axis) - 1.0) <= tol))


def _is_log_probabilities(scores: FloatArray, axis: int, tol: float) -> bool:
    """Every entry <= 0 and every slice along ``axis`` has exp-sum 1."""
    if scores.size == 0 or np.any(np.isnan(scores)) or np.any(scores > tol):
        return False
    return bool(np.all(np.abs(logsumexp(scores, axis=axis)) <= tol))


def _fmt(value: Any) -> str:
    """A number in a message: four significant digits."""
    return f"{float(value):.4g}"


def diagnose(
    input: Any,
    target: Any,
    loss: str = "cross_entropy",
    *,
    ignore_index: int = -100,
    warn: bool = True,
) -> list[Finding]:
    """Look for common mistakes in what is about to be passed to a loss.

    Each problem found is issued as a :class:`LossInputWarning` whose text
    names the fix, and also returned, so that a notebook can print it.
    Correct input produces no warning and an empty list (apart from
    ``"note"`` findings, which are returned but never warned: for example a
    batch whose targets are all one class, routine with imbalanced data).

    Parameters
    ----------
    input : array_like or torch.Tensor
        What the loss would receive as ``input``: logits for
        ``cross_entropy`` and ``binary_cross_entropy_with_logits``,
        log-probabilities for ``nll_loss``, probabilities for
        ``binary_cross_entropy``. Tensors are read with
        ``.detach().cpu().numpy()``; torch is never imported.
    target : array_like or torch.Tensor
        What the loss would receive as ``target``.
    loss : {"cross_entropy", "nll_loss", "binary_cross_entropy", \
"binary_cross_entropy_with_logits"}
        The loss, named as in ``torch.nn.functional`` and :mod:`lossutils`.
    ignore_index : int, default -100
        As in ``cross_entropy`` / ``nll_loss``: a target value that is skipped.
    warn : bool, default True
        Issue each error and warning finding with :func:`warnings.warn`.

    Returns
    -------
    list of Finding
        In the order checked; empty when nothing looks wrong.

    Raises
    ------
    ValueError
        If ``loss`` is not one of the four names above.

    Notes
    -----
    What is checked (the class axis is axis 1, or axis 0 for a 1-D input):

    * every loss: NaN or ``+inf`` in ``input``; an output that is the same for
      every sample; a target with only one class (a note);
    * ``cross_entropy``: rows that are non-negative and sum to 1 (a softmax
      already applied: the loss cannot fall below
      :math:`\\log(1 + (C-1)e^{-1})`); a softmax or log-softmax over the wrong
      axis; every row constant (uniform predictions, loss exactly
      :math:`\\log C`); a single class column;
    * ``nll_loss``: probabilities, or positive values (logits), where
      log-probabilities are expected (the "loss" then comes out negative);
      values <= 0 whose exponentials do not sum to 1;
    * both: the class axis last instead of at axis 1 (``(N, H, W, C)`` with a
      target ``(N, H, W)``); a transposed ``(C, N)`` input; float or boolean
      class indices; target values out of range and not ``ignore_index``
      (1-based labels, ``-1`` padding); every target ignored (a ``nan``
      mean); a one-hot target (an error for ``nll_loss``, correct for
      ``cross_entropy`` since PyTorch 1.10, which reads it as probabilities);
      a target on a ``-inf`` entry (an infinite loss); a 1-D input with 0/1
      labels of the same shape (one logit per sample of a binary problem,
      which these losses read as the class scores of a single sample);
    * ``binary_cross_entropy``: input outside [0, 1] (logits); input that is
      exactly 0 or 1 everywhere;
    * ``binary_cross_entropy_with_logits``: input entirely in [0, 1]
      (probabilities, a sigmoid already applied);
    * both binary losses: integer targets, targets outside [0, 1] (``-1/+1``
      labels), an ``(N, 1)`` input against an ``(N,)`` target, two columns per
      sample against class indices.

    These are heuristics on values: logits that happen to lie in [0, 1] look
    like probabilities. The message says so where it matters.

    Examples
    --------
    >>> import numpy as np
    >>> import lossutils as lu
    >>> logits = np.array([[2.0, 0.5, -1.0], [0.1, 1.2, 0.3]])
    >>> target = np.array([0, 1])
    >>> lu.diagnose(logits, target)
    []

    The same scores after a softmax are the classic mistake:

    >>> probs = np.exp(logits) / np.exp(logits).sum(axis=1, keepdims=True)
    >>> found = lu.diagnose(probs, target, warn=False)
    >>> [f.code for f in found]
    ['softmax_applied']
    >>> print(found[0].message[:62])
    every row of input is non-negative and sums to 1 along dim 1:

    Probabilities given to ``nll_loss``, which expects log-probabilities:

    >>> [f.code for f in lu.diagnose(probs, target, "nll_loss", warn=False)]
    ['probabilities_to_nll']
    """
    if loss not in _MULTICLASS + _BINARY:
        raise ValueError(
            f"loss must be one of {', '.join(map(repr, _MULTICLASS + _BINARY))}; got {loss!r}"
        )
    scores, input_torch_dtype = _to_numpy(input)
    target_values, target_torch_dtype = _to_numpy(target)
    report = _Report()

    if scores.dtype.kind not in "fc":
        report.add(
            "integer_input",
            f"input has dtype {input_torch_dtype or scores.dtype}, but losses need floating-point "
            "input: convert it with input.float() (NumPy: input.astype(float)).",
        )
        if scores.dtype.kind not in "iub":
            _emit(report.findings, warn)
            return report.findings
    tol = _tolerance(scores.dtype) if scores.dtype.kind == "f" else 1e-7
    if input_torch_dtype in ("torch.bfloat16", "torch.float16"):
        tol = 1e-2  # read as float32, but rounded like a half-precision tensor
    scores = scores.astype(np.float64)

    n_nan = int(np.isnan(scores).sum())
    n_posinf = int(np.isposinf(scores).sum())
    if n_nan:
        report.add(
            "nan_input",
            f"input contains {n_nan} NaN value(s): the loss and every gradient will be nan. "
            "Find where they appear upstream (a log of 0, a 0/0, an exploding gradient, "
            "torch.log(softmax(x)) instead of log_softmax) before looking at the loss.",
        )
    if n_posinf:
        report.add(
            "inf_input",
            f"input contains {n_posinf} +inf value(s): the loss will be inf or nan. "
            "Check for overflow upstream (a learning rate too large, an unscaled feature).",
        )

    if loss in _MULTICLASS:
        _check_multiclass(
            scores, target_values, target_torch_dtype, loss, ignore_index, tol, report
        )
    else:
        _check_binary(scores, target_values, target_torch_dtype, loss, tol, report)

    _emit(report.findings, warn)
    return report.findings


def _finding(code: str, message: str, *, torch_raises: bool = True) -> Finding:
    """A :class:`Finding` with the severity that :data:`CODES` gives ``code``.

    ``torch_raises=False`` marks an input that PyTorch accepts, which turns an
    error code that allows it into a warning.
    """
    entry = CODES[code]  # a code missing from the table is a KeyError here
    if torch_raises:
        return Finding(code, entry.severity, message)
    if not entry.warning_where_torch_runs:
        raise ValueError(f"finding {code!r} is never a warning where PyTorch runs; see CODES")
    return Finding(code, "warning", message)


class _Report:
    """The findings of one :func:`diagnose` call, in the order they were made."""

    def __init__(self) -> None:
        self.findings: list[Finding] = []

    def add(self, code: str, message: str, *, torch_raises: bool = True) -> None:
        self.findings.append(_finding(code, message, torch_raises=torch_raises))


def _emit(findings: list[Finding], warn: bool) -> None:
    """Issue every error and warning finding as a LossInputWarning, pointing at diagnose's caller."""
    if not warn:
        return
    for f in findings:
        if f.severity != "note":
            warnings.warn(f"{f.code}: {f.message}", LossInputWarning, stacklevel=3)


# ---------------------------------------------------------------------------
# cross_entropy and nll_loss
# ---------------------------------------------------------------------------


class _Layout(NamedTuple):
    """How the target reads against the input, as far as the shapes tell."""

    # "indices": class indices, checked as such; "probabilities": a float
    # target of input's shape; "other": a layout PyTorch refuses, already
    # reported; "binary_labels": one logit per sample, reported, nothing more
    # to check.
    target: Literal["indices", "probabilities", "other", "binary_labels"]
    # the axis of input that holds the classes: where PyTorch reads them (1, or
    # 0 for a 1-D input), or where they seem to be when that is elsewhere
    class_axis: int


def _check_multiclass(
    scores: FloatArray,
    target: NDArray[Any],
    target_torch_dtype: str | None,
    loss: str,
    ignore_index: int,
    tol: float,
    report: _Report,
) -> None:
    if scores.ndim == 0:
        report.add(
            "scalar_input",
            f"input is a scalar, but {loss} needs one score per class: shape (C,), (N, C) "
            "or (N, C, d1, ..., dK).",
        )
        return
    layout = _target_layout(scores, target, loss, tol, report)
    if layout.target == "binary_labels":
        return
    if layout.target == "indices":
        _check_index_target(
            scores, target, target_torch_dtype, loss, ignore_index, layout.class_axis, report
        )
    if np.any(np.isnan(scores)) or scores.size == 0:
        return  # NaN already reported; an empty batch has no values to judge
    _check_scores(scores, loss, layout.class_axis, tol, report)


def _is_one_hot(target: NDArray[Any], class_axis: int) -> bool:
    """Every entry 0 or 1, and exactly one 1 along ``class_axis``."""
    return bool(np.all((target == 0) | (target == 1)) and np.all(target.sum(axis=class_axis) == 1))


def _target_layout(
    scores: FloatArray, target: NDArray[Any], loss: str, tol: float, report: _Report
) -> _Layout:
    """Which layout the target is in, from the shapes (and dtype); reports a layout PyTorch refuses."""
    torch_class_axis = 0 if scores.ndim == 1 else 1
    index_shape = scores.shape[:torch_class_axis] + scores.shape[torch_class_axis + 1 :]

    binary_labels = (
        scores.ndim == 1
        and target.shape == scores.shape
        and scores.size >= 2
        and target.dtype.kind in "iufb"
        and np.all((target == 0) | (target == 1))
        and not (target.dtype.kind == "f" and target.sum() == 1)
    )
    if binary_labels:
        report.add(
            "one_logit_per_sample",
            torch_raises=target.dtype.kind != "f",
            message=f"input has shape {scores.shape} and target holds 0/1 labels of the same shape: this looks "
            f"like one logit per sample of a binary problem, but {loss} reads a 1-D input as the "
            f"{scores.shape[0]} class scores of a single sample. Use "
            "binary_cross_entropy_with_logits(input, target.float()), or give the model two "
            f"outputs and pass input of shape ({scores.shape[0]}, 2).",
        )
        return _Layout("binary_labels", torch_class_axis)

    if target.shape == scores.shape and target.ndim >= 1 and target.dtype.kind == "f":
        _check_probability_target(target, loss, torch_class_axis, index_shape, tol, report)
        return _Layout("probabilities", torch_class_axis)

    if target.shape == scores.shape and scores.ndim >= 2 and target.dtype.kind in "iub":
        what = (
            "a one-hot encoding"
            if _is_one_hot(target, torch_class_axis)
            else "integers of input's shape"
        )
        report.add(
            "integer_one_hot_target",
            f"target is {what} {target.shape}; PyTorch raises on it. Pass class indices "
            f"target.argmax(dim={torch_class_axis}) (shape {index_shape})"
            + ("" if loss == "nll_loss" else ", or target.float() as class probabilities")
            + ".",
        )
        return _Layout("other", torch_class_axis)

    if target.shape == index_shape:
        return _Layout("indices", torch_class_axis)

    if scores.ndim >= 3 and target.shape == scores.shape[:-1]:
        order = ", ".join(["0", str(scores.ndim - 1)] + [str(i) for i in range(1, scores.ndim - 1)])
        report.add(
            "class_axis",
            f"input has shape {scores.shape} and target {target.shape}: the classes seem to be on the last "
            f"axis, but {loss} expects them at dim 1, i.e. (N, C, d1, ..., dK). Move them: "
            f"input.permute({order}) (NumPy: np.moveaxis(input, -1, 1)).",
        )
        return _Layout("indices", scores.ndim - 1)

    if scores.ndim == 2 and target.shape == (scores.shape[1],):
        report.add(
            "class_axis",
            f"input has shape {scores.shape} and target {target.shape}: input looks transposed, (C, N) "
            f"instead of (N, C). Pass input.T.",
        )
        return _Layout("indices", 0)

    if scores.ndim >= 2 and target.shape == index_shape + (1,):
        report.add(
            "target_shape",
            f"target has shape {target.shape}, one more axis than the {index_shape} that {loss} "
            "expects: pass target.squeeze(-1).",
        )
    else:
        report.add(
            "target_shape",
            f"input has shape {scores.shape}, so {loss} expects class indices of shape {index_shape} "
            f"(or, for cross_entropy, probabilities of shape {scores.shape}); target has shape {target.shape}.",
        )
    return _Layout("other", torch_class_axis)


def _check_probability_target(
    target: NDArray[Any],
    loss: str,
    class_axis: int,
    index_shape: tuple[int, ...],
    tol: float,
    report: _Report,
) -> None:
    """A float target of input's shape: class probabilities for cross_entropy, refused by nll_loss."""
    one_hot = _is_one_hot(target, class_axis)
    # a target's rows are checked a little more loosely than scores: soft labels are often
    # stored in float32, whose rows sum to 1 only to a few 1e-7
    target_tol = max(tol, 1e-6)
    if loss == "nll_loss":
        kind = "one-hot" if one_hot else "probability"
        report.add(
            "prob_target_to_nll",
            f"target is a float {kind} array of input's shape {target.shape}, but nll_loss takes "
            f"class indices of shape {index_shape} (dtype int64): pass target.argmax(dim={class_axis}).",
        )
    elif one_hot:
        report.add(
            "one_hot_target",
            "target is one-hot, given as floats of input's shape. cross_entropy reads a target of "
            "input's shape as class probabilities, and the loss equals the one with "
            f"class indices target.argmax(dim={class_axis}); that is fine. Indices are cheaper, and "
            "ignore_index and nll_loss work only with them.",
        )
    elif target.size == 0 or _sums_to_one(target, class_axis, target_tol):
        return
    elif target.ndim >= 3 and _sums_to_one(target, target.ndim - 1, target_tol):
        # (N, d1, ..., C): PyTorch reads any target of input's shape as probabilities over dim 1,
        # so soft targets with the classes last are scored over the wrong axis, with no error
        order = ", ".join(["0", str(target.ndim - 1)] + [str(i) for i in range(1, target.ndim - 1)])
        report.add(
            "soft_target_classes_last",
            f"input and target have shape {target.shape} and the target sums to 1 along the last "
            f"axis, not along dim {class_axis}: the classes seem to be last, but cross_entropy "
            f"reads a target of input's shape as probabilities over dim {class_axis} and scores "
            f"the wrong axis without an error. Move the classes of both: input.permute({order}) "
            f"and target.permute({order}) (NumPy: np.moveaxis(a, -1, 1)).",
        )
    else:
        report.add(
            "target_not_probabilities",
            f"target has input's shape, so cross_entropy reads it as class probabilities, but "
            f"its values are not in [0, 1] or do not sum to 1 along dim {class_axis}. If these are "
            f"class indices, pass an int64 array of shape {index_shape}; if probabilities, "
            f"make them sum to 1 along dim {class_axis}.",
        )


def _check_index_target(
    scores: FloatArray,
    target: NDArray[Any],
    target_torch_dtype: str | None,
    loss: str,
    ignore_index: int,
    class_axis: int,
    report: _Report,
) -> None:
    """Class indices: their dtype, their range, how many classes they use, what scores they pick."""
    n_classes = scores.shape[class_axis]
    if target.dtype.kind == "f":
        whole = bool(np.all(np.isfinite(target)) and np.all(target == np.round(target)))
        report.add(
            "float_target",
            f"target has a float dtype ({target_torch_dtype or target.dtype}), but {loss} needs class "
            "indices of dtype int64 (torch.long) or uint8; PyTorch raises 'expected target dtype "
            "to be Long or Byte'. "
            + (
                "Convert it: target.long()."
                if whole
                else "Its values are not whole numbers either: if these are probabilities of a binary "
                "problem, use binary_cross_entropy_with_logits with one logit per sample."
            ),
        )
        if not whole:
            return
    elif target.dtype.kind == "b":
        report.add(
            "bool_target",
            f"target is boolean, but {loss} needs class indices of dtype int64: target.long().",
        )
    elif target.dtype.kind not in "iu":
        report.add(
            "target_dtype", f"target has dtype {target.dtype}; {loss} needs int64 class indices."
        )
        return
    elif target_torch_dtype is not None and target_torch_dtype not in (
        "torch.int64",
        "torch.uint8",
    ):
        report.add(
            "target_dtype",
            f"target is a tensor of {target_torch_dtype}, but {loss} needs torch.long (int64) class "
            "indices; PyTorch raises on it. Convert it: target.long().",
        )

    indices = target.astype(np.int64)
    counted = indices != ignore_index  # the targets that are not ignored
    counted_indices = indices[counted]
    if target.size and not np.any(counted):
        report.add(
            "all_ignored",
            f"every target equals ignore_index={ignore_index}: with reduction='mean' the loss is "
            "0/0 = nan. Skip such batches, or use reduction='sum'.",
        )
        return
    out_of_range = (counted_indices < 0) | (counted_indices >= n_classes)
    if np.any(out_of_range):
        _report_out_of_range(indices, counted, out_of_range, n_classes, ignore_index, report)
        return
    if n_classes >= 2 and counted_indices.size >= 2 and np.unique(counted_indices).size == 1:
        report.add(
            "single_class",
            f"all {counted_indices.size} targets are class {int(counted_indices[0])}. "
            "Harmless in one small batch of "
            "imbalanced data; a bug if it is the whole training set (labels overwritten, data "
            "sorted by class and not shuffled): the model can lower the loss by always predicting "
            "that class.",
        )
    # a target sitting on a -inf score gives an infinite loss
    if np.any(np.isneginf(scores)) and counted_indices.size:
        classes_last = np.moveaxis(scores, class_axis, -1)
        gather_at = np.where(
            counted, indices, 0
        )  # ignored targets gather class 0, then are masked out
        target_scores = np.take_along_axis(classes_last, gather_at[..., None], axis=-1)[..., 0]
        n_on_neg_inf = int(np.sum(np.isneginf(target_scores) & counted))
        if n_on_neg_inf:
            report.add(
                "target_on_neg_inf",
                f"{n_on_neg_inf} target(s) sit on a -inf entry of input: the loss is inf and gradients nan. "
                "If input came from torch.log(softmax(x)), use log_softmax(x, dim=1), which stays "
                "finite; if -inf is a mask, the target class must not be masked.",
            )


def _report_out_of_range(
    indices: NDArray[np.int64],
    counted: NDArray[np.bool_],
    out_of_range: NDArray[np.bool_],
    n_classes: int,
    ignore_index: int,
    report: _Report,
) -> None:
    """Name the first class index out of range, where it is, and the likely cause."""
    counted_indices = indices[counted]
    first_flat = np.flatnonzero(counted.ravel())[np.flatnonzero(out_of_range.ravel())][0]
    first = int(indices.ravel()[first_flat])
    position = np.unravel_index(first_flat, indices.shape) if indices.ndim else ()
    bad_values = np.unique(counted_indices[out_of_range])
    hint = ""
    if counted_indices.min() >= 1 and counted_indices.max() == n_classes:
        hint = " The labels run from 1 to C: they look 1-based; subtract 1."
    elif bad_values.size == 1 and bad_values[0] < 0:
        hint = f" If {int(bad_values[0])} marks padding, pass ignore_index={int(bad_values[0])}."
    elif np.all(bad_values >= n_classes):
        hint = " Does the model output fewer classes than the data has?"
    report.add(
        "target_out_of_range",
        f"target has class index {first} at position {tuple(int(p) for p in position)}, but input "
        f"has only {n_classes} classes (indices 0 to {n_classes - 1}) and ignore_index is {ignore_index}; "
        f"PyTorch raises 'Target {first} is out of bounds'.{hint}",
    )


def _check_scores(
    scores: FloatArray, loss: str, class_axis: int, tol: float, report: _Report
) -> None:
    """What the values along the class axis look like: logits, probabilities, log-probabilities."""
    n_classes = scores.shape[class_axis]
    if n_classes == 1:
        report.add(
            "single_class_column",
            f"input has a single column on the class axis (dim {class_axis}): {loss} over one class "
            "is always 0 and teaches nothing. For a binary problem with one logit per sample use "
            "binary_cross_entropy_with_logits; otherwise output one score per class.",
        )
        return
    if loss == "cross_entropy":
        as_expected = _check_logits(scores, class_axis, tol, report)
    else:
        as_expected = _check_log_probabilities(scores, class_axis, tol, report)
    if as_expected:
        _check_constant_scores(scores, class_axis, report)


def _other_axes(scores: FloatArray, class_axis: int) -> list[int]:
    """The axes other than the class axis along which a softmax could have been taken."""
    return [axis for axis in range(scores.ndim) if axis != class_axis and scores.shape[axis] > 1]


def _check_logits(scores: FloatArray, class_axis: int, tol: float, report: _Report) -> bool:
    """For cross_entropy: no softmax or log_softmax already applied. True if nothing was found."""
    n_classes = scores.shape[class_axis]
    if _sums_to_one(scores, class_axis, tol):
        floor = np.log1p((n_classes - 1) * np.exp(-1.0))
        report.add(
            "softmax_applied",
            f"every row of input is non-negative and sums to 1 along dim {class_axis}: these look "
            "like probabilities, i.e. a softmax was already applied. cross_entropy applies "
            f"its own log_softmax, so with {n_classes} classes the loss can never fall below "
            f"log(1 + (C-1)/e) = {_fmt(floor)} and its gradients shrink. Pass the raw logits "
            "(remove the softmax layer).",
        )
        return False
    if _is_log_probabilities(scores, class_axis, tol):
        report.add(
            "log_softmax_applied",
            f"input looks like log-probabilities (<= 0, exp-sum 1 along dim {class_axis}). "
            "cross_entropy applies log_softmax again, which changes nothing, so the loss is "
            "right; nll_loss(input, target) gives the same value with less work.",
        )
        return False
    for axis in _other_axes(scores, class_axis):
        if _sums_to_one(scores, axis, tol):
            report.add(
                "softmax_wrong_dim",
                f"input sums to 1 along dim {axis}, not along the class dim {class_axis}: a softmax "
                f"was applied over the wrong dim, and cross_entropy needs none at all. Pass "
                "the raw logits.",
            )
            return False
        if _is_log_probabilities(scores, axis, tol):
            report.add(
                "log_softmax_wrong_dim",
                f"input is a log_softmax over dim {axis}, not over the class dim {class_axis}: that "
                f"changes the loss. Pass the raw logits (or log_softmax(..., dim={class_axis})).",
            )
            return False
    return True


def _check_log_probabilities(
    scores: FloatArray, class_axis: int, tol: float, report: _Report
) -> bool:
    """For nll_loss: log-probabilities along the class axis. True if they are."""
    if _is_log_probabilities(scores, class_axis, tol):
        return True
    if _sums_to_one(scores, class_axis, tol):
        report.add(
            "probabilities_to_nll",
            f"input looks like probabilities (in [0, 1], summing to 1 along dim {class_axis}). "
            "nll_loss takes no log: it returns -input[target], so the 'loss' comes out "
            "negative, between -1 and 0. Pass log-probabilities, log_softmax(logits, dim=1), "
            "or give the logits to cross_entropy instead.",
        )
        return False
    for axis in _other_axes(scores, class_axis):
        if _is_log_probabilities(scores, axis, tol):
            report.add(
                "log_softmax_wrong_dim",
                f"input is a log_softmax over dim {axis}, not over the class dim {class_axis}: use "
                f"log_softmax(logits, dim={class_axis}).",
            )
            return False
    if np.any(scores > tol):
        report.add(
            "positive_to_nll",
            f"input has positive values (largest {_fmt(np.nanmax(scores))}), but log-probabilities "
            "are <= 0: these are logits, not log_softmax output. nll_loss returns "
            "-input[target], which is then not a loss (it can be negative and has no minimum). "
            "Use cross_entropy(logits, target), or nll_loss(log_softmax(logits, dim=1), target).",
        )
        return False
    worst = np.max(np.abs(logsumexp(scores, axis=class_axis)))
    report.add(
        "nll_not_normalised",
        f"input is <= 0 but its exponentials do not sum to 1 along dim {class_axis} (log of the "
        f"sum off by up to {_fmt(worst)}): this is not log_softmax output. nll_loss then "
        "rewards pushing every class down. Use log_softmax(logits, dim=1).",
    )
    return False


def _check_constant_scores(scores: FloatArray, class_axis: int, report: _Report) -> None:
    """Scores equal within every row (uniform predictions), or the same row for every sample."""
    n_classes = scores.shape[class_axis]
    rows = np.moveaxis(scores, class_axis, -1).reshape(-1, n_classes)
    if not np.all(np.isfinite(rows)) or rows.shape[0] == 0:
        return

    def equal_along(axis: int) -> bool:  # equal up to a relative 1e-6
        return bool(
            np.all(np.ptp(rows, axis=axis) <= 1e-6 * np.maximum(1.0, np.abs(rows).max(axis=axis)))
        )

    if equal_along(1):
        report.add(
            "uniform_predictions",
            f"in every row all {n_classes} scores are equal, so the predicted distribution is uniform and "
            f"the loss is exactly log C = {_fmt(np.log(n_classes))}. Expected only at initialisation with "
            "zero weights; if the loss stays there, the model learns nothing (learning rate, dead "
            "units, labels shuffled apart from inputs).",
        )
    elif rows.shape[0] >= 2 and equal_along(0):
        report.add(
            "constant_output",
            f"every sample gets the same {n_classes} scores: the model's output does not depend on its "
            "input (dead ReLUs, all-zero or unscaled features, a collapsed network). Training can "
            "then lower the loss only to the entropy of the class frequencies (log C when they are "
            "balanced).",
        )


# ---------------------------------------------------------------------------
# binary_cross_entropy and binary_cross_entropy_with_logits
# ---------------------------------------------------------------------------


def _check_binary(
    scores: FloatArray,
    target: NDArray[Any],
    target_torch_dtype: str | None,
    loss: str,
    tol: float,
    report: _Report,
) -> None:
    _check_binary_target(scores, target, target_torch_dtype, loss, report)
    if np.any(np.isnan(scores)) or scores.size == 0:
        return  # NaN already reported; an empty batch has no values to judge
    _check_binary_scores(scores, loss, report)


def _check_binary_target(
    scores: FloatArray,
    target: NDArray[Any],
    target_torch_dtype: str | None,
    loss: str,
    report: _Report,
) -> None:
    """A binary target: its shape against input's, its dtype, its values."""
    if target.shape != scores.shape:
        if scores.shape == target.shape + (1,):
            report.add(
                "target_shape",
                f"input has shape {scores.shape} and target {target.shape}: {loss} needs equal shapes "
                "(PyTorch raises a ValueError). Pass input.squeeze(-1), or target.unsqueeze(-1).",
            )
        elif target.shape == scores.shape + (1,):
            report.add(
                "target_shape",
                f"input has shape {scores.shape} and target {target.shape}: {loss} needs equal shapes. "
                "Pass target.squeeze(-1).",
            )
        elif scores.ndim == 2 and scores.shape[1] == 2 and target.shape == scores.shape[:1]:
            report.add(
                "two_columns",
                f"input has two columns per sample and target is one label per sample: that is a "
                "two-class cross_entropy setup. Use cross_entropy(input, target.long()), or give "
                f"the model one output and use {loss} on input of shape ({scores.shape[0]},).",
            )
        else:
            report.add(
                "target_shape",
                f"input has shape {scores.shape} and target {target.shape}: {loss} needs one target per input value.",
            )
    if target.dtype.kind in "iub":
        report.add(
            "integer_target",
            f"target has dtype {target_torch_dtype or target.dtype}, but {loss} needs float targets "
            "(PyTorch raises on integer ones): pass target.float().",
        )
    if target.dtype.kind not in "iubf" or not target.size:
        return
    target_float = target.astype(np.float64)
    if not np.all(np.isfinite(target_float)):
        return
    values = np.unique(target_float)
    if np.any(target_float < 0) or np.any(target_float > 1):
        if set(values.tolist()) <= {-1.0, 1.0}:
            hint = "The labels are -1/+1 (the SVM convention): map them with (target + 1) / 2."
        else:
            hint = f"They range from {_fmt(values[0])} to {_fmt(values[-1])}."
        report.add(
            "target_out_of_range",
            torch_raises=loss == "binary_cross_entropy",
            message=f"{loss} needs targets in [0, 1] (the probability that y = 1). {hint}",
        )
    elif target_float.size >= 2 and values.size == 1:
        report.add(
            "single_class",
            f"all {target_float.size} targets are {_fmt(values[0])}. Harmless in one small batch of "
            "imbalanced data; a bug if it is the whole training set: the model can lower the "
            "loss by always predicting it.",
        )


def _check_binary_scores(scores: FloatArray, loss: str, report: _Report) -> None:
    """Probabilities for binary_cross_entropy, logits for the with-logits loss; an output that varies."""
    if loss == "binary_cross_entropy":
        if np.any(scores < 0) or np.any(scores > 1):
            report.add(
                "logits_to_bce",
                f"input runs from {_fmt(scores.min())} to {_fmt(scores.max())}, outside [0, 1]: these look "
                "like logits, and binary_cross_entropy needs probabilities (PyTorch raises 'all "
                "elements of input should be between 0 and 1'). Give the logits to "
                "binary_cross_entropy_with_logits (BCEWithLogitsLoss), which applies the sigmoid "
                "itself and stays stable; do not add a sigmoid in front of BCE.",
            )
            return
        if scores.size >= 2 and np.all((scores == 0) | (scores == 1)):
            report.add(
                "hard_predictions",
                "every input is exactly 0 or 1: thresholded or saturated predictions. Each wrong "
                "one costs log(0), clamped by PyTorch at 100, and gives no useful gradient. Pass "
                "logits to binary_cross_entropy_with_logits.",
            )
    elif scores.size >= 2 and np.all((scores >= 0) & (scores <= 1)) and np.unique(scores).size >= 2:
        report.add(
            "probabilities_to_bce_with_logits",
            "every input is in [0, 1]: these look like probabilities (a sigmoid already "
            "applied). binary_cross_entropy_with_logits applies its own sigmoid, so the "
            "predicted probability stays between 0.5 and 0.731 and the loss cannot go below "
            "0.3133 for y = 1 or log 2 = 0.6931 for y = 0. Pass the raw logits, or use "
            "binary_cross_entropy on probabilities. (If these really are logits that happen "
            "to lie in [0, 1], ignore this.)",
        )
        return
    if scores.size >= 2 and np.ptp(scores) == 0:
        report.add(
            "constant_output",
            f"every input equals {_fmt(scores.ravel()[0])}: the model's output does not depend on its "
            "input (dead units, all-zero or unscaled features, a collapsed network).",
        )
