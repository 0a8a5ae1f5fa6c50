"""Private input checks shared by :mod:`lossutils.functional` and :mod:`lossutils.likelihood`.

Each loss validates its arguments in one pass here and gets back a small named
structure of clean arrays (``ClassIndexBatch``, ``ProbabilityBatch``,
``BinaryBatch``, ``LogLossBatch``); its kernel in :mod:`lossutils.functional`
then trusts them. Every check either passes or raises ``ValueError`` /
``TypeError`` with a message that names the argument, says what was expected,
what was received (shape, dtype, the offending value and where it sits) and,
where there is one, the usual fix. Nothing here clips or renormalises, and no
check allocates more than a chunk of the batch (min/max first; a detailed
search only when something is wrong).
"""

from __future__ import annotations

import warnings
from typing import Any, NamedTuple

import numpy as np
from numpy.typing import ArrayLike, NDArray

REDUCTIONS = ("none", "mean", "sum")

# Elements of a target scanned at a time when looking for ignored or bad entries.
_SCAN = 1 << 16


# ---------------------------------------------------------------------------
# small helpers
# ---------------------------------------------------------------------------


def position(flat_index: int, shape: tuple[int, ...]) -> str:
    """Human-readable position of ``flat_index`` in an array of ``shape``."""
    if len(shape) == 1:
        return str(flat_index)
    return str(tuple(int(i) for i in np.unravel_index(flat_index, shape)))


def first_true(mask: NDArray[np.bool_]) -> int:
    """Flat index of the first ``True`` in ``mask`` (which must contain one)."""
    return int(np.argmax(mask.ravel()))


def class_axis(ndim: int) -> int:
    """The axis of a loss's `input` that holds the classes: 0 for one sample (C,), else 1."""
    return 0 if ndim == 1 else 1


def check_axis(axis: int, ndim: int, name: str = "x") -> int:
    """``axis`` as a non-negative index into an array of ``ndim`` dimensions.

    A 0-d array accepts axis 0 and -1, as PyTorch's ``dim`` does: it is treated
    as one element along that axis.
    """
    if isinstance(axis, (bool, np.bool_)) or not isinstance(axis, (int, np.integer)):
        raise TypeError(f"axis must be an integer, but got {type(axis).__name__} {axis!r}")
    size = max(ndim, 1)
    if not -size <= axis < size:
        raise ValueError(
            f"axis {axis} is out of range for {name} with {ndim} dimension(s); use an axis "
            f"in [{-size}, {size - 1}]"
        )
    return int(axis) % size


def as_float_array(x: ArrayLike, name: str, *, what: str = "logits") -> NDArray[np.floating]:
    """``x`` as a floating-point array; integer, boolean or other dtypes are a ``TypeError``."""
    arr = np.asarray(x)
    if arr.dtype.kind != "f":
        raise TypeError(
            f"{name} must hold floating-point {what}, but it has dtype {arr.dtype} "
            f"(shape {arr.shape}); convert it first, e.g. "
            f"np.asarray({name}, dtype=np.float64)"
        )
    return arr


def as_float_or_numeric(x: ArrayLike, name: str) -> NDArray[np.floating]:
    """``x`` as a float array, converting integers and booleans to float64 (for labels and weights)."""
    arr = np.asarray(x)
    if arr.dtype.kind == "f":
        return arr
    if arr.dtype.kind in "biu":
        return arr.astype(np.float64)
    raise TypeError(f"{name} must be numeric, but it has dtype {arr.dtype} (shape {arr.shape})")


def as_class_indices(target: ArrayLike, name: str = "target") -> NDArray[np.integer]:
    """``target`` as an integer array of class indices; anything else is a ``TypeError``."""
    arr = np.asarray(target)
    if arr.dtype.kind in "iu":
        return arr
    if arr.dtype.kind == "f":
        raise TypeError(
            f"{name} must hold integer class indices, but it has dtype {arr.dtype} "
            f"(shape {arr.shape}); convert it with {name}.astype(np.int64), or, for "
            f"class probabilities, give {name} the same shape as input"
        )
    raise TypeError(
        f"{name} must hold integer class indices, but it has dtype {arr.dtype} "
        f"(shape {arr.shape}); convert it with {name}.astype(np.int64)"
    )


