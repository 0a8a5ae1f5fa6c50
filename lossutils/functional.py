"""The softmax family and the classification losses, in NumPy, with PyTorch's semantics.

Every loss takes the arguments of its namesake in ``torch.nn.functional`` and
returns the same numbers (``log_loss`` follows ``sklearn.metrics.log_loss``).
Arrays go in and come out; a float32 input gives a float32 output, and a
reduced loss is a 0-d array of the input's dtype. Sums and means are
accumulated in float64 whatever the input dtype.

Natural logarithms throughout.
"""

from __future__ import annotations

import warnings
from typing import Literal

import numpy as np
from numpy.lib.array_utils import normalize_axis_tuple
from numpy.typing import ArrayLike, NDArray

from . import _validation as v

__all__ = [
    "sigmoid",
    "log_sigmoid",
    "logsumexp",
    "softmax",
    "log_softmax",
    "nll_loss",
    "cross_entropy",
    "binary_cross_entropy",
    "binary_cross_entropy_with_logits",
    "log_loss",
]

Reduction = Literal["none", "mean", "sum"]
FloatArray = NDArray[np.floating]

# Rows of input processed at a time by cross_entropy, so that its temporaries
# stay small (a few MiB) whatever the batch size.
_CHUNK_ELEMENTS = 1 << 18


# ---------------------------------------------------------------------------
# elementwise and softmax family
# ---------------------------------------------------------------------------


def _softplus(x: FloatArray) -> FloatArray:
    """log(1 + exp(x)) = max(x, 0) + log1p(exp(-|x|)), finite for every finite x."""
    return np.maximum(x, 0) + np.log1p(np.exp(-np.abs(x)))


def sigmoid(x: ArrayLike) -> FloatArray:
    r"""Logistic sigmoid, :math:`\sigma(x) = 1 / (1 + e^{-x})`, elementwise.

    Parameters
    ----------
    x : array_like of float
        Logits, any shape.

    Returns
    -------
    ndarray
        :math:`\sigma(x)`, same shape and dtype as `x`.

    Notes
    -----
    Computed as :math:`1/(1+e^{-|x|})` for :math:`x \ge 0` and
    :math:`e^{-|x|}/(1+e^{-|x|})` for :math:`x < 0`, so ``exp`` never
    overflows: ``sigmoid(-1000.)`` is a tiny 0 rather than an overflow warning.

    Examples
    --------
    >>> import numpy as np
    >>> import lossutils as lu
    >>> lu.sigmoid(np.array([-1000.0, 0.0, 2.0]))
    array([0.       , 0.5      , 0.88079708])
    """
    x = v.as_float_array(x, "x")
    e = np.exp(-np.abs(x))
    return np.where(x >= 0, 1 / (1 + e), e / (1 + e))


def log_sigmoid(x: ArrayLike) -> FloatArray:
    r"""Logarithm of the sigmoid, :math:`\log\sigma(x) = -\log(1 + e^{-x})`, elementwise.

    Parameters
    ----------
    x : array_like of float
        Logits, any shape.

    Returns
    -------
    ndarray
        :math:`\log\sigma(x)`, same shape and dtype as `x`; always :math:`\le 0`.

    Notes
    -----
    Computed as :math:`\min(x, 0) - \operatorname{log1p}(e^{-|x|})`, which is
    finite for every finite `x` and accurate to the last digits also where
    :math:`\sigma(x)` rounds to 1 (large positive `x`), where
    ``np.log(sigmoid(x))`` returns 0.

    Examples
    --------
    The naive formula returns ``-inf`` at -1000 and 0 at 40; the stable one
    returns the true values:

    >>> import numpy as np
    >>> import lossutils as lu
    >>> x = np.array([-1000.0, 0.0, 40.0])
    >>> with np.errstate(over="ignore", divide="ignore"):
    ...     np.log(1 / (1 + np.exp(-x)))
    array([       -inf, -0.69314718,  0.        ])
    >>> lu.log_sigmoid(x)
    array([-1.00000000e+03, -6.93147181e-01, -4.24835426e-18])
    """
    x = v.as_float_array(x, "x")
    return np.minimum(x, 0) - np.log1p(np.exp(-np.abs(x)))


