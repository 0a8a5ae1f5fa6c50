"""The softmax family and the classification losses, in NumPy, with PyTorch's semantics.

Every loss takes the arguments of its namesake in ``torch.nn.functional`` and
returns the same numbers (``log_loss`` follows ``sklearn.metrics.log_loss``),
up to the deliberate differences listed on the API page (more accurate tiny
losses, finite limits where PyTorch gives NaN, float64 accumulation, ...).
Arrays go in and come out; a float32 input gives a float32 output, and a
reduced loss is a 0-d array of the input's dtype. Sums and means are
accumulated in float64 whatever the input dtype.

Each function validates its arguments in one pass (:mod:`lossutils._validation`
returns a small named structure of clean arrays), then runs a kernel that
walks the batch a block of rows at a time, so that the extra memory is a few
MiB whatever the batch size, beyond the output itself. A strided input (a
slice, a transpose) is read in pieces, not copied whole: a loss's images
whose spatial axes do not merge (such as ``x[:, :, ::2, :3]``) a block of
samples at a time (:class:`lossutils._validation.SampleBlocks`).

Natural logarithms throughout.
"""

from __future__ import annotations

import warnings
from typing import Any, Callable, Iterator, Literal

import numpy as np
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


def logsumexp(
    x: ArrayLike, axis: int | tuple[int, ...] | None = None, keepdims: bool = False
) -> FloatArray:
    r"""Logarithm of the sum of exponentials, :math:`\log \sum_i e^{x_i}`, over `axis`.

    Parameters
    ----------
    x : array_like of float
        Input.
    axis : int or tuple of ints, optional
        Axis or axes to reduce; ``None`` (the default) reduces all of them,
        as in ``scipy.special.logsumexp``. A 0-d `x` accepts axis 0 (or -1),
        as ``torch.logsumexp`` does, and returns itself.
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
    if x.ndim == 0:
        if axis is not None:  # a 0-d array is one element along axis 0 (or -1), as in PyTorch
            for a in axis if isinstance(axis, tuple) else (axis,):
                v.check_axis(a, 0)
        return x.copy()
    if axis is None:
        axes = tuple(range(x.ndim))
    else:
        axes = tuple(
            v.check_axis(a, x.ndim) for a in (axis if isinstance(axis, tuple) else (axis,))
        )
        if len(set(axes)) != len(axes):
            raise ValueError(f"axis {axis} repeats an axis of x (shape {x.shape})")
    kept_shape = tuple(x.shape[d] for d in range(x.ndim) if d not in axes)
    work = v.work_dtype(x.dtype)
    if len(axes) == 1 and x.shape[axes[0]] <= _CHUNK:  # the common case: one axis of classes
        out = np.empty([1 if d in axes else n for d, n in enumerate(x.shape)], dtype=x.dtype)
        _over_acb_views(x, out, axes[0], lambda x3, out3: _lse_acb(x3, out3, work))
    else:  # several axes, or a long one: the reduced axes last, in bounded pieces
        kept = [d for d in range(x.ndim) if d not in axes]
        out = _lse_trailing(np.transpose(x, kept + list(axes)), len(kept), work).astype(x.dtype)
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
_DOMINANT = 2.0**-5


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


# ---------------------------------------------------------------------------
# blocks: every kernel walks its input a block of rows at a time
# ---------------------------------------------------------------------------

# Elements of input per block. A block is copied class-major, as (C, R) in the
# work dtype, so that every reduction over the classes is an elementwise
# operation between rows of length R (NumPy is slow at reducing a short last
# axis), and a few block-sized temporaries (512 KiB each in float64) stay in
# the cache. The extra memory is a few MiB whatever the batch size.
_CHUNK = 1 << 16
_GATHER = 1 << 14  # rows per block of a gather (nll_loss, log_loss)


def _blocks(
    a_len: int, c: int, b_len: int, elements: int = _CHUNK
) -> Iterator[tuple[slice, slice]]:
    """Slices (over A, over B) that cut an (A, C, B) array into blocks of about `elements` elements."""
    per = max(1, elements // max(1, c))  # rows (pairs a, b) per block
    if b_len <= per:
        step = max(1, per // max(1, b_len))
        for a0 in range(0, a_len, step):
            yield slice(a0, a0 + step), slice(None)
    else:
        for a0 in range(a_len):
            for b0 in range(0, b_len, per):
                yield slice(a0, a0 + 1), slice(b0, b0 + per)


def _class_major(block: FloatArray, dtype: np.dtype) -> FloatArray:
    """An (a, C, b) block as a fresh C-contiguous (C, a * b) array of ``dtype``."""
    return np.array(np.moveaxis(block, 1, 0), dtype=dtype, order="C").reshape(block.shape[1], -1)


def _lse_acb(x3: FloatArray, out3: FloatArray, work: np.dtype) -> None:
    """``out3`` (A, 1, B) := the log-sum-exp of ``x3`` (A, T, B) over T, block by block."""
    a_len, n_terms, b_len = x3.shape
    if n_terms == 0:
        out3[...] = -np.inf  # an empty sum: log 0
        return
    for a_sl, b_sl in _blocks(a_len, n_terms, b_len):
        m, _, lse_shift = _log_sum_exp_shifted(_class_major(x3[a_sl, :, b_sl], work))
        # a slice whose maximum is infinite gives that maximum
        dst = out3[a_sl, 0, b_sl]
        dst[...] = np.where(np.isfinite(m), m + lse_shift, m).reshape(dst.shape)


def _cheap_reshape(x: FloatArray, shape: tuple[int, ...]) -> FloatArray | None:
    """``x`` reshaped to `shape`: a view, or a copy of at most ``_CHUNK`` elements; else None."""
    try:
        return x.reshape(shape, copy=False)
    except ValueError:
        return x.reshape(shape) if x.size <= _CHUNK else None


def _acb_shape(shape: tuple[int, ...], axis: int) -> tuple[int, int, int]:
    return (int(np.prod(shape[:axis])), shape[axis], int(np.prod(shape[axis + 1 :])))


def _over_acb_views(
    x: FloatArray, out: FloatArray, axis: int, kernel: Callable[[FloatArray, FloatArray], None]
) -> None:
    """Run ``kernel(x3, out3)`` on ``x`` and ``out`` seen as (A, C, B) around `axis`.

    ``out`` is C-contiguous, with ``x``'s shape or with length 1 along `axis`.
    When the axes of ``x`` before or after `axis` do not merge without a copy
    (a strided or transposed array), ``x`` is cut along another axis into
    pieces that do merge, or that are small enough (``_CHUNK`` elements) to
    copy: a non-contiguous input costs no copy of itself.
    """
    x3 = _cheap_reshape(x, _acb_shape(x.shape, axis))
    if x3 is not None:
        kernel(x3, out.reshape(_acb_shape(out.shape, axis), copy=False))
        return
    cut = 0 if axis != 0 else 1  # an axis other than the class axis
    per = x.size // x.shape[cut]  # elements in one index of that axis
    lead = (slice(None),) * cut
    if per > _CHUNK:  # one index at a time, which drops the axis
        for i in range(x.shape[cut]):
            _over_acb_views(x[(*lead, i)], out[(*lead, i)], axis - (cut < axis), kernel)
    else:
        step = _CHUNK // per
        for i in range(0, x.shape[cut], step):
            piece = (*lead, slice(i, i + step))
            _over_acb_views(x[piece], out[piece], axis, kernel)


def _lse_trailing(y: FloatArray, n_kept: int, work: np.dtype) -> FloatArray:
    r"""The log-sum-exp of ``y`` over every axis after its first `n_kept`, in ``work``, in bounded pieces.

    A piece whose reduced axes merge (as a view, or as a copy of at most
    ``_CHUNK`` elements) into at most ``_CHUNK`` terms goes to the kernel;
    anything larger is cut along its first axis. When that axis is reduced,
    the pieces' log-sum-exps are combined by one more log-sum-exp
    (:math:`\log\sum_k e^{\mathrm{lse}_k}`), exact up to their rounding.
    """
    kept = y.shape[:n_kept]
    shape3 = (int(np.prod(kept)), int(np.prod(y.shape[n_kept:])), 1)
    y3 = _cheap_reshape(y, shape3)
    if y3 is not None and shape3[1] <= _CHUNK:
        out3 = np.empty((shape3[0], 1, 1), dtype=work)
        _lse_acb(y3, out3, work)
        return out3.reshape(kept)
    per = y.size // y.shape[0]  # elements in one index of the first axis
    step = max(1, _CHUNK // max(1, per))
    pieces = (
        [(i, y[i]) for i in range(y.shape[0])]
        if per > _CHUNK
        else [(slice(i, i + step), y[i : i + step]) for i in range(0, y.shape[0], step)]
    )
    if n_kept == 0:  # the first axis is reduced: one log-sum-exp per piece, then of those
        parts = np.array([_lse_trailing(piece, 0, work) for _, piece in pieces], dtype=work)
        return _lse_trailing(parts, 0, work)
    out = np.empty(kept, dtype=work)
    for where, piece in pieces:
        out[where] = _lse_trailing(piece, n_kept - (per > _CHUNK), work)
    return out


def _log_sum_exp_shifted(z: FloatArray) -> tuple[FloatArray, FloatArray, FloatArray]:
    r"""For a class-major block ``z`` (C, R): the maxima m, the shifts d = z - m and :math:`\log\sum_c e^{d_c}`.

    The largest term (:math:`e^0 = 1`) is left out of the sum and added
    back inside ``log1p``, so that the log of a sum close to 1 keeps its
    digits; rows whose other terms are below ``_DOMINANT`` are refined by
    :func:`_sum_exp_others`. A row with :math:`+\infty`, all
    :math:`-\infty` or a NaN gives NaN (as in PyTorch).
    """
    m = z.max(axis=0)
    with np.errstate(invalid="ignore"):  # inf - inf: NaN, as in PyTorch
        d = z - m
    top = d == 0
    e = np.exp(d)
    e[top] = 0
    s_other = e.sum(axis=0)
    s_other += top.sum(axis=0) - 1  # the other maxima (ties) count 1 each
    rows = np.flatnonzero((s_other < _DOMINANT) & np.isfinite(m))
    if rows.size:
        zr = np.ascontiguousarray(z[:, rows].T)
        s_other[rows] = _sum_exp_others(zr, m[rows], np.argmax(zr, axis=1))
    return m, d, np.log1p(s_other)


def _target_nll_block(
    z: FloatArray, t: NDArray[np.intp]
) -> tuple[FloatArray, FloatArray, FloatArray]:
    r"""For a class-major block ``z`` (C, R) and targets ``t`` (R,): -log_softmax at the target.

    With :math:`m = \max_c z_c` and :math:`M = m - z_t \ge 0`,
    :math:`\mathrm{lse}(z) - z_t = M + L` with :math:`L = \operatorname{log1p}(
    \operatorname{expm1}(-M) + \sum_{c \ne t} e^{z_c - m}) = \mathrm{lse}(z) - m`.
    Returns the loss, :math:`L` and the shifts :math:`d = z - m` (for label
    smoothing).
    """
    n_rows = z.shape[1]
    flat = t * n_rows + np.arange(n_rows)
    m = z.max(axis=0)
    z_t = np.take(z, flat)
    with np.errstate(
        invalid="ignore"
    ):  # inf - inf: a +inf or all -inf row gives NaN, as in PyTorch
        d = z - m
        e = np.exp(d)
        np.put(e, flat, 0)  # the target's own term, e^{z_t - m}, goes in through expm1(-M)
        s_other = e.sum(axis=0)
        rows = np.flatnonzero((s_other < _DOMINANT) & np.isfinite(m))
        if rows.size:  # dominant target: refine the small sum with the exact rounding errors
            s_other[rows] = _sum_exp_others(np.ascontiguousarray(z[:, rows].T), m[rows], t[rows])
        big_m = m - z_t
        lse_shift = np.log1p(np.expm1(-big_m) + s_other)
        return big_m + lse_shift, lse_shift, d


class _Total:
    """Float64 running sum and denominator of a reduction over blocks, or the unreduced output."""

    def __init__(self, reduction: str, out_shape2: tuple[int, int], dtype: np.dtype) -> None:
        self.reduction = reduction
        self.dtype = dtype
        self.out = np.empty(out_shape2, dtype=dtype) if reduction == "none" else None
        self.total = 0.0
        self.count = 0.0

    def add(self, loss: FloatArray, where: tuple[slice, slice], count: float) -> None:
        if self.out is not None:
            self.out[where] = loss.reshape(self.out[where].shape)
        else:
            self.total += float(np.add.reduce(loss, axis=None, dtype=np.float64))
            self.count += count

    def result(self, out_shape: tuple[int, ...]) -> FloatArray:
        """The output (unreduced), or the sum, or the sum over the float64 denominator (0/0 = NaN)."""
        if self.out is not None:
            return self.out.reshape(out_shape)
        if self.reduction == "sum":
            return np.asarray(self.total, dtype=self.dtype)
        with np.errstate(invalid="ignore", divide="ignore"):  # 0/0 = NaN: nothing to average
            return np.asarray(np.float64(self.total) / np.float64(self.count), dtype=self.dtype)


def _write_class_major(out3: FloatArray, a_sl: slice, b_sl: slice, z: FloatArray) -> None:
    """Write a class-major block ``z`` (C, a * b) back into ``out3[a_sl, :, b_sl]`` (a, C, b)."""
    dst = out3[a_sl, :, b_sl]
    dst[...] = np.moveaxis(z.reshape(dst.shape[1], dst.shape[0], dst.shape[2]), 0, 1)


def softmax(x: ArrayLike, axis: int = -1) -> FloatArray:
    r"""Softmax along `axis`: :math:`\mathrm{softmax}(x)_i = e^{x_i} / \sum_j e^{x_j}`.

    Parameters
    ----------
    x : array_like of float
        Logits.
    axis : int, default -1
        The class axis, along which the result sums to 1. A 0-d `x` is one
        element along axis 0 (or -1), as in PyTorch: its softmax is 1.

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
    axis = v.check_axis(axis, x.ndim)
    out = np.empty(x.shape, dtype=x.dtype)
    work = v.work_dtype(x.dtype)

    def kernel(x3: FloatArray, out3: FloatArray) -> None:
        for a_sl, b_sl in _blocks(*x3.shape):
            z = _class_major(x3[a_sl, :, b_sl], work)
            m = z.max(axis=0)
            with np.errstate(invalid="ignore"):  # inf - inf: NaN, as in PyTorch
                z -= m  # no exponent is positive, so nothing overflows
            np.exp(z, out=z)
            z /= z.sum(axis=0)
            _write_class_major(out3, a_sl, b_sl, z)

    if x.size:  # a 0-d x is one class along axis 0
        _over_acb_views(x.reshape(x.shape or (1,)), out.reshape(x.shape or (1,)), axis, kernel)
    return out