def check_reduction(reduction: Any) -> str:
    if not isinstance(reduction, str) or reduction not in REDUCTIONS:
        raise ValueError(f"reduction must be one of 'none', 'mean' or 'sum', but got {reduction!r}")
    return reduction


def check_label_smoothing(label_smoothing: Any) -> float:
    if isinstance(label_smoothing, (bool, np.bool_)) or not isinstance(
        label_smoothing, (int, float, np.integer, np.floating)
    ):
        raise TypeError(
            f"label_smoothing must be a number in [0, 1], but got "
            f"{type(label_smoothing).__name__} {label_smoothing!r}"
        )
    value = float(label_smoothing)
    if not 0.0 <= value <= 1.0:
        raise ValueError(
            f"label_smoothing must lie in [0, 1], but got {value!r}; 0 means no "
            f"smoothing (PyTorch silently accepts negative values, lossutils does not)"
        )
    return value


def check_ignore_index(ignore_index: Any) -> int:
    if isinstance(ignore_index, (bool, np.bool_)) or not isinstance(
        ignore_index, (int, np.integer)
    ):
        raise TypeError(
            f"ignore_index must be an integer, but got "
            f"{type(ignore_index).__name__} {ignore_index!r}"
        )
    return int(ignore_index)


def class_index_shapes(input_shape: tuple[int, ...], target_shape: tuple[int, ...]) -> None:
    """Check that class-index ``target`` fits ``input``: (C,)-(), (N, C)-(N,), (N, C, d...)-(N, d...)."""
    if len(input_shape) == 0:
        raise ValueError(
            "input must have a class axis: shape (C,), (N, C) or (N, C, d1, ..., dK), "
            "but got a 0-d array"
        )
    if len(input_shape) == 1:
        expected: tuple[int, ...] = ()
    else:
        expected = (input_shape[0],) + input_shape[2:]
    some_classes(input_shape)
    if target_shape == expected:
        return
    if len(input_shape) >= 2 and len(target_shape) >= 1 and target_shape[0] != input_shape[0]:
        raise ValueError(
            f"input has batch size {input_shape[0]} (shape {input_shape}) but target has "
            f"batch size {target_shape[0]} (shape {target_shape}); they must match"
        )
    raise ValueError(
        f"target has shape {target_shape}, but input of shape {input_shape} needs class "
        f"indices of shape {expected} (input's shape without its class axis, axis "
        f"{class_axis(len(input_shape))}), or class probabilities of shape {input_shape}"
    )


def some_classes(input_shape: tuple[int, ...]) -> int:
    """The number of classes of a loss's `input`; zero classes is a ``ValueError``."""
    axis = class_axis(len(input_shape))
    n_classes = input_shape[axis]
    if n_classes == 0:
        raise ValueError(
            f"input has shape {input_shape}, with 0 classes along its class axis (axis "
            f"{axis}); a classification loss needs at least one class"
        )
    return n_classes


def check_class_range(
    target: NDArray[np.integer], n_classes: int, ignore_index: int, class_ax: int = 1
) -> bool:
    """Raise on a class index outside [0, n_classes) that is not ``ignore_index``.

    Returns whether any entry equals ``ignore_index``. The common case (every
    index in range) costs one pass, a max over the entries read as unsigned
    (a negative index reads as a huge one); the entries are scanned in chunks
    only when some index is out of range or ``ignore_index`` could occur.
    """
    if target.size == 0:
        return False
    unsigned = target.view(np.dtype(f"u{target.dtype.itemsize}"))
    if int(unsigned.max()) < n_classes:  # every index in [0, n_classes)
        return 0 <= ignore_index < n_classes and bool(np.any(target == ignore_index))
    flat = target.reshape(-1)
    has_ignored = False
    for start in range(0, flat.size, _SCAN):
        chunk = flat[start : start + _SCAN]
        ignored = chunk == ignore_index
        has_ignored = has_ignored or bool(ignored.any())
        bad = ((chunk < 0) | (chunk >= n_classes)) & ~ignored
        if bad.any():
            i = start + first_true(bad)
            value = int(flat[i])
            where = "" if target.ndim == 0 else f" at position {position(i, target.shape)}"
            raise ValueError(
                f"target has class index {value}{where}, but input has only {n_classes} "
                f"classes (axis {class_ax}), so indices must lie in [0, {n_classes - 1}]; "
                f"set ignore_index={value} if {value} marks padding"
            )
    return has_ignored