def logsumexp(x: ArrayLike, axis: int | tuple[int, ...] | None = None, keepdims: bool = False) -> FloatArray:
    r"""Logarithm of the sum of exponentials, :math:`\log \sum_i e^{x_i}`, over `axis`.

    Parameters
    ----------
    x : array_like of float
        Input.
    axis : int or tuple of ints, optional
        Axis or axes to reduce; ``None`` (the default) reduces all of them,
        as in ``scipy.special.logsumexp``.
    keepdims : bool, default False
        Keep the reduced axes with length one.

    Returns
    -------
    ndarray
        The reduced values, in the dtype of `x` (a 0-d array if every axis is
        reduced).

    Notes
    -----
    With :math:`m = \max_i x_i` at index :math:`a`, computes
    :math:`m + \operatorname{log1p}(\sum_{i \ne a} e^{x_i - m})`: every
    exponent is :math:`\le 0`, so nothing overflows, and the largest term
    (exactly 1) is added inside ``log1p`` rather than to the sum, so a result
    close to :math:`m` keeps its last digits (``logsumexp([0, -40])`` is
    :math:`4.2 \times 10^{-18}`, not 0). A slice whose maximum is infinite
    gives that maximum (:math:`-\infty` for all :math:`-\infty`,
    :math:`+\infty` if it contains :math:`+\infty`); an empty slice gives
    :math:`-\infty`; NaN propagates.

    Examples
    --------
    >>> import numpy as np
    >>> import lossutils as lu
    >>> x = np.array([1000.0, 1000.0])
    >>> with np.errstate(over="ignore"):
    ...     np.log(np.sum(np.exp(x)))
    np.float64(inf)
    >>> lu.logsumexp(x)
    array(1000.69314718)
    """
    x = v.as_float_array(x, "x")
    axes = tuple(range(x.ndim)) if axis is None else normalize_axis_tuple(axis, x.ndim)
    kept = [d for d in range(x.ndim) if d not in axes]
    kept_shape = tuple(x.shape[d] for d in kept)
    n_rows, n_terms = int(np.prod(kept_shape)), int(np.prod([x.shape[d] for d in axes]))
    x2 = np.transpose(x, kept + list(axes)).reshape(n_rows, n_terms)
    if n_terms == 0:
        out = np.full(n_rows, -np.inf, dtype=x.dtype)
    else:
        a = np.argmax(x2, axis=1)
        m = x2[np.arange(n_rows), a]
        s_other = _sum_exp_others(x2, m, a)
        with np.errstate(invalid="ignore"):  # rows with infinite m are replaced by m just below
            out = np.where(np.isfinite(m), m + np.log1p(s_other), m)
    if keepdims:
        return out.reshape([1 if d in axes else x.shape[d] for d in range(x.ndim)])
    return out.reshape(kept_shape)


def _subtraction_error(a: FloatArray, b: FloatArray, d: FloatArray) -> FloatArray:
    """The exact rounding error ``(a - b) - d`` of ``d = fl(a - b)`` (Knuth's TwoSum).

    Infinite or NaN operands give an error of 0 (their difference carries no
    rounding error worth correcting).
    """
    with np.errstate(invalid="ignore"):  # inf - inf in the error terms; zeroed below
        b_virtual = a - d
        a_virtual = d + b_virtual
        err = (a - a_virtual) + (b_virtual - b)
    return np.where(np.isfinite(err), err, 0)


# A row whose terms other than the largest sum to less than this has a
# dominant class; its log-probability is then about minus that sum, and the
# rounding of x_c - m in the exponents would cost up to |x_c - m| / 2 ulp.
_DOMINANT = 2.0**-10


def _sum_exp_others(x2: FloatArray, m: FloatArray, a: NDArray[np.intp]) -> FloatArray:
    r""":math:`\sum_{c \ne a_r} e^{x_{r,c} - m_r}` for each row r of ``x2`` (R, C), with ``m`` >= the row.

    Leaving out entry :math:`a_r` (the target, or the largest entry) keeps
    a small sum small instead of burying it under a 1. Where the sum is below
    ``_DOMINANT`` (entry :math:`a_r` is the maximum and dominates), the row is
    recomputed with the exact rounding error :math:`\delta` of each
    subtraction folded in, :math:`e^{z + \delta} \approx e^z (1 + \delta)`,
    so that the result is accurate to a few ulp even where the exponents
    :math:`x_c - m` are large.
    """
    with np.errstate(invalid="ignore"):  # inf - inf: a +inf or all -inf row is NaN, as in PyTorch
        e = x2 - m[:, None]
    np.exp(e, out=e)
    np.put_along_axis(e, a[:, None], 0, axis=1)
    s = np.sum(e, axis=1)
    rows = np.flatnonzero((s < _DOMINANT) & np.isfinite(m))
    if rows.size:
        xs, ms = x2[rows], m[rows, None]
        z = xs - ms
        es = np.exp(z)
        es += es * _subtraction_error(xs, ms, z)
        np.put_along_axis(es, a[rows, None], 0, axis=1)
        s[rows] = np.sum(es, axis=1)
    return s


def _as_rows(x: FloatArray, axis: int) -> tuple[FloatArray, tuple[int, ...]]:
    """``x`` with ``axis`` moved last, as 2-D rows (R, C), and the moved shape to undo it."""
    moved = np.moveaxis(x, axis, -1)
    return moved.reshape(-1, moved.shape[-1]), moved.shape


def _log_softmax(x: FloatArray, axis: int) -> FloatArray:
    """log_softmax along ``axis`` for a float array, accurate also for the dominant entry."""
    x2, moved_shape = _as_rows(x, axis)
    a = np.argmax(x2, axis=1)
    m = x2[np.arange(x2.shape[0]), a]
    s_other = _sum_exp_others(x2, m, a)
    with np.errstate(invalid="ignore"):  # inf - inf: NaN, as in PyTorch
        logp = (x2 - m[:, None]) - np.log1p(s_other)[:, None]
    return np.moveaxis(logp.reshape(moved_shape), -1, axis)


