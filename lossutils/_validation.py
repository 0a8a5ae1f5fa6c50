"""Private input checks shared by :mod:`lossutils.functional` and :mod:`lossutils.likelihood`.

Every check either returns a clean NumPy array or raises ``ValueError`` /
``TypeError`` with a message that names the argument, says what was expected,
what was received (shape, dtype, the offending value and where it sits) and,
where there is one, the usual fix. Nothing here clips or renormalises.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from numpy.typing import ArrayLike, NDArray

REDUCTIONS = ("none", "mean", "sum")


def position(flat_index: int, shape: tuple[int, ...]) -> str:
    """Human-readable position of ``flat_index`` in an array of ``shape``."""
    if len(shape) == 1:
        return str(flat_index)
    return str(tuple(int(i) for i in np.unravel_index(flat_index, shape)))


def first_true(mask: NDArray[np.bool_]) -> int:
    """Flat index of the first ``True`` in ``mask`` (which must contain one)."""
    return int(np.argmax(mask.ravel()))


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
        raise ValueError(
            f"reduction must be one of 'none', 'mean' or 'sum', but got {reduction!r}"
        )
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
    if isinstance(ignore_index, (bool, np.bool_)) or not isinstance(ignore_index, (int, np.integer)):
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
    some_classes(input_shape[0] if len(input_shape) == 1 else input_shape[1], input_shape)
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
        f"{0 if len(input_shape) == 1 else 1}), or class probabilities of shape {input_shape}"
    )


def some_classes(n_classes: int, input_shape: tuple[int, ...]) -> None:
    if n_classes == 0:
        axis = 0 if len(input_shape) == 1 else 1
        raise ValueError(
            f"input has shape {input_shape}, with 0 classes along its class axis (axis "
            f"{axis}); a classification loss needs at least one class"
        )


def check_class_range(target: NDArray[np.integer], n_classes: int, ignore_index: int) -> NDArray[np.bool_]:
    """Raise on a class index outside [0, n_classes) that is not ``ignore_index``.

    Returns the mask of ignored entries.
    """
    ignored = target == ignore_index
    bad = ((target < 0) | (target >= n_classes)) & ~ignored
    if bad.any():
        i = first_true(bad)
        value = int(target.ravel()[i])
        axis = 0 if target.ndim == 0 else 1
        where = "" if target.ndim == 0 else f" at position {position(i, target.shape)}"
        raise ValueError(
            f"target has class index {value}{where}, but input has only {n_classes} "
            f"classes (axis {axis}), so indices must lie in [0, {n_classes - 1}]; "
            f"set ignore_index={value} if {value} marks padding"
        )
    return ignored


def class_weight(weight: ArrayLike | None, n_classes: int) -> NDArray[np.float64] | None:
    """``weight`` as a float64 array of shape (n_classes,), or None."""
    if weight is None:
        return None
    w = as_float_or_numeric(weight, "weight")
    if w.shape != (n_classes,):
        raise ValueError(
            f"weight must have one entry per class, shape ({n_classes},), but got shape "
            f"{w.shape}"
        )
    return w.astype(np.float64, copy=False)


def broadcast_weight(weight: ArrayLike | None, shape: tuple[int, ...], name: str) -> NDArray[np.floating] | None:
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
            f"{name} has shape {w.shape}, which does not broadcast to input's shape "
            f"{shape}{hint}"
        )
    return w


def same_shape(a: NDArray[Any], b: NDArray[Any], name_a: str, name_b: str) -> None:
    if a.shape != b.shape:
        raise ValueError(
            f"{name_b} has shape {b.shape} but {name_a} has shape {a.shape}; they must "
            f"have the same shape (no broadcasting)"
        )


def check_probabilities(p: NDArray[np.floating], name: str, *, hint: str = "") -> None:
    """Raise if any entry of ``p`` lies outside [0, 1] or is NaN."""
    bad = ~((p >= 0) & (p <= 1))
    if bad.any():
        i = first_true(bad)
        value = p.ravel()[i].item()
        where = "" if p.ndim == 0 else f" at position {position(i, p.shape)}"
        raise ValueError(
            f"{name} must hold probabilities in [0, 1], but has value {value!r}{where}{hint}"
        )