def class_weight(
    weight: ArrayLike | None, n_classes: int, dtype: np.dtype | None = None
) -> NDArray[np.float64] | None:
    """``weight`` as a float64 array of shape (n_classes,), or None.

    With ``dtype`` (class-index targets), an array `weight` must have the
    input's dtype, as PyTorch requires; a list is read in that dtype.
    """
    if weight is None:
        return None
    if dtype is not None:
        if isinstance(weight, np.ndarray):
            if weight.dtype != dtype:
                raise TypeError(
                    f"weight has dtype {weight.dtype} but input has dtype {dtype}; with class-"
                    f"index targets PyTorch requires the same dtype (it raises 'expected "
                    f"scalar type'), so lossutils does too: convert it with "
                    f"weight.astype(input.dtype)"
                )
        else:
            weight = np.asarray(weight, dtype=dtype)
    w = as_float_or_numeric(weight, "weight")
    if w.shape != (n_classes,):
        raise ValueError(
            f"weight must have one entry per class, shape ({n_classes},), but got shape {w.shape}"
        )
    return w.astype(np.float64, copy=False)


def broadcast_weight(
    weight: ArrayLike | None, shape: tuple[int, ...], name: str
) -> NDArray[np.floating] | None:
    """``weight`` as an array that broadcasts to ``shape`` without enlarging it, or None."""
    if weight is None:
        return None
    w = as_float_or_numeric(weight, name)
    try:
        out = np.broadcast_shapes(w.shape, shape)
    except ValueError:
        out = None
    if out != shape:
        hint = ""
        if name == "pos_weight" and len(shape) >= 1:
            hint = (
                f"; pos_weight holds one weight per class along the last axis, "
                f"so shape ({shape[-1]},) is the usual choice"
            )
        raise ValueError(
            f"{name} has shape {w.shape}, which does not broadcast to input's shape {shape}{hint}"
        )
    return w


def same_shape(a: NDArray[Any], b: NDArray[Any], name_a: str, name_b: str) -> None:
    if a.shape != b.shape:
        raise ValueError(
            f"{name_b} has shape {b.shape} but {name_a} has shape {a.shape}; they must "
            f"have the same shape (no broadcasting)"
        )


def check_probabilities(p: NDArray[np.floating], name: str, *, hint: str = "") -> None:
    """Raise if any entry of ``p`` lies outside [0, 1] or is NaN (a min and a max if all is well)."""
    if p.size == 0:
        return
    lo, hi = np.min(p), np.max(p)  # NaN propagates into both
    if lo >= 0 and hi <= 1:
        return
    bad = ~((p >= 0) & (p <= 1))
    i = first_true(bad)
    value = p.ravel()[i].item()
    where = "" if p.ndim == 0 else f" at position {position(i, p.shape)}"
    raise ValueError(
        f"{name} must hold probabilities in [0, 1], but has value {value!r}{where}{hint}"
    )


def work_dtype(dtype: np.dtype) -> np.dtype:
    """The dtype a kernel computes in: the input's, but at least float32 (float16 loses too much)."""
    return np.result_type(dtype, np.float32)


# ---------------------------------------------------------------------------
# one validation pass per loss, returning what its kernel needs
# ---------------------------------------------------------------------------