def softmax(x: ArrayLike, axis: int = -1) -> FloatArray:
    r"""Softmax along `axis`: :math:`\mathrm{softmax}(x)_i = e^{x_i} / \sum_j e^{x_j}`.

    Parameters
    ----------
    x : array_like of float
        Logits.
    axis : int, default -1
        The class axis, along which the result sums to 1.

    Returns
    -------
    ndarray
        Probabilities, same shape and dtype as `x`.

    Notes
    -----
    The maximum along `axis` is subtracted before exponentiating (the result
    is unchanged, since softmax is invariant to adding a constant), so no
    exponent is positive and nothing overflows. A slice that contains
    :math:`+\infty`, or is all :math:`-\infty`, gives NaN, as in PyTorch.

    Examples
    --------
    >>> import numpy as np
    >>> import lossutils as lu
    >>> x = np.array([1000.0, 1.0])
    >>> with np.errstate(over="ignore", invalid="ignore"):
    ...     np.exp(x) / np.exp(x).sum()
    array([nan,  0.])
    >>> lu.softmax(x)
    array([1., 0.])
    """
    x = v.as_float_array(x, "x")
    if x.size == 0:
        return x.copy()
    m = np.max(x, axis=axis, keepdims=True)
    with np.errstate(invalid="ignore"):  # inf - inf: NaN, as in PyTorch
        e = np.exp(x - m)
    return e / np.sum(e, axis=axis, keepdims=True)


def log_softmax(x: ArrayLike, axis: int = -1) -> FloatArray:
    r"""Logarithm of the softmax along `axis`: :math:`x_i - \log\sum_j e^{x_j}`.

    Parameters
    ----------
    x : array_like of float
        Logits.
    axis : int, default -1
        The class axis.

    Returns
    -------
    ndarray
        Log-probabilities, same shape and dtype as `x`; always :math:`\le 0`.

    Notes
    -----
    Never computes ``log(softmax(x))``. With :math:`m = \max_j x_j` at index
    :math:`a`, returns :math:`(x_i - m) - \operatorname{log1p}(\sum_{j \ne a}
    e^{x_j - m})`. Leaving the largest term (exactly 1) out of the sum and
    adding it back inside ``log1p`` keeps the log-probability of a dominant
    class accurate when it is as small as :math:`10^{-300}` in magnitude,
    where :math:`(x_a - m) - \log\sum_j e^{x_j-m}` rounds it to 0 (as
    PyTorch's ``log_softmax`` does). For such a dominant class the exact
    rounding errors of the :math:`x_j - m` are folded in as well (see
    :func:`cross_entropy`), so every entry is accurate to a few ulp.
    A slice that contains :math:`+\infty`, or is all :math:`-\infty`, gives
    NaN, as in PyTorch.

    Examples
    --------
    >>> import numpy as np
    >>> import lossutils as lu
    >>> x = np.array([1000.0, 1.0])
    >>> with np.errstate(over="ignore", invalid="ignore", divide="ignore"):
    ...     np.log(np.exp(x) / np.exp(x).sum())
    array([ nan, -inf])
    >>> lu.log_softmax(x)
    array([   0., -999.])
    >>> lu.log_softmax(np.array([0.0, -40.0]))
    array([-4.24835426e-18, -4.00000000e+01])
    """
    x = v.as_float_array(x, "x")
    if x.size == 0:
        return x.copy()
    return _log_softmax(x, axis)


# ---------------------------------------------------------------------------
# shared pieces of the losses
# ---------------------------------------------------------------------------


def _reduce(loss: FloatArray, reduction: str, dtype: np.dtype, denominator: float | None = None) -> FloatArray:
    """Apply ``reduction``; sums in float64; a reduced result is a 0-d array of ``dtype``."""
    if reduction == "none":
        return loss.astype(dtype, copy=False)
    total = np.sum(loss, dtype=np.float64)
    if reduction == "sum":
        return np.asarray(total, dtype=dtype)
    n = loss.size if denominator is None else denominator
    with np.errstate(invalid="ignore", divide="ignore"):  # 0/0 = NaN: nothing to average
        return np.asarray(np.float64(total) / np.float64(n), dtype=dtype)


def _as_ncs(x: FloatArray) -> FloatArray:
    """View input of shape (C,), (N, C) or (N, C, d1..dK) as (N, C, S)."""
    if x.ndim == 1:
        return x.reshape(1, x.shape[0], 1)
    return x.reshape(x.shape[0], x.shape[1], int(np.prod(x.shape[2:])))


def _class_index_setup(
    x: FloatArray, target: ArrayLike, weight: ArrayLike | None, ignore_index: int
) -> tuple[NDArray[np.intp], NDArray[np.bool_] | None, NDArray[np.float64] | None, tuple[int, ...]]:
    """Validate class-index targets; return them as (N, S), the ignore mask and the weight."""
    t = v.as_class_indices(target)
    v.class_index_shapes(x.shape, t.shape)
    n_classes = x.shape[0] if x.ndim == 1 else x.shape[1]
    ignored = v.check_class_range(t, n_classes, ignore_index)
    w = v.class_weight(weight, n_classes)
    out_shape = t.shape
    n = 1 if x.ndim == 1 else x.shape[0]
    s = int(np.prod(x.shape[2:]))
    t2 = t.reshape(n, s)
    ignored2 = ignored.reshape(n, s)
    if ignored2.any():
        t2 = np.where(ignored2, 0, t2)
    else:
        ignored2 = None
    return t2.astype(np.intp, copy=False), ignored2, w, out_shape