def log_softmax(x: ArrayLike, axis: int = -1) -> FloatArray:
    r"""Logarithm of the softmax along `axis`: :math:`x_i - \log\sum_j e^{x_j}`.

    Parameters
    ----------
    x : array_like of float
        Logits.
    axis : int, default -1
        The class axis. A 0-d `x` is one element along axis 0 (or -1), as in
        PyTorch: its log-softmax is 0.

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
    axis = v.check_axis(axis, x.ndim)
    out = np.empty(x.shape, dtype=x.dtype)
    work = v.work_dtype(x.dtype)

    def kernel(x3: FloatArray, out3: FloatArray) -> None:
        for a_sl, b_sl in _blocks(*x3.shape):
            _, d, lse_shift = _log_sum_exp_shifted(_class_major(x3[a_sl, :, b_sl], work))
            d -= lse_shift
            _write_class_major(out3, a_sl, b_sl, d)

    if x.size:  # a 0-d x is one class along axis 0
        _over_acb_views(x.reshape(x.shape or (1,)), out.reshape(x.shape or (1,)), axis, kernel)
    return out


# ---------------------------------------------------------------------------
# kernels of the losses (their inputs are validated by _validation)
# ---------------------------------------------------------------------------


def _class_index_loss(
    batch: v.ClassIndexBatch,
    per_block: Callable[[slice, slice, NDArray[np.intp]], tuple[FloatArray, FloatArray | None]],
    block_classes: int,
    label_smoothing: float = 0.0,
    block_elements: int = _CHUNK,
) -> FloatArray:
    r"""The shared tail of ``nll_loss`` and ``cross_entropy``: weight, ignore and reduce per block.

    ``per_block(a_sl, b_sl, t)`` returns, for the targets ``t`` of the block
    ``x3[a_sl, :, b_sl]``, the unweighted loss of each target and, with label
    smoothing, the term :math:`\sum_c -w_c \log p_c`. An ignored target
    counts 0 (set before weighting, so that an ignored infinity does not give
    :math:`0 \cdot \infty`), and the mean divides by the weights of the
    counted targets (their number without `weight`).
    """
    n, _, s = batch.x3.shape
    w, eps = batch.weight, label_smoothing
    total = _Total(batch.reduction, (n, s), batch.dtype)
    for a_sl, b_sl in _blocks(n, block_classes, s, block_elements):
        t = batch.target[a_sl, b_sl].reshape(-1).astype(np.intp, copy=False)
        ignored = None
        if batch.has_ignored:
            ignored = t == batch.ignore_index
            t = np.where(ignored, 0, t)
        loss, smooth = per_block(a_sl, b_sl, t)
        if ignored is not None:
            loss[ignored] = 0
            if smooth is not None:
                smooth[ignored] = 0
        if w is None:
            count = float(t.size - (0 if ignored is None else np.count_nonzero(ignored)))
        else:
            w_t = w[t]
            if ignored is not None:
                w_t[ignored] = 0
            loss = w_t * loss
            count = float(np.sum(w_t))
        if smooth is not None:
            loss = (1 - eps) * loss + (eps / batch.x3.shape[1]) * smooth
        total.add(loss, (a_sl, b_sl), count)
    return total.result(batch.out_shape)


def _nll_loss(batch: v.ClassIndexBatch) -> FloatArray:
    x3 = batch.x3
    n, c, s = x3.shape
    # an ndarray, or the SampleBlocks of an input whose spatial axes do not merge
    flat = x3.reshape(-1) if isinstance(x3, np.ndarray) and x3.flags.c_contiguous else None
    # (N, C): the loss of row i is -flat[i * C + t_i], a gather. Blocks of
    # _GATHER rows keep the index and the gathered values in the cache.
    rows = _GATHER if s == 1 else _CHUNK
    row_starts = np.arange(0, min(n, rows) * c, c, dtype=np.intp)  # offset of each row's class 0
    index = np.empty(row_starts.shape, dtype=np.intp)

    def picked(a_sl: slice, b_sl: slice, t: NDArray[np.intp]) -> tuple[FloatArray, None]:
        a0, a1, _ = a_sl.indices(n)
        b0, b1, _ = b_sl.indices(s)
        if flat is None:
            block = x3[a_sl, :, b_sl]
            x_t = np.take_along_axis(block, t.reshape(a1 - a0, 1, b1 - b0), axis=1).reshape(-1)
        elif s == 1:
            at = np.add(row_starts[: a1 - a0], t, out=index[: a1 - a0])
            x_t = flat[a0 * c : a1 * c].take(at, mode="wrap")  # validated: all in range
        else:
            start = np.arange(a0 * c * s, a1 * c * s, c * s)[:, None] + np.arange(b0, b1)
            x_t = np.take(flat, start.reshape(-1) + t * s, mode="clip")
        return np.negative(x_t, out=x_t), None

    # a strided input's block is read whole (C values per target), a flat one's is not
    return _class_index_loss(batch, picked, 1 if flat is not None else c, block_elements=rows)


def _cross_entropy_indices(batch: v.ClassIndexBatch, eps: float) -> FloatArray:
    x3, w = batch.x3, batch.weight
    work = v.work_dtype(x3.dtype)
    n_classes = x3.shape[1]
    w_sum = n_classes if w is None else np.sum(w)

    def per_block(
        a_sl: slice, b_sl: slice, t: NDArray[np.intp]
    ) -> tuple[FloatArray, FloatArray | None]:
        loss, lse_shift, d = _target_nll_block(_class_major(x3[a_sl, :, b_sl], work), t)
        if eps == 0:
            return loss, None
        # sum_c -w_c log p_c = sum_c w_c (lse - m) - sum_c w_c (z_c - m): two terms >= 0
        sum_wd = d.sum(axis=0) if w is None else w @ d
        return loss, w_sum * lse_shift - sum_wd

    return _class_index_loss(batch, per_block, n_classes, eps)


def _cross_entropy_probabilities(batch: v.ProbabilityBatch, eps: float) -> FloatArray:
    x3, q3, w = batch.x3, batch.q3, batch.weight
    n, n_classes, s = x3.shape
    work = v.work_dtype(batch.dtype)
    total = _Total(batch.reduction, (n, s), batch.dtype)
    for a_sl, b_sl in _blocks(n, n_classes, s):
        _, d, lse_shift = _log_sum_exp_shifted(_class_major(x3[a_sl, :, b_sl], work))
        q = _class_major(q3[a_sl, :, b_sl], work)
        if eps > 0:
            q *= 1 - eps
            q += eps / n_classes
        if w is not None:
            q_zero = q == 0
            q *= w[:, None]
        # -sum_c w_c q_c log p_c = (lse - m) sum_c w_c q_c + sum_c w_c q_c (m - z_c): no cancellation
        with np.errstate(
            invalid="ignore"
        ):  # 0 * -inf where a class has probability 0; set to 0 below
            terms = q * d
            loss = lse_shift * q.sum(axis=0) - terms.sum(axis=0)
            if not np.isfinite(
                loss
            ).all():  # a class with probability 0 counts 0, even at logit -inf
                terms[(q == 0) if w is None else q_zero] = 0
                loss = lse_shift * q.sum(axis=0) - terms.sum(axis=0)
        total.add(loss, (a_sl, b_sl), float(loss.size))
    return total.result(batch.out_shape)


def _binary_loss(batch: v.BinaryBatch, elementwise: Callable[..., FloatArray]) -> FloatArray:
    """Apply ``elementwise(x, y, weight, pos_weight)`` to blocks of the broadcast operands, then reduce."""
    x, y, w, r = batch.x, batch.y, batch.weight, batch.pos_weight
    ops = [x, y] + [a for a in (w, r) if a is not None]
    total = _Total(batch.reduction, (1, x.size), x.dtype)
    if batch.reduction == "none":
        ops.append(total.out.reshape(x.shape))
    flags = [["readonly"]] * (len(ops) - (batch.reduction == "none")) + [["writeonly"]] * (
        batch.reduction == "none"
    )
    work = v.work_dtype(x.dtype)
    dtypes = [work] * (len(ops) - (batch.reduction == "none")) + [x.dtype] * (
        batch.reduction == "none"
    )
    with np.nditer(
        ops,
        flags=["external_loop", "buffered", "zerosize_ok"],
        op_flags=flags,
        op_dtypes=dtypes,
        casting="unsafe",
        buffersize=_CHUNK,
        order="C",
    ) as blocks:
        for chunk in blocks:
            xs, ys = chunk[0], chunk[1]
            ws = chunk[2] if w is not None else None
            rs = chunk[2 + (w is not None)] if r is not None else None
            loss = elementwise(xs, ys, ws, rs)
            if batch.reduction == "none":
                chunk[-1][...] = loss
            else:
                total.total += float(np.sum(loss, dtype=np.float64))
    total.count = float(x.size)
    return total.result(x.shape)


def _bce_elements(p: FloatArray, y: FloatArray, w: FloatArray | None, _: None) -> FloatArray:
    with np.errstate(divide="ignore"):  # log(0) = -inf, clamped to -100 just below
        log_p = np.log(p)
        log_1mp = np.log1p(-p)
    np.maximum(log_p, -100, out=log_p)
    np.maximum(log_1mp, -100, out=log_1mp)
    log_p *= y  # 0 * (-100) = 0: a certain, right prediction costs nothing
    log_1mp *= 1 - y
    log_p += log_1mp
    np.negative(log_p, out=log_p)
    if w is not None:
        log_p *= w
    return log_p


def _bce_with_logits_elements(
    x: FloatArray, y: FloatArray, w: FloatArray | None, r: FloatArray | None
) -> FloatArray:
    # softplus(+-x) = max(+-x, 0) + log1p(exp(-|x|)): no overflow, no cancellation
    tail = np.abs(x)
    np.negative(tail, out=tail)
    np.exp(tail, out=tail)
    np.log1p(tail, out=tail)
    neg_term = np.maximum(x, 0)  # softplus(x), the loss of label 0
    pos_term = np.maximum(-x, 0)  # softplus(-x), the loss of label 1
    neg_term += tail
    pos_term += tail
    pos = y if r is None else r * y
    with np.errstate(invalid="ignore"):  # 0 * inf at an infinite logit; redone below
        loss = (1 - y) * neg_term
        loss += pos * pos_term
    if not np.isfinite(loss).all():  # a term whose factor is 0 counts 0, even at an infinite logit
        bad = ~np.isfinite(loss)
        neg, pos_b = 1 - y[bad], pos[bad]
        with np.errstate(invalid="ignore"):
            loss[bad] = np.where(neg == 0, 0, neg * neg_term[bad]) + np.where(
                pos_b == 0, 0, pos_b * pos_term[bad]
            )
    if w is not None:
        loss *= w
    return loss


# ---------------------------------------------------------------------------
# losses over class indices
# ---------------------------------------------------------------------------


def nll_loss(
    input: ArrayLike,
    target: ArrayLike,
    weight: ArrayLike | None = None,
    *,
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
        A weight :math:`w_c` per class; default all ones. The third
        positional argument, as in PyTorch; the options after it are
        keyword-only. An array must have `input`'s dtype (PyTorch raises
        otherwise, and so does this, with a ``TypeError``); a list is read
        in `input`'s dtype.
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
    batch = v.validate_class_indices(
        x, target, weight, v.check_ignore_index(ignore_index), v.check_reduction(reduction)
    )
    return _nll_loss(batch)


def cross_entropy(
    input: ArrayLike,
    target: ArrayLike,
    weight: ArrayLike | None = None,
    *,
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
        A weight :math:`w_c` per class; default all ones. The third
        positional argument, as in PyTorch; the options after it are
        keyword-only. With class indices an array must have `input`'s dtype
        (PyTorch raises otherwise, and so does this, with a ``TypeError``;
        a list is read in `input`'s dtype); with class probabilities any
        float dtype is accepted and the result takes the promoted dtype of
        `input`, `target` and `weight`, as in PyTorch.
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
    Where the other terms sum to less than :math:`2^{-5}` (a dominant true
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
        if t_arr.dtype.kind != "f":
            raise TypeError(
                f"target has input's shape {x.shape}, so it is read as class probabilities, "
                f"which must be floating point, but it has dtype {t_arr.dtype}; for class "
                f"indices give target shape {x.shape[:1] + x.shape[2:] if x.ndim >= 2 else ()}, "
                f"for probabilities convert it with target.astype(input.dtype)"
            )
        batch_q = v.validate_probability_target(x, t_arr, weight, ignore_index, reduction)
        return _cross_entropy_probabilities(batch_q, eps)
    batch = v.validate_class_indices(x, t_arr, weight, ignore_index, reduction)
    return _cross_entropy_indices(batch, eps)


# ---------------------------------------------------------------------------
# binary losses
# ---------------------------------------------------------------------------


def binary_cross_entropy(
    input: ArrayLike,
    target: ArrayLike,
    weight: ArrayLike | None = None,
    *,
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
        Rescales each element's loss; must broadcast to `input`'s shape. The
        third positional argument, as in PyTorch (the options after it are
        keyword-only); any dtype, cast to `input`'s, as PyTorch does.
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
    batch = v.validate_binary(
        x, target, weight, None, v.check_reduction(reduction), probabilities=True
    )
    return _binary_loss(batch, _bce_elements)


def binary_cross_entropy_with_logits(
    input: ArrayLike,
    target: ArrayLike,
    weight: ArrayLike | None = None,
    *,
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
        Rescales each element's loss; must broadcast to `input`'s shape. The
        third positional argument, as in PyTorch (the options after it are
        keyword-only); any dtype, cast to `input`'s, as PyTorch does.
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
    batch = v.validate_binary(
        x, target, weight, pos_weight, v.check_reduction(reduction), probabilities=False
    )
    return _binary_loss(batch, _bce_with_logits_elements)


# ---------------------------------------------------------------------------
# scikit-learn's log_loss
# ---------------------------------------------------------------------------


def log_loss(
    y_true: ArrayLike,
    y_proba: ArrayLike | None = None,
    *,
    normalize: bool = True,
    sample_weight: ArrayLike | None = None,
    labels: ArrayLike | None = None,
    y_pred: Any = "deprecated",
) -> FloatArray:
    r"""Log-loss of predicted probabilities, as ``sklearn.metrics.log_loss`` (scikit-learn 1.9).

    Parameters
    ----------
    y_true : array_like, shape (N,) or (N, K)
        True labels, of any sortable type (ints, strings, ...), or a (N, K)
        label-indicator matrix of 0/1 (column k marks class k). The classes
        are ``np.unique(labels)`` if `labels` is given, else
        ``np.unique(y_true)``, in sorted order; there must be at least two.
    y_proba : array_like of float, shape (N,) or (N, K)
        Predicted probabilities: of the larger class (shape (N,) or (N, 1),
        binary case), or one column per class in the sorted order of the
        classes. Values must lie in [0, 1]; integers are read as float64.
    normalize : bool, default True
        Return the (weighted) mean loss per sample; otherwise the sum.
    sample_weight : array_like of float, shape (N,), optional
        A weight per sample; at least one must be non-zero.
    labels : array_like, optional
        All the classes, when `y_true` may lack some (a batch where one
        class is missing). Give them sorted: the columns of `y_proba` follow
        the sorted order, and unsorted `labels` give a warning, as in
        scikit-learn.
    y_pred : array_like of float, deprecated
        The former name of `y_proba`, accepted with a ``FutureWarning``, as
        scikit-learn 1.9 does (it removes it in 1.11). Giving both is an error.

    Returns
    -------
    ndarray
        A 0-d array in the dtype of `y_proba` (float64 for integer input);
        scikit-learn returns a Python float of the same value.

    Notes
    -----
    With :math:`p_{n}` the probability given to sample :math:`n`'s true
    class, after clipping to :math:`[\epsilon, 1-\epsilon]` (:math:`\epsilon`
    the machine epsilon of the dtype, as scikit-learn documents),

    .. math:: \ell_n = -\log p_n, \qquad
              \text{mean} = \frac{\sum_n s_n \ell_n}{\sum_n s_n}, \qquad
              \text{sum} = \sum_n s_n \ell_n,

    with sample weights :math:`s_n` (all 1 by default). For a
    label-indicator `y_true`, :math:`\ell_n` sums :math:`-\log p_{n,k}` over
    the classes the row marks. The logs are taken and summed in float64.
    Like scikit-learn, this warns if the rows of `y_proba` do not sum to 1
    (``"The y_prob values do not sum to one"``), and does not renormalise
    them; every other check, warning and error message is scikit-learn's,
    in its order, and scikit-learn's own ``log_loss`` tests pass against
    this function (``tests/test_sklearn_log_loss_suite.py``).

    Shape
    -----
    - y_true: (N,) or (N, K)
    - y_proba: (N,) or (N, K)
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

    A batch in which only class 2 occurs needs `labels` to know the columns:

    >>> lu.log_loss([2, 2], [[0.1, 0.9], [0.4, 0.6]], labels=[1, 2])
    array(0.30809307)
    """
    if not (isinstance(y_pred, str) and y_pred == "deprecated"):
        if y_proba is not None:
            raise ValueError(
                "Cannot use both `y_pred` and `y_proba`. `y_pred` is deprecated, use `y_proba` "
                "instead."
            )
        warnings.warn(
            "`y_pred` was renamed to `y_proba` in version 1.9 and will be removed in 1.11. "
            "Use `y_proba` instead.",
            FutureWarning,
            stacklevel=2,
        )
        y_proba = y_pred
    if y_proba is None:
        raise TypeError("log_loss() missing the predicted probabilities, y_proba")
    batch = v.validate_log_loss(y_true, y_proba, normalize, sample_weight, labels)
    return _log_loss(batch)


def _log_loss(batch: v.LogLossBatch) -> FloatArray:
    """Minus the mean (or sum) log of each sample's clipped probability of its true class.

    A block of rows at a time: the extra memory does not grow with N.
    """
    p, y, s = batch.proba, batch.y, batch.sample_weight
    eps = np.finfo(p.dtype).eps
    total = 0.0
    for start in range(0, p.shape[0], _GATHER):
        rows = slice(start, start + _GATHER)
        p_rows = p[rows] if p.shape[1] > 1 else np.concatenate([1 - p[rows], p[rows]], axis=1)
        if batch.classes is not None:
            column = np.searchsorted(batch.classes, y[rows])
            p_true = np.take_along_axis(p_rows, column[:, None], axis=1)[:, 0]
            loss = -np.log(np.clip(p_true, eps, 1 - eps).astype(np.float64))
        else:  # a label-indicator y_true: minus the sum over the classes it marks
            with np.errstate(invalid="ignore"):
                log_p = np.log(np.clip(p_rows, eps, 1 - eps).astype(np.float64))
                loss = -np.sum(y[rows].astype(np.float64) * log_p, axis=1)
        total += float(np.sum(loss) if s is None else np.dot(s[rows], loss))
    if not batch.normalize:
        return np.asarray(total, dtype=p.dtype)
    denominator = p.shape[0] if s is None else np.sum(s)
    if denominator == 0:
        raise v.SampleWeightsSumToZero(
            "Weights sum to zero, can't be normalized: sample_weight sums to 0, so the "
            "weighted mean log-loss is undefined; give some sample a positive weight, or use "
            "normalize=False for the sum"
        )
    return np.asarray(total / denominator, dtype=p.dtype)
