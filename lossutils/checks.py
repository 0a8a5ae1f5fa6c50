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
from typing import Literal, NamedTuple

import numpy as np

__all__ = ["CODES", "Finding", "LossInputWarning", "diagnose"]

_MULTICLASS = ("cross_entropy", "nll_loss")
_BINARY = ("binary_cross_entropy", "binary_cross_entropy_with_logits")

Severity = Literal["error", "warning", "note"]


class _Code(NamedTuple):
    severity: Severity
    meaning: str
    # An "error" code whose mistake PyTorch raises on for some inputs and runs
    # on for others (a float target, or the with-logits loss): there it is a
    # "warning".
    warning_where_torch_runs: bool = False


#: Every code a :class:`Finding` can carry: its severity and what it means.
#: ``CODES[code].severity`` is ``"error"`` (PyTorch raises on the input),
#: ``"warning"`` (the loss runs, but its value or gradient is wrong or
#: useless) or ``"note"`` (the loss is right; something is worth knowing).
#: Two error codes, ``one_logit_per_sample`` and ``target_out_of_range``, are
#: warnings on the inputs PyTorch accepts (``warning_where_torch_runs``).
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
        "error", "a 1-D input with 0/1 labels of its shape: one logit per sample of a binary problem",
        warning_where_torch_runs=True),
    "class_axis": _Code("error", "the classes are on the last axis, or the input is transposed (C, N)"),
    "target_shape": _Code("error", "target's shape fits no reading of input's shape"),
    # cross_entropy / nll_loss: target
    "prob_target_to_nll": _Code("error", "a float target of input's shape (probabilities or one-hot) given to nll_loss"),
    "one_hot_target": _Code("note", "a float one-hot target, read by cross_entropy as probabilities: correct"),
    "target_not_probabilities": _Code("warning", "a float target of input's shape that is not a distribution"),
    "integer_one_hot_target": _Code("error", "an integer target of input's shape (one-hot or not)"),
    "float_target": _Code("error", "class indices with a float dtype"),
    "bool_target": _Code("error", "class indices with a boolean dtype"),
    "target_dtype": _Code("error", "class indices of a dtype PyTorch refuses (int32, non-numeric)"),
    "all_ignored": _Code("warning", "every target equals ignore_index: the mean loss is nan"),
    "target_out_of_range": _Code(
        "error", "a class index outside [0, C) and not ignore_index; a binary target outside [0, 1]",
        warning_where_torch_runs=True),
    "single_class": _Code("warning", "every target is the same class"),
    "target_on_neg_inf": _Code("warning", "a target sits on a -inf score: an infinite loss"),
    # cross_entropy / nll_loss: scores
    "single_class_column": _Code("warning", "one column on the class axis: the loss is always 0"),
    "softmax_applied": _Code("warning", "probabilities given to cross_entropy (a softmax already applied)"),
    "log_softmax_applied": _Code("note", "log-probabilities given to cross_entropy: right, but nll_loss is cheaper"),
    "softmax_wrong_dim": _Code("warning", "input sums to 1 along an axis that is not the class axis"),
    "log_softmax_wrong_dim": _Code("warning", "input is a log_softmax over an axis that is not the class axis"),
    "probabilities_to_nll": _Code("warning", "probabilities given to nll_loss: the loss comes out negative"),
    "positive_to_nll": _Code("warning", "positive values (logits) given to nll_loss"),
    "nll_not_normalised": _Code("warning", "values <= 0 given to nll_loss whose exponentials do not sum to 1"),
    "uniform_predictions": _Code("warning", "all scores equal in every row: the loss is exactly log C"),
    "constant_output": _Code("warning", "the same scores for every sample: the output ignores the input"),
    # binary losses
    "two_columns": _Code("error", "two scores per sample against one label per sample"),
    "integer_target": _Code("error", "an integer or boolean target given to a binary loss"),
    "logits_to_bce": _Code("error", "values outside [0, 1] (logits) given to binary_cross_entropy"),
    "hard_predictions": _Code("warning", "every input exactly 0 or 1 given to binary_cross_entropy"),
    "probabilities_to_bce_with_logits": _Code(
        "warning", "values in [0, 1] (probabilities) given to binary_cross_entropy_with_logits"),
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
    severity: str
    message: str

    def __str__(self) -> str:
        return f"{self.severity}: {self.message}"