def _target_nll(x3: FloatArray, t2: NDArray[np.intp]) -> FloatArray:
    r"""-log_softmax(x)[target] for x of shape (N, C, S) and target (N, S), chunked over N.

    With :math:`m = \max_c x_c` and :math:`M = m - x_t \ge 0`,
    :math:`\mathrm{lse}(x) - x_t = M + \operatorname{log1p}(
    \operatorname{expm1}(-M) + \sum_{c \ne t} e^{x_c - m})`.
    """
    n, c, s = x3.shape
    out = np.empty((n, s), dtype=x3.dtype)
    rows = max(1, _CHUNK_ELEMENTS // max(1, c * s))
    for start in range(0, n, rows):
        if s == 1:  # (N, C): the rows are a view, no copy
            x2, t = x3[start : start + rows, :, 0], t2[start : start + rows, 0]
        else:
            x2, _ = _as_rows(x3[start : start + rows], 1)
            t = t2[start : start + rows].reshape(-1)
        m = np.max(x2, axis=1)
        with np.errstate(invalid="ignore"):  # inf - inf: a +inf or all -inf row gives NaN, as in PyTorch
            big_m = m - x2[np.arange(x2.shape[0]), t]
            loss = big_m + np.log1p(np.expm1(-big_m) + _sum_exp_others(x2, m, t))
        out[start : start + rows] = loss.reshape(-1, s)
    return out


# ---------------------------------------------------------------------------
# losses over class indices
# ---------------------------------------------------------------------------


def nll_loss(
    input: ArrayLike,
    target: ArrayLike,
    *,
    weight: ArrayLike | None = None,
    ignore_index: int = -100,
    reduction: Reduction = "mean",
) -> FloatArray:
    r"""Negative log-likelihood loss over class indices, as ``torch.nn.functional.nll_loss``.

    `input` holds log-probabilities (for example the output of
    :func:`log_softmax`); the loss picks, for each sample, minus the entry of
    its target class. It does not apply a softmax itself.

    Parameters
    ----------
    input : array_like of float
        Log-probabilities, class axis 1 (axis 0 for a single sample).
    target : array_like of int
        Class indices in ``[0, C)``, or `ignore_index`.
    weight : array_like of float, shape (C,), optional
        A weight :math:`w_c` per class; default all ones.
    ignore_index : int, default -100
        Targets equal to this contribute 0 and are left out of the mean's
        denominator. It may be a valid class index.
    reduction : {"mean", "sum", "none"}, default "mean"

    Returns
    -------
    ndarray
        Shape of `target` for ``reduction="none"``, else a 0-d array, in the
        dtype of `input`.

    Notes
    -----
    The unreduced loss of element :math:`n` with target :math:`y_n` is

    .. math:: \ell_n = -w_{y_n}\, x_{n, y_n}, \qquad \ell_n = 0 \text{ if } y_n \text{ is ignored}.

    ``"sum"`` returns :math:`\sum_n \ell_n`; ``"mean"`` returns the weighted
    mean :math:`\sum_n \ell_n / \sum_{n \text{ counted}} w_{y_n}`,
    whose denominator is the sum of the weights of the counted targets (the
    number of counted targets when there is no `weight`). If every target is
    ignored, or the batch is empty, the mean is 0/0 = NaN, as in PyTorch;
    the sum is 0.

    Shape
    -----
    - input: (C,), (N, C) or (N, C, d1, ..., dK)
    - target: (), (N,) or (N, d1, ..., dK), matching input without its class axis
    - output: target's shape if ``reduction="none"``, else ()

    Examples
    --------
    >>> import numpy as np
    >>> import lossutils as lu
    >>> logp = np.log(np.array([[0.7, 0.2, 0.1], [0.1, 0.1, 0.8]]))
    >>> lu.nll_loss(logp, np.array([0, 2]), reduction="none")
    array([0.35667494, 0.22314355])
    >>> lu.nll_loss(logp, np.array([0, 2]))
    array(0.28990925)
    >>> lu.nll_loss(logp, np.array([0, -100]))
    array(0.35667494)
    """
    x = v.as_float_array(input, "input", what="log-probabilities")
    reduction = v.check_reduction(reduction)
    ignore_index = v.check_ignore_index(ignore_index)
    t2, ignored, w, out_shape = _class_index_setup(x, target, weight, ignore_index)
    x3 = _as_ncs(x)
    picked = np.take_along_axis(x3, t2[:, None, :], axis=1)[:, 0, :]
    if ignored is not None:
        picked = np.where(ignored, 0, picked)  # before weighting: an ignored -inf must not give 0 * inf
    wt = _target_weights(t2, ignored, w)
    loss = -picked if wt is None else -(wt * picked)
    denominator = None if wt is None else np.sum(wt, dtype=np.float64)
    return _reduce(loss.reshape(out_shape), reduction, x.dtype, denominator)


def _target_weights(
    t2: NDArray[np.intp], ignored: NDArray[np.bool_] | None, w: NDArray[np.float64] | None
) -> NDArray[np.float64] | None:
    """Weight of each element's target (0 where ignored), or None if all weights are 1."""
    if w is None and ignored is None:
        return None
    wt = np.ones(t2.shape) if w is None else w[t2]
    if ignored is not None:
        wt = np.where(ignored, 0.0, wt)
    return wt


def cross_entropy(
    input: ArrayLike,
    target: ArrayLike,
    *,
    weight: ArrayLike | None = None,
    ignore_index: int = -100,
    reduction: Reduction = "mean",
    label_smoothing: float = 0.0,
) -> FloatArray:
    r"""Cross-entropy of logits, as ``torch.nn.functional.cross_entropy``.

    Equals ``nll_loss(log_softmax(input, axis=1), target, ...)`` for class
    indices, computed in one stable step, and also accepts class-probability
    targets (a float `target` of the same shape as `input`).

    Parameters
    ----------
    input : array_like of float
        Unnormalised logits, class axis 1 (axis 0 for a single sample).
    target : array_like
        Integer class indices (shape of `input` without its class axis), or
        float class probabilities (same shape as `input`).
    weight : array_like of float, shape (C,), optional
        A weight :math:`w_c` per class; default all ones.
    ignore_index : int, default -100
        Class-index targets equal to this contribute 0 and are left out of the
        mean's denominator. Must be negative (unused) for probability targets,
        as in PyTorch.
    reduction : {"mean", "sum", "none"}, default "mean"
    label_smoothing : float in [0, 1], default 0
        :math:`\varepsilon`: the target becomes a mixture of
        :math:`1-\varepsilon` of itself and :math:`\varepsilon` spread
        uniformly over the :math:`C` classes.

    Returns
    -------
    ndarray
        Shape of `input` without its class axis for ``reduction="none"``, else
        a 0-d array, in the dtype of `input`.

    Notes
    -----
    Write :math:`\log p_{n,c} = x_{n,c} - \log\sum_j e^{x_{n,j}}`.

    **Class indices.** Without smoothing, the unreduced loss is
    :math:`\ell_n = -w_{y_n} \log p_{n, y_n}` (0 if :math:`y_n` is
    ignored). With smoothing :math:`\varepsilon`,

    .. math:: \ell_n = (1-\varepsilon)\,(-w_{y_n}\log p_{n,y_n})
              + \frac{\varepsilon}{C} \sum_c (-w_c \log p_{n,c}),

    again 0 for an ignored target. ``"sum"`` is :math:`\sum_n \ell_n`.
    ``"mean"`` divides by :math:`\sum_{n \text{ counted}} w_{y_n}` — the
    weight of each counted sample's *true* class, also for the smoothing
    term (the number of counted targets without `weight`). If every target
    is ignored, or the batch is empty, the mean is 0/0 = NaN, as in PyTorch.

    **Class probabilities** :math:`q_{n,c}` (smoothed to
    :math:`(1-\varepsilon) q_{n,c} + \varepsilon / C`):
    :math:`\ell_n = -\sum_c w_c\, q_{n,c} \log p_{n,c}`. Here ``"mean"``
    divides by the number of elements :math:`N d_1 \cdots d_K`, *not* by
    the weights. A term with :math:`q_{n,c} = 0` counts as 0 even where
    :math:`\log p_{n,c} = -\infty` (PyTorch returns NaN there).

    **Stable algorithm** (class indices). With :math:`m = \max_c x_c` and
    :math:`M = m - x_{y} \ge 0`, the target's loss is

    .. math:: \ell = M + \operatorname{log1p}\Bigl(\operatorname{expm1}(-M)
              + \sum_{c \ne y} e^{x_c - m}\Bigr),

    with the target's logit subtracted before anything is rounded at the
    logits' magnitude, so logits of magnitude :math:`10^4` that differ by
    :math:`10^{-9}` keep all their digits (the textbook
    ``logsumexp(x) - x_y`` loses about twelve of them). The target's own
    term, :math:`e^0 = 1`, is added inside ``log1p`` instead of to the sum,
    so a loss of :math:`10^{-18}` (true class ahead by about 41) comes out
    right where PyTorch, which computes ``(x_y - m) - log(sum)``, returns 0.
    Where the other terms sum to less than :math:`2^{-10}` (a dominant true
    class), the exact rounding error of each :math:`x_c - m` (Knuth's
    TwoSum) is folded into its exponential, which makes the result accurate
    to a few ulp (checked against mpmath) for every finite input. No (N, C)
    one-hot array is formed, and rows are processed in chunks, so the extra
    memory is a few MiB whatever N is. Logits of :math:`+\infty`, or a row of
    all :math:`-\infty`, give NaN, as in PyTorch.

    Shape
    -----
    - input: (C,), (N, C) or (N, C, d1, ..., dK)
    - target: (), (N,) or (N, d1, ..., dK) of class indices; or input's shape
      of class probabilities
    - output: input's shape without the class axis if ``reduction="none"``,
      else ()

    Examples
    --------
    >>> import numpy as np
    >>> import lossutils as lu
    >>> logits = np.array([[2.0, 1.0, 0.1], [0.5, 2.5, 0.3]])
    >>> lu.cross_entropy(logits, np.array([0, 1]))
    array(0.31853977)
    >>> lu.cross_entropy(logits, np.array([0, 1]), reduction="none")
    array([0.41703002, 0.22004952])
    >>> lu.cross_entropy(logits, np.array([0, 1]), label_smoothing=0.1)
    array(0.4368731)

    When the true class dominates, ``logsumexp(x) - x_y`` rounds to 0; the
    stable form keeps the value :math:`\approx e^{-41}`:

    >>> x = np.array([[41.0, 0.0]])
    >>> np.log(np.exp(x).sum()) - x[0, 0]
    np.float64(0.0)
    >>> lu.cross_entropy(x, np.array([0]))
    array(1.56288219e-18)
    """
    x = v.as_float_array(input, "input")
    reduction = v.check_reduction(reduction)
    ignore_index = v.check_ignore_index(ignore_index)
    eps = v.check_label_smoothing(label_smoothing)
    t_arr = np.asarray(target)
    if x.ndim >= 1 and t_arr.shape == x.shape:
        if t_arr.dtype.kind == "f":
            return _cross_entropy_probs(x, t_arr, weight, ignore_index, reduction, eps)
        raise TypeError(
            f"target has input's shape {x.shape}, so it is read as class probabilities, "
            f"which must be floating point, but it has dtype {t_arr.dtype}; for class "
            f"indices give target shape {x.shape[:1] + x.shape[2:] if x.ndim >= 2 else ()}, "
            f"for probabilities convert it with target.astype(input.dtype)"
        )
    t2, ignored, w, out_shape = _class_index_setup(x, t_arr, weight, ignore_index)
    x3 = _as_ncs(x)
    n_classes = x3.shape[1]
    nll = _target_nll(x3, t2)
    if ignored is not None:
        nll = np.where(ignored, 0, nll)  # before weighting: an ignored inf must not give 0 * inf
    wt = _target_weights(t2, ignored, w)
    loss: FloatArray = nll if wt is None else wt * nll
    if eps > 0:
        logp = _log_softmax(x3, axis=1)
        if w is None:
            smooth = -np.sum(logp, axis=1, dtype=np.float64)
        else:
            smooth = -np.sum(logp * w[None, :, None], axis=1, dtype=np.float64)
        if ignored is not None:
            smooth = np.where(ignored, 0.0, smooth)
        loss = (1 - eps) * loss + (eps / n_classes) * smooth
    denominator = None if wt is None else np.sum(wt, dtype=np.float64)
    return _reduce(np.reshape(loss, out_shape), reduction, x.dtype, denominator)


def _cross_entropy_probs(
    x: FloatArray,
    q: FloatArray,
    weight: ArrayLike | None,
    ignore_index: int,
    reduction: str,
    eps: float,
) -> FloatArray:
    """cross_entropy with class-probability targets q of input's shape."""
    if ignore_index >= 0:
        raise ValueError(
            f"ignore_index={ignore_index} cannot be used with class-probability targets "
            f"(target has input's shape {x.shape} and dtype {q.dtype}); give class "
            f"indices instead, or leave ignore_index at its default -100"
        )
    n_classes = x.shape[0] if x.ndim == 1 else x.shape[1]
    v.some_classes(n_classes, x.shape)
    w = v.class_weight(weight, n_classes)
    x3 = _as_ncs(x)
    q3 = q.reshape(x3.shape).astype(np.float64)
    if eps > 0:
        q3 = (1 - eps) * q3 + eps / n_classes
    logp = _log_softmax(x3, axis=1)
    logp = np.where(q3 == 0, 0, logp)  # a class with probability 0 counts 0, even at logit -inf
    terms = q3 * logp
    if w is not None:
        terms = terms * w[None, :, None]
    loss = -np.sum(terms, axis=1)
    out_shape = x.shape[:1] + x.shape[2:] if x.ndim >= 2 else ()
    return _reduce(loss.reshape(out_shape), reduction, x.dtype)


# ---------------------------------------------------------------------------
# binary losses
# ---------------------------------------------------------------------------


def _binary_target(target: ArrayLike, x: FloatArray) -> FloatArray:
    """Binary target as a float array of input's shape (integer 0/1 labels are converted)."""
    y = v.as_float_or_numeric(target, "target")
    v.same_shape(x, y, "input", "target")
    return y


def binary_cross_entropy(
    input: ArrayLike,
    target: ArrayLike,
    *,
    weight: ArrayLike | None = None,
    reduction: Reduction = "mean",
) -> FloatArray:
    r"""Binary cross-entropy of probabilities, as ``torch.nn.functional.binary_cross_entropy``.

    Parameters
    ----------
    input : array_like of float
        Predicted probabilities :math:`p = P(y=1)`, each in [0, 1].
    target : array_like
        Targets :math:`y` in [0, 1] (hard 0/1 labels or soft targets), same
        shape as `input`. Integer or boolean labels are accepted.
    weight : array_like of float, optional
        Rescales each element's loss; must broadcast to `input`'s shape.
    reduction : {"mean", "sum", "none"}, default "mean"

    Returns
    -------
    ndarray
        Shape of `input` for ``reduction="none"``, else a 0-d array, in the
        dtype of `input`.

    Notes
    -----
    The unreduced loss is

    .. math:: \ell_i = -w_i \bigl[\, y_i \max(\log p_i, -100)
              + (1 - y_i) \max(\log(1 - p_i), -100) \bigr].

    ``"sum"`` is :math:`\sum_i \ell_i`; ``"mean"`` divides by the number of
    elements (the weights do *not* enter the denominator). An empty input
    gives NaN for the mean.

    Each log is clamped at -100, exactly as PyTorch does, so a confident
    wrong prediction (:math:`p = 0`, :math:`y = 1`) costs 100 instead of
    infinity, and :math:`0 \cdot \log 0` counts as 0. :math:`\log(1-p)` is
    computed as ``log1p(-p)`` (as PyTorch 2.13 does), which keeps every digit
    for small :math:`p`, where the textbook ``log(1 - p)`` loses about half
    of them at :math:`p = 10^{-10}`. Both `input` and `target` must lie in
    [0, 1]; PyTorch checks the same.

    Shape
    -----
    - input: any shape
    - target: same shape as input
    - output: input's shape if ``reduction="none"``, else ()

    Examples
    --------
    >>> import numpy as np
    >>> import lossutils as lu
    >>> p = np.array([0.4, 0.6, 0.9, 0.1])
    >>> y = np.array([0.0, 1.0, 1.0, 0.0])
    >>> lu.binary_cross_entropy(p, y)
    array(0.30809307)
    >>> lu.binary_cross_entropy(np.array([0.0, 1.0]), np.array([1.0, 1.0]), reduction="none")
    array([100.,  -0.])
    """
    x = v.as_float_array(input, "input", what="probabilities")
    reduction = v.check_reduction(reduction)
    y = _binary_target(target, x)
    v.check_probabilities(
        x, "input", hint="; if these are logits, use binary_cross_entropy_with_logits"
    )
    v.check_probabilities(y, "target")
    w = v.broadcast_weight(weight, x.shape, "weight")
    with np.errstate(divide="ignore"):  # log(0) = -inf, clamped to -100 just below
        log_p = np.maximum(np.log(x), -100)
        log_1mp = np.maximum(np.log1p(-x), -100)
    loss = -(y * log_p + (1 - y) * log_1mp)
    if w is not None:
        loss = w * loss
    return _reduce(loss, reduction, x.dtype)


def binary_cross_entropy_with_logits(
    input: ArrayLike,
    target: ArrayLike,
    *,
    weight: ArrayLike | None = None,
    reduction: Reduction = "mean",
    pos_weight: ArrayLike | None = None,
) -> FloatArray:
    r"""Binary cross-entropy of logits, as ``torch.nn.functional.binary_cross_entropy_with_logits``.

    Parameters
    ----------
    input : array_like of float
        Logits :math:`x` (the probability is :math:`\sigma(x)`).
    target : array_like
        Targets :math:`y`, same shape as `input`, usually in [0, 1]. Integer or
        boolean labels are accepted.
    weight : array_like of float, optional
        Rescales each element's loss; must broadcast to `input`'s shape.
    reduction : {"mean", "sum", "none"}, default "mean"
    pos_weight : array_like of float, optional
        Weight :math:`r` of the positive term; must broadcast to `input`'s
        shape, so a shape (C,) array gives one weight per class along the
        *last* axis.

    Returns
    -------
    ndarray
        Shape of `input` for ``reduction="none"``, else a 0-d array, in the
        dtype of `input`.

    Notes
    -----
    The unreduced loss is

    .. math:: \ell_i = -w_i \bigl[\, r_i\, y_i \log\sigma(x_i)
              + (1 - y_i) \log(1 - \sigma(x_i)) \bigr]
              = w_i \bigl[\, r_i\, y_i\, \mathrm{softplus}(-x_i)
              + (1 - y_i)\, \mathrm{softplus}(x_i) \bigr],

    with :math:`\mathrm{softplus}(z) = \log(1 + e^z) = \max(z, 0) +
    \operatorname{log1p}(e^{-|z|})`. ``"sum"`` is :math:`\sum_i \ell_i`;
    ``"mean"`` divides by the number of elements (weights are not in the
    denominator). An empty input gives NaN for the mean.

    The softplus form never overflows and has no cancellation, so it is
    accurate for every finite logit: at :math:`x = -40, y = 0` it gives
    :math:`4.25 \times 10^{-18}` where PyTorch returns 0. A term whose
    factor :math:`y` or :math:`1 - y` is 0 counts as 0, so infinite logits
    give the limit (0 for :math:`x=+\infty, y=1`; :math:`+\infty` for
    :math:`x=-\infty, y=1`) where PyTorch returns NaN.

    Shape
    -----
    - input: any shape
    - target: same shape as input
    - weight, pos_weight: broadcastable to input's shape
    - output: input's shape if ``reduction="none"``, else ()

    Examples
    --------
    >>> import numpy as np
    >>> import lossutils as lu
    >>> x = np.array([-0.4, 0.4, 2.2, -2.2])
    >>> y = np.array([0.0, 1.0, 1.0, 0.0])
    >>> lu.binary_cross_entropy_with_logits(x, y)
    array(0.30904929)

    Through the sigmoid, a confident correct logit loses everything, because
    :math:`1 - \sigma(-40)` rounds to 1:

    >>> x = np.array([-40.0])
    >>> -np.log(1 - lu.sigmoid(x))
    array([-0.])
    >>> lu.binary_cross_entropy_with_logits(x, np.array([0.0]), reduction="none")
    array([4.24835426e-18])
    """
    x = v.as_float_array(input, "input")
    reduction = v.check_reduction(reduction)
    y = _binary_target(target, x)
    w = v.broadcast_weight(weight, x.shape, "weight")
    r = v.broadcast_weight(pos_weight, x.shape, "pos_weight")
    pos = y if r is None else r * y
    neg = 1 - y
    with np.errstate(invalid="ignore"):  # 0 * inf, replaced by 0 just below
        loss = np.where(pos == 0, 0, pos * _softplus(-x)) + np.where(neg == 0, 0, neg * _softplus(x))
    if w is not None:
        loss = w * loss
    return _reduce(loss, reduction, x.dtype)


# ---------------------------------------------------------------------------
# scikit-learn's log_loss
# ---------------------------------------------------------------------------


def log_loss(
    y_true: ArrayLike,
    y_pred: ArrayLike,
    *,
    normalize: bool = True,
    sample_weight: ArrayLike | None = None,
) -> FloatArray:
    r"""Log-loss of predicted probabilities, as ``sklearn.metrics.log_loss``.

    Parameters
    ----------
    y_true : array_like, shape (N,)
        True labels, of any sortable type (ints, strings, ...). The classes
        are ``np.unique(y_true)``, in sorted order; there must be at least two.
    y_pred : array_like of float, shape (N,) or (N, C)
        Predicted probabilities: of the larger class (shape (N,), binary
        case), or one column per class in the sorted order of the classes.
        Values must lie in [0, 1].
    normalize : bool, default True
        Return the (weighted) mean loss per sample; otherwise the sum.
    sample_weight : array_like of float, shape (N,), optional
        A weight per sample.

    Returns
    -------
    ndarray
        A 0-d array in the dtype of `y_pred` (float64 for integer input);
        scikit-learn returns a Python float of the same value.

    Notes
    -----
    With :math:`p_{n}` the probability given to sample :math:`n`'s true
    class, after clipping to :math:`[\epsilon, 1-\epsilon]` (:math:`\epsilon`
    the machine epsilon of the dtype, as scikit-learn documents),

    .. math:: \ell_n = -\log p_n, \qquad
              \text{mean} = \frac{\sum_n s_n \ell_n}{\sum_n s_n}, \qquad
              \text{sum} = \sum_n s_n \ell_n,

    with sample weights :math:`s_n` (all 1 by default). Like scikit-learn,
    this warns if the rows of a (N, C) `y_pred` do not sum to 1, and does not
    renormalise them.

    Shape
    -----
    - y_true: (N,)
    - y_pred: (N,) or (N, C)
    - sample_weight: (N,)
    - output: ()

    Examples
    --------
    >>> import numpy as np
    >>> import lossutils as lu
    >>> lu.log_loss([0, 1, 1, 0], [0.4, 0.6, 0.9, 0.1])
    array(0.30809307)
    >>> lu.log_loss(["spam", "ham", "ham", "spam"], [[0.1, 0.9], [0.9, 0.1], [0.8, 0.2], [0.35, 0.65]])
    array(0.21616187)
    """
    labels = np.asarray(y_true)
    p = v.as_float_or_numeric(y_pred, "y_pred")
    if labels.ndim != 1:
        raise ValueError(
            f"y_true must be a 1-D array of labels, shape (N,), but has shape {labels.shape}"
        )
    if p.ndim not in (1, 2) or p.shape[0] != labels.shape[0]:
        raise ValueError(
            f"y_pred must have shape ({labels.shape[0]},) or ({labels.shape[0]}, C) to "
            f"match y_true's {labels.shape[0]} labels, but has shape {p.shape}"
        )
    v.check_probabilities(p, "y_pred")
    classes, idx = np.unique(labels, return_inverse=True)
    if classes.size < 2:
        raise ValueError(
            f"y_true must contain at least two different labels, but contains only "
            f"{classes.tolist()}; log_loss cannot tell which column of y_pred is which"
        )
    if p.ndim == 1:
        p = np.stack([1 - p, p], axis=1)
    if p.shape[1] != classes.size:
        raise ValueError(
            f"y_pred has {p.shape[1]} columns (shape {p.shape}) but y_true contains "
            f"{classes.size} classes {classes.tolist()}; give one column per class, in "
            f"sorted order"
        )
    row_sums = np.sum(p, axis=1, dtype=np.float64)
    if not np.allclose(row_sums, 1, rtol=np.sqrt(np.finfo(p.dtype).eps), atol=1e-8):
        warnings.warn(
            "The y_pred values do not sum to one. Make sure to pass probabilities.",
            UserWarning,
            stacklevel=2,
        )
    eps = np.finfo(p.dtype).eps
    p_true = np.clip(np.take_along_axis(p, idx.reshape(-1, 1), axis=1)[:, 0], eps, 1 - eps)
    loss = -np.log(p_true.astype(np.float64))
    if sample_weight is None:
        total = np.sum(loss)
        denom = float(loss.size)
    else:
        s = v.as_float_or_numeric(sample_weight, "sample_weight").astype(np.float64)
        if s.shape != labels.shape:
            raise ValueError(
                f"sample_weight must have shape {labels.shape}, one weight per sample, but "
                f"has shape {s.shape}"
            )
        total = np.sum(s * loss)
        denom = np.sum(s)
        if normalize and denom == 0:
            raise ValueError(
                "sample_weight sums to 0, so the weighted mean log-loss is undefined; "
                "give some sample a positive weight, or use normalize=False for the sum"
            )
    value = total / denom if normalize else total
    return np.asarray(value, dtype=p.dtype)