class SampleBlocks:
    """An array of shape (N, ..., d1..dK) read as (N, ..., S) without copying it all.

    For an input whose spatial axes d1..dK do not merge into one without a
    copy (a strided slice such as ``x[:, :, ::2, :3]``). Indexing it with a
    slice of samples first, as the kernels' blocks do, copies those samples
    only; the last copy is kept, so the blocks that walk one sample's
    spatial positions copy it once.
    """

    def __init__(self, arr: NDArray[Any], shape: tuple[int, ...]) -> None:
        self.arr, self.shape, self.dtype = arr, shape, arr.dtype
        self._samples: tuple[slice | None, NDArray[Any] | None] = (None, None)

    def __getitem__(self, key: tuple[slice, ...]) -> NDArray[Any]:
        samples, rest = key[0], key[1:]
        if self._samples[0] != samples:
            self._samples = (None, None)  # let the last copy go before the next is made
            self._samples = (samples, self.arr[samples].reshape((-1, *self.shape[1:])))
        return self._samples[1][(slice(None), *rest)]


def as_ncs(x: NDArray[Any], lead: int = 2) -> NDArray[Any]:
    """Input of shape (C,), (N, C) or (N, C, d1..dK) as (N, C, S); with ``lead=1``, a target (N, d1..dK) as (N, S).

    A view, or a :class:`SampleBlocks` when the spatial axes do not merge.
    """
    if x.ndim == lead - 1:
        shape = (1, *x.shape, 1)
    else:
        shape = (*x.shape[:lead], int(np.prod(x.shape[lead:])))
    try:
        return x.reshape(shape, copy=False)
    except ValueError:
        return SampleBlocks(x, shape)  # type: ignore[return-value]


class ClassIndexBatch(NamedTuple):
    """Validated arguments of ``nll_loss`` / ``cross_entropy`` with class-index targets."""

    x3: NDArray[np.floating]  # input as (N, C, S)
    target: NDArray[np.integer]  # (N, S), every entry in [0, C) or ignore_index
    weight: NDArray[np.float64] | None  # (C,)
    ignore_index: int
    has_ignored: bool  # does any target equal ignore_index?
    reduction: str
    out_shape: tuple[int, ...]  # target's shape: the unreduced loss's shape
    dtype: np.dtype  # of the result


class ProbabilityBatch(NamedTuple):
    """Validated arguments of ``cross_entropy`` with class-probability targets."""

    x3: NDArray[np.floating]  # (N, C, S)
    q3: NDArray[np.floating]  # (N, C, S)
    weight: NDArray[np.float64] | None  # (C,)
    reduction: str
    out_shape: tuple[int, ...]
    dtype: np.dtype  # of the result: input's, target's and weight's promoted, as in PyTorch


class BinaryBatch(NamedTuple):
    """Validated arguments of the binary losses."""

    x: NDArray[np.floating]
    y: NDArray[Any]  # input's shape; float, integer or boolean
    weight: NDArray[np.floating] | None  # broadcasts to input's shape
    pos_weight: NDArray[np.floating] | None
    reduction: str


def validate_class_indices(
    x: NDArray[np.floating],
    target: ArrayLike,
    weight: ArrayLike | None,
    ignore_index: int,
    reduction: str,
) -> ClassIndexBatch:
    t = as_class_indices(target)
    class_index_shapes(x.shape, t.shape)
    n_classes = some_classes(x.shape)
    has_ignored = check_class_range(t, n_classes, ignore_index, class_axis(x.ndim))
    w = class_weight(weight, n_classes, x.dtype)
    x3 = as_ncs(x)
    return ClassIndexBatch(
        x3,
        as_ncs(t, lead=1),
        w,
        ignore_index,
        has_ignored,
        reduction,
        t.shape,
        x.dtype,
    )


def validate_probability_target(
    x: NDArray[np.floating],
    q: NDArray[np.floating],
    weight: ArrayLike | None,
    ignore_index: int,
    reduction: str,
) -> ProbabilityBatch:
    if ignore_index >= 0:
        raise ValueError(
            f"ignore_index={ignore_index} cannot be used with class-probability targets "
            f"(target has input's shape {x.shape} and dtype {q.dtype}); give class "
            f"indices instead, or leave ignore_index at its default -100"
        )
    n_classes = some_classes(x.shape)
    w_in = None if weight is None else as_float_or_numeric(weight, "weight")
    w = class_weight(w_in, n_classes)
    dtypes = [x.dtype, q.dtype] + (
        [w_in.dtype] if w_in is not None and w_in.dtype.kind == "f" else []
    )
    out_shape = x.shape[:1] + x.shape[2:] if x.ndim >= 2 else ()
    return ProbabilityBatch(as_ncs(x), as_ncs(q), w, reduction, out_shape, np.result_type(*dtypes))