def _to_numpy(x):
    """Return ``(array, torch_dtype_name_or_None)`` for an array-like or a tensor."""
    if hasattr(x, "detach") and hasattr(x, "cpu") and hasattr(x, "numpy"):
        tensor = x.detach().cpu()
        try:
            arr = tensor.numpy()
        except TypeError:  # bfloat16 and other dtypes NumPy lacks
            arr = tensor.float().numpy()
        return np.asarray(arr), str(x.dtype)
    return np.asarray(x), None


def _tolerance(dtype) -> float:
    """How far from 1 a row sum may be and still count as "sums to 1"."""
    if dtype.kind == "f" and dtype.itemsize <= 2:
        return 1e-2
    if dtype.kind == "f" and dtype.itemsize == 4:
        return 1e-4
    return 1e-7


def _logsumexp(x, axis):
    """Stable log-sum-exp along ``axis``; rows of all ``-inf`` give ``-inf``."""
    m = np.max(x, axis=axis, keepdims=True)
    m = np.where(np.isfinite(m), m, 0.0)
    with np.errstate(divide="ignore"):
        out = np.log(np.sum(np.exp(x - m), axis=axis, keepdims=True)) + m
    return np.squeeze(out, axis=axis)


def _sums_to_one(x, axis, tol) -> bool:
    """Every entry in [0, 1] and every slice along ``axis`` sums to 1."""
    if x.size == 0 or not np.all(np.isfinite(x)):
        return False
    if np.any(x < 0) or np.any(x > 1):
        return False
    return bool(np.all(np.abs(x.sum(axis=axis) - 1.0) <= tol))


def _is_log_probabilities(x, axis, tol) -> bool:
    """Every entry <= 0 and every slice along ``axis`` has exp-sum 1."""
    if x.size == 0 or np.any(np.isnan(x)) or np.any(x > tol):
        return False
    return bool(np.all(np.abs(_logsumexp(x, axis)) <= tol))


def _fmt(v) -> str:
    return f"{float(v):.4g}"