def validate_binary(
    x: NDArray[np.floating],
    target: ArrayLike,
    weight: ArrayLike | None,
    pos_weight: ArrayLike | None,
    reduction: str,
    *,
    probabilities: bool,
) -> BinaryBatch:
    y = np.asarray(target)  # integer or boolean labels are cast a block at a time by the kernel
    if y.dtype.kind not in "biuf":
        raise TypeError(f"target must be numeric, but it has dtype {y.dtype} (shape {y.shape})")
    same_shape(x, y, "input", "target")
    if probabilities:
        check_probabilities(
            x, "input", hint="; if these are logits, use binary_cross_entropy_with_logits"
        )
        check_probabilities(y, "target")
    w = broadcast_weight(weight, x.shape, "weight")
    r = broadcast_weight(pos_weight, x.shape, "pos_weight")
    return BinaryBatch(x, y, w, r, reduction)


# ---------------------------------------------------------------------------
# log_loss: scikit-learn 1.9's checks, in its order and with its messages
# ---------------------------------------------------------------------------


class LogLossBatch(NamedTuple):
    """Validated arguments of ``log_loss``."""

    # (N, K), one column per class in sorted order; or (N, 1), the second class's
    # probability in a binary problem (the first's, 1 - p, is made a block at a time)
    proba: NDArray[np.floating]
    y: NDArray[Any]  # (N,) labels, or (N, K) when y_true is a label-indicator matrix
    classes: NDArray[Any] | None  # sorted labels, one per column; None for an indicator matrix
    sample_weight: NDArray[np.float64] | None
    normalize: bool


class SampleWeightsSumToZero(ValueError, ZeroDivisionError):
    """The weighted mean of ``log_loss`` is 0/0 (scikit-learn raises ZeroDivisionError)."""


def _finite(arr: NDArray[np.floating], name: str) -> None:
    if arr.size and not np.isfinite(np.sum(arr)) and not np.isfinite(arr).all():
        what = "NaN" if np.isnan(arr).any() else f"infinity or a value too large for {arr.dtype!r}"
        raise ValueError(f"Input {name}contains {what}.")


def _num_samples(a: Any) -> int:
    arr = np.asarray(a) if not hasattr(a, "shape") else a
    return int(arr.shape[0]) if np.ndim(arr) else 1


def validate_log_loss(
    y_true: Any, y_proba: Any, normalize: Any, sample_weight: Any, labels: Any
) -> LogLossBatch:
    if not isinstance(normalize, (bool, np.bool_)):
        raise TypeError(
            f"The 'normalize' parameter of log_loss must be an instance of 'bool' or an "
            f"instance of 'numpy.bool'. Got {normalize!r} instead."
        )
    for name, value in (("y_true", y_true), ("y_proba", y_proba)):
        if np.ndim(value) == 0:
            raise TypeError(
                f"The '{name}' parameter of log_loss must be an array-like. Got {value!r} instead."
            )
    p = np.asarray(y_proba)
    p = p.astype(np.float64) if p.dtype.kind != "f" else p  # strings raise here, as in scikit-learn
    if p.ndim > 2:
        raise ValueError(f"Found array with dim {p.ndim}, while dim <= 2 is required.")
    if p.shape[0] == 0:
        raise ValueError(
            f"Found array with 0 sample(s) (shape={p.shape}) while a minimum of 1 is required."
        )
    if p.ndim == 2 and p.shape[1] == 0:
        raise ValueError(
            f"Found array with 0 feature(s) (shape={p.shape}) while a minimum of 1 is required."
        )
    _finite(p, "")
    if p.max() > 1:
        raise ValueError(f"y_prob contains values greater than 1: {p.max()}")
    if p.min() < 0:
        raise ValueError(f"y_prob contains values lower than 0: {p.min()}")
    lengths = [p.shape[0], _num_samples(y_true)] + (
        [] if sample_weight is None else [_num_samples(sample_weight)]
    )
    if len(set(lengths)) > 1:
        raise ValueError(f"Found input variables with inconsistent numbers of samples: {lengths}")
    s = None
    if sample_weight is not None:
        s = np.asarray(sample_weight, dtype=np.float64)
        if s.ndim != 1:
            raise ValueError("Sample weights must be 1D array or scalar")
        _finite(s, "sample_weight ")
        if not s.any():
            raise ValueError("Sample weights must contain at least one non-zero number.")

    y = np.asarray(y_true)
    if y.ndim == 2 and y.shape[1] == 1:
        y = y[:, 0]
    indicator = y.ndim == 2
    if indicator:  # a label-indicator matrix: its columns are the classes 0..K-1
        classes = np.arange(y.shape[1])
    else:
        if y.dtype.kind == "f" and not all(
            np.array_equal(y[sl], np.round(y[sl])) for sl in _row_blocks(y.shape[0])
        ):
            raise ValueError(
                f"Unknown label type: continuous (y_true holds {y[:5].tolist()}...); "
                f"log_loss needs class labels"
            )
        if labels is not None:
            lab = np.asarray(labels)
            classes = np.unique(lab)
            if not np.array_equal(classes, lab):
                warnings.warn(
                    f"Labels passed were {labels}. But this function assumes labels are "
                    f"ordered lexicographically. Pass the ordered labels={classes.tolist()} "
                    f"and ensure that the columns of y_prob correspond to this ordering.",
                    UserWarning,
                    stacklevel=3,
                )
            if not all(np.isin(y[sl], lab).all() for sl in _row_blocks(y.shape[0])):
                undeclared = set(y_true) - set(labels)
                raise ValueError(
                    f"y_true contains values {undeclared} not belonging to the passed labels "
                    f"{labels}."
                )
        else:
            classes = _unique(y)
        if classes.shape[0] == 1:
            if labels is None:
                raise ValueError(
                    f"y_true contains only one label ({classes[0]}). Please provide the list "
                    f"of all expected class labels explicitly through the labels argument."
                )
            raise ValueError(
                f"The labels array needs to contain at least two labels, got {classes}."
            )

    if p.ndim == 1:
        p = p[:, None]
    n_columns = 2 if p.shape[1] == 1 else p.shape[1]  # one column: the second of two classes
    eps = np.finfo(p.dtype).eps
    if p.shape[1] != 1 and not all(  # (1 - p) + p always passes
        np.isclose(p[sl].sum(axis=1), 1, rtol=np.sqrt(eps), atol=1e-8).all()
        for sl in _row_blocks(p.shape[0])
    ):
        warnings.warn(
            "The y_prob values do not sum to one. Make sure to pass probabilities.",
            UserWarning,
            stacklevel=3,
        )
    if classes.shape[0] != n_columns:
        if labels is None:
            raise ValueError(
                f"y_true and y_prob contain different number of classes: {classes.shape[0]} vs "
                f"{n_columns}. Please provide the true labels explicitly through the labels "
                f"argument. Classes found in y_true: {classes}"
            )
        raise ValueError(
            f"The number of classes in labels is different from that in y_prob. Classes "
            f"found in labels: {classes}"
        )
    return LogLossBatch(p, y, None if indicator else classes, s, bool(normalize))


def _row_blocks(n: int) -> list[slice]:
    """Slices of ``_SCAN`` rows: a check over them allocates a block, not an array, at a time."""
    return [slice(start, start + _SCAN) for start in range(0, n, _SCAN)]


def _unique(y: NDArray[Any]) -> NDArray[Any]:
    """``np.unique(y)`` (the sorted distinct labels) without sorting a copy of all of ``y``."""
    blocks = _row_blocks(y.shape[0])
    classes = np.unique(y[blocks[0]])
    for sl in blocks[1:]:
        classes = np.union1d(classes, y[sl])
    return classes