def diagnose(input, target, loss="cross_entropy", *, ignore_index=-100, warn=True):
    """Look for common mistakes in what is about to be passed to a loss.

    Each problem found is issued as a :class:`LossInputWarning` whose text
    names the fix, and also returned, so that a notebook can print it.
    Correct input produces no warning and an empty list (apart from
    ``"note"`` findings, which are returned but never warned).

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
      every sample; a target with only one class;
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
    x, x_torch_dtype = _to_numpy(input)
    t, t_torch_dtype = _to_numpy(target)
    findings: list[Finding] = []

    def add(code, message, *, torch_raises=True):
        findings.append(_finding(code, message, torch_raises=torch_raises))

    if x.dtype.kind not in "fc":
        add("integer_input",
            f"input has dtype {x_torch_dtype or x.dtype}, but losses need floating-point "
            "input: convert it with input.float() (NumPy: input.astype(float)).")
        if x.dtype.kind not in "iub":
            _emit(findings, warn)
            return findings
    tol = _tolerance(x.dtype) if x.dtype.kind == "f" else 1e-7
    if x_torch_dtype in ("torch.bfloat16", "torch.float16"):
        tol = 1e-2  # read as float32, but rounded like a half-precision tensor
    x = x.astype(np.float64)

    n_nan = int(np.isnan(x).sum())
    n_posinf = int(np.isposinf(x).sum())
    if n_nan:
        add("nan_input",
            f"input contains {n_nan} NaN value(s): the loss and every gradient will be nan. "
            "Find where they appear upstream (a log of 0, a 0/0, an exploding gradient, "
            "torch.log(softmax(x)) instead of log_softmax) before looking at the loss.")
    if n_posinf:
        add("inf_input",
            f"input contains {n_posinf} +inf value(s): the loss will be inf or nan. "
            "Check for overflow upstream (a learning rate too large, an unscaled feature).")

    if loss in _MULTICLASS:
        _check_multiclass(x, t, t_torch_dtype, loss, ignore_index, tol, add)
    else:
        _check_binary(x, t, t_torch_dtype, loss, tol, add)

    _emit(findings, warn)
    return findings


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


def _emit(findings, warn):
    if not warn:
        return
    for f in findings:
        if f.severity != "note":
            warnings.warn(f"{f.code}: {f.message}", LossInputWarning, stacklevel=3)


def _check_multiclass(x, t, t_torch_dtype, loss, ignore_index, tol, add):
    name = loss
    if x.ndim == 0:
        add("scalar_input",
            f"input is a scalar, but {name} needs one score per class: shape (C,), (N, C) "
            "or (N, C, d1, ..., dK).")
        return
    cax = 0 if x.ndim == 1 else 1
    index_shape = x.shape[:cax] + x.shape[cax + 1:]
    vax = cax  # the axis whose values are checked as the class axis
    mode = None  # "index", "prob" or None (shapes do not fit)

    binary_labels = (
        x.ndim == 1 and t.shape == x.shape and x.size >= 2
        and t.dtype.kind in "iufb" and np.all((t == 0) | (t == 1))
        and not (t.dtype.kind == "f" and t.sum() == 1)
    )
    if binary_labels:
        add("one_logit_per_sample", torch_raises=t.dtype.kind != "f", message=
            f"input has shape {x.shape} and target holds 0/1 labels of the same shape: this looks "
            f"like one logit per sample of a binary problem, but {name} reads a 1-D input as the "
            f"{x.shape[0]} class scores of a single sample. Use "
            "binary_cross_entropy_with_logits(input, target.float()), or give the model two "
            f"outputs and pass input of shape ({x.shape[0]}, 2).")
        return
    if t.shape == x.shape and t.ndim >= 1 and t.dtype.kind == "f":
        mode = "prob"
        one_hot = bool(np.all((t == 0) | (t == 1)) and np.all(t.sum(axis=cax) == 1))
        if loss == "nll_loss":
            kind = "one-hot" if one_hot else "probability"
            add("prob_target_to_nll",
                f"target is a float {kind} array of input's shape {x.shape}, but nll_loss takes "
                f"class indices of shape {index_shape} (dtype int64): pass target.argmax(dim={cax}).")
        elif one_hot:
            add("one_hot_target",
                "target is one-hot, given as floats of input's shape. Since PyTorch 1.10 "
                "cross_entropy reads it as class probabilities, and the loss equals the one with "
                f"class indices target.argmax(dim={cax}); that is fine. Indices are cheaper, and "
                "ignore_index and nll_loss work only with them.")
        elif np.any(t < 0) or np.any(t > 1) or np.any(np.abs(t.sum(axis=cax) - 1) > max(tol, 1e-6)):
            add("target_not_probabilities",
                f"target has input's shape, so cross_entropy reads it as class probabilities, but "
                f"its values are not in [0, 1] or do not sum to 1 along dim {cax}. If these are "
                f"class indices, pass an int64 array of shape {index_shape}; if probabilities, "
                "normalise them.")
    elif t.shape == x.shape and x.ndim >= 2 and t.dtype.kind in "iub":
        one_hot = bool(np.all((t == 0) | (t == 1)) and np.all(t.sum(axis=cax) == 1))
        what = "a one-hot encoding" if one_hot else "integers of input's shape"
        add("integer_one_hot_target",
            f"target is {what} {t.shape}; PyTorch raises on it. Pass class indices "
            f"target.argmax(dim={cax}) (shape {index_shape})"
            + ("" if loss == "nll_loss" else ", or target.float() as class probabilities")
            + ".")
    elif t.shape == index_shape:
        mode = "index"
    elif x.ndim >= 3 and t.shape == x.shape[:-1]:
        order = ", ".join(["0", str(x.ndim - 1)] + [str(i) for i in range(1, x.ndim - 1)])
        add("class_axis",
            f"input has shape {x.shape} and target {t.shape}: the classes seem to be on the last "
            f"axis, but {name} expects them at dim 1, i.e. (N, C, d1, ..., dK). Move them: "
            f"input.permute({order}) (NumPy: np.moveaxis(input, -1, 1)).")
        vax = x.ndim - 1
        mode = "index"
    elif x.ndim == 2 and t.shape == (x.shape[1],):
        add("class_axis",
            f"input has shape {x.shape} and target {t.shape}: input looks transposed, (C, N) "
            f"instead of (N, C). Pass input.T.")
        vax = 0
        mode = "index"
    elif x.ndim >= 2 and t.shape == index_shape + (1,):
        add("target_shape",
            f"target has shape {t.shape}, one more axis than the {index_shape} that {name} "
            "expects: pass target.squeeze(-1).")
    else:
        add("target_shape",
            f"input has shape {x.shape}, so {name} expects class indices of shape {index_shape} "
            f"(or, for cross_entropy, probabilities of shape {x.shape}); target has shape {t.shape}.")

    C = x.shape[vax]
    if mode == "index":
        _check_index_target(x, t, t_torch_dtype, name, ignore_index, vax, C, add)

    if np.any(np.isnan(x)) or x.size == 0:
        return  # NaN already reported; an empty batch has no values to judge
    # values along the class axis
    if C == 1:
        add("single_class_column",
            f"input has a single column on the class axis (dim {vax}): {name} over one class "
            "is always 0 and teaches nothing. For a binary problem with one logit per sample use "
            "binary_cross_entropy_with_logits; otherwise output one score per class.")
        return
    others = [a for a in range(x.ndim) if a != vax]
    if loss == "cross_entropy":
        if _sums_to_one(x, vax, tol):
            bound = np.log1p((C - 1) * np.exp(-1.0))
            add("softmax_applied",
                f"every row of input is non-negative and sums to 1 along dim {vax}: these look "
                "like probabilities, i.e. a softmax was already applied. cross_entropy applies "
                f"its own log_softmax, so with {C} classes the loss can never fall below "
                f"log(1 + (C-1)/e) = {_fmt(bound)} and its gradients shrink. Pass the raw logits "
                "(remove the softmax layer).")
            return
        if _is_log_probabilities(x, vax, tol):
            add("log_softmax_applied",
                f"input looks like log-probabilities (<= 0, exp-sum 1 along dim {vax}). "
                "cross_entropy applies log_softmax again, which changes nothing, so the loss is "
                "right; nll_loss(input, target) gives the same value with less work.")
            return
        for ax in others:
            if x.shape[ax] > 1 and _sums_to_one(x, ax, tol):
                add("softmax_wrong_dim",
                    f"input sums to 1 along dim {ax}, not along the class dim {vax}: a softmax "
                    f"was applied over the wrong dim, and cross_entropy needs none at all. Pass "
                    "the raw logits.")
                return
            if x.shape[ax] > 1 and _is_log_probabilities(x, ax, tol):
                add("log_softmax_wrong_dim",
                    f"input is a log_softmax over dim {ax}, not over the class dim {vax}: that "
                    f"changes the loss. Pass the raw logits (or log_softmax(..., dim={vax})).")
                return
    else:  # nll_loss
        if _is_log_probabilities(x, vax, tol):
            pass
        elif _sums_to_one(x, vax, tol):
            add("probabilities_to_nll",
                f"input looks like probabilities (in [0, 1], summing to 1 along dim {vax}). "
                "nll_loss takes no log: it returns -input[target], so the 'loss' comes out "
                "negative, between -1 and 0. Pass log-probabilities, log_softmax(logits, dim=1), "
                "or give the logits to cross_entropy instead.")
            return
        elif any(x.shape[ax] > 1 and _is_log_probabilities(x, ax, tol) for ax in others):
            ax = next(a for a in others if x.shape[a] > 1 and _is_log_probabilities(x, a, tol))
            add("log_softmax_wrong_dim",
                f"input is a log_softmax over dim {ax}, not over the class dim {vax}: use "
                f"log_softmax(logits, dim={vax}).")
            return
        elif np.any(x > tol):
            add("positive_to_nll",
                f"input has positive values (largest {_fmt(np.nanmax(x))}), but log-probabilities "
                "are <= 0: these are logits, not log_softmax output. nll_loss returns "
                "-input[target], which is then not a loss (it can be negative and has no minimum). "
                "Use cross_entropy(logits, target), or nll_loss(log_softmax(logits, dim=1), target).")
            return
        else:
            worst = np.max(np.abs(_logsumexp(x, vax)))
            add("nll_not_normalised",
                f"input is <= 0 but its exponentials do not sum to 1 along dim {vax} (log of the "
                f"sum off by up to {_fmt(worst)}): this is not log_softmax output. nll_loss then "
                "rewards pushing every class down. Use log_softmax(logits, dim=1).")
            return
    _check_constant_scores(x, vax, C, name, add)


def _check_constant_scores(x, vax, C, name, add):
    rows = np.moveaxis(x, vax, -1).reshape(-1, C)
    finite = np.all(np.isfinite(rows))
    if not finite or rows.shape[0] == 0:
        return
    if np.all(np.ptp(rows, axis=1) <= 1e-6 * np.maximum(1.0, np.abs(rows).max(axis=1))):
        add("uniform_predictions",
            f"in every row all {C} scores are equal, so the predicted distribution is uniform and "
            f"the loss is exactly log C = {_fmt(np.log(C))}. Expected only at initialisation with "
            "zero weights; if the loss stays there, the model learns nothing (learning rate, dead "
            "units, labels shuffled apart from inputs).")
    elif rows.shape[0] >= 2 and np.all(np.ptp(rows, axis=0) <= 1e-6 * np.maximum(1.0, np.abs(rows).max(axis=0))):
        add("constant_output",
            f"every sample gets the same {C} scores: the model's output does not depend on its "
            "input (dead ReLUs, all-zero or unscaled features, a collapsed network). Training can "
            "then lower the loss only to the entropy of the class frequencies (log C when they are "
            "balanced).")


def _check_index_target(x, t, t_torch_dtype, name, ignore_index, vax, C, add):
    if t.dtype.kind == "f":
        whole = bool(np.all(np.isfinite(t)) and np.all(t == np.round(t)))
        add("float_target",
            f"target has a float dtype ({t_torch_dtype or t.dtype}), but {name} needs class "
            "indices of dtype int64 (torch.long); PyTorch raises 'expected target dtype to be "
            "Long'. "
            + ("Convert it: target.long()." if whole else
               "Its values are not whole numbers either: if these are probabilities of a binary "
               "problem, use binary_cross_entropy_with_logits with one logit per sample."))
        if not whole:
            return
    elif t.dtype.kind == "b":
        add("bool_target",
            f"target is boolean, but {name} needs class indices of dtype int64: target.long().")
    elif t.dtype.kind not in "iu":
        add("target_dtype", f"target has dtype {t.dtype}; {name} needs int64 class indices.")
        return
    elif t_torch_dtype is not None and t_torch_dtype not in ("torch.int64", "torch.uint8"):
        add("target_dtype",
            f"target is a tensor of {t_torch_dtype}, but {name} needs torch.long (int64) class "
            "indices; PyTorch raises on it. Convert it: target.long().")

    ti = t.astype(np.int64)
    valid = ti != ignore_index
    vals = ti[valid]
    if t.size and not np.any(valid):
        add("all_ignored",
            f"every target equals ignore_index={ignore_index}: with reduction='mean' the loss is "
            "0/0 = nan. Skip such batches, or use reduction='sum'.")
        return
    bad = (vals < 0) | (vals >= C)
    if np.any(bad):
        flat_bad = np.flatnonzero(valid.ravel())[np.flatnonzero(bad.ravel())]
        first = int(ti.ravel()[flat_bad[0]])
        pos = np.unravel_index(flat_bad[0], t.shape) if t.ndim else ()
        hint = ""
        bad_vals = np.unique(vals[bad])
        if vals.min() >= 1 and vals.max() == C:
            hint = " The labels run from 1 to C: they look 1-based; subtract 1."
        elif bad_vals.size == 1 and bad_vals[0] < 0:
            hint = (f" If {int(bad_vals[0])} marks padding, pass ignore_index={int(bad_vals[0])}.")
        elif np.all(bad_vals >= C):
            hint = " Does the model output fewer classes than the data has?"
        add("target_out_of_range",
            f"target has class index {first} at position {tuple(int(p) for p in pos)}, but input "
            f"has only {C} classes (indices 0 to {C - 1}) and ignore_index is {ignore_index}; "
            f"PyTorch raises 'Target {first} is out of bounds'.{hint}")
        return
    if C >= 2 and vals.size >= 2 and np.unique(vals).size == 1:
        add("single_class",
            f"all {vals.size} targets are class {int(vals[0])}. Harmless in one small batch of "
            "imbalanced data; a bug if it is the whole training set (labels overwritten, data "
            "sorted by class and not shuffled): the model can lower the loss by always predicting "
            "that class.")
    # a target sitting on a -inf score gives an infinite loss
    if np.any(np.isneginf(x)) and vals.size:
        xs = np.moveaxis(x, vax, -1)
        safe = np.where(valid, ti, 0)
        picked = np.take_along_axis(xs, safe[..., None], axis=-1)[..., 0]
        n = int(np.sum(np.isneginf(picked) & valid))
        if n:
            add("target_on_neg_inf",
                f"{n} target(s) sit on a -inf entry of input: the loss is inf and gradients nan. "
                "If input came from torch.log(softmax(x)), use log_softmax(x, dim=1), which stays "
                "finite; if -inf is a mask, the target class must not be masked.")


def _check_binary(x, t, t_torch_dtype, loss, tol, add):
    name = loss
    if t.shape != x.shape:
        if x.shape == t.shape + (1,):
            add("target_shape",
                f"input has shape {x.shape} and target {t.shape}: {name} needs equal shapes "
                "(PyTorch raises a ValueError). Pass input.squeeze(-1), or target.unsqueeze(-1).")
        elif t.shape == x.shape + (1,):
            add("target_shape",
                f"input has shape {x.shape} and target {t.shape}: {name} needs equal shapes. "
                "Pass target.squeeze(-1).")
        elif x.ndim == 2 and x.shape[1] == 2 and t.shape == x.shape[:1]:
            add("two_columns",
                f"input has two columns per sample and target is one label per sample: that is a "
                "two-class cross_entropy setup. Use cross_entropy(input, target.long()), or give "
                f"the model one output and use {name} on input of shape ({x.shape[0]},).")
        else:
            add("target_shape",
                f"input has shape {x.shape} and target {t.shape}: {name} needs one target per input value.")
    if t.dtype.kind in "iub":
        add("integer_target",
            f"target has dtype {t_torch_dtype or t.dtype}, but {name} needs float targets "
            "(PyTorch raises on integer ones): pass target.float().")
    tf = t.astype(np.float64) if t.dtype.kind in "iubf" else None
    if tf is not None and tf.size and np.all(np.isfinite(tf)):
        values = np.unique(tf)
        if np.any(tf < 0) or np.any(tf > 1):
            if set(values.tolist()) <= {-1.0, 1.0}:
                hint = "The labels are -1/+1 (the SVM convention): map them with (target + 1) / 2."
            else:
                hint = f"They range from {_fmt(values[0])} to {_fmt(values[-1])}."
            add("target_out_of_range", torch_raises=loss == "binary_cross_entropy", message=
                f"{name} needs targets in [0, 1] (the probability that y = 1). {hint}")
        elif tf.size >= 2 and values.size == 1:
            add("single_class",
                f"all {tf.size} targets are {_fmt(values[0])}. Harmless in one small batch of "
                "imbalanced data; a bug if it is the whole training set: the model can lower the "
                "loss by always predicting it.")
    if np.any(np.isnan(x)) or x.size == 0:
        return
    if loss == "binary_cross_entropy":
        if np.any(x < 0) or np.any(x > 1):
            add("logits_to_bce",
                f"input runs from {_fmt(x.min())} to {_fmt(x.max())}, outside [0, 1]: these look "
                "like logits, and binary_cross_entropy needs probabilities (PyTorch raises 'all "
                "elements of input should be between 0 and 1'). Give the logits to "
                "binary_cross_entropy_with_logits (BCEWithLogitsLoss), which applies the sigmoid "
                "itself and stays stable; do not add a sigmoid in front of BCE.")
            return
        if x.size >= 2 and np.all((x == 0) | (x == 1)):
            add("hard_predictions",
                "every input is exactly 0 or 1: thresholded or saturated predictions. Each wrong "
                "one costs log(0), clamped by PyTorch at 100, and gives no useful gradient. Pass "
                "logits to binary_cross_entropy_with_logits.")
    else:
        if x.size >= 2 and np.all((x >= 0) & (x <= 1)) and np.unique(x).size >= 2:
            add("probabilities_to_bce_with_logits",
                "every input is in [0, 1]: these look like probabilities (a sigmoid already "
                "applied). binary_cross_entropy_with_logits applies its own sigmoid, so the "
                "predicted probability stays between 0.5 and 0.731 and the loss cannot go below "
                "0.3133 for y = 1 or log 2 = 0.6931 for y = 0. Pass the raw logits, or use "
                "binary_cross_entropy on probabilities. (If these really are logits that happen "
                "to lie in [0, 1], ignore this.)")
            return
    if x.size >= 2 and np.ptp(x) == 0:
        add("constant_output",
            f"every input equals {_fmt(x.ravel()[0])}: the model's output does not depend on its "
            "input (dead units, all-zero or unscaled features, a collapsed network).")
