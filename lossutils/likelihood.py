"""The likelihood of labels under predicted probabilities, and its logarithm.

Chapter 1 of the book starts here: the probability a model gives to the
labels that actually occurred is the product of the probabilities it gave to
each true label. That product underflows for a few thousand samples, which is
why :func:`log_likelihood` adds logarithms instead.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike, NDArray

from . import _validation as v

__all__ = ["likelihood", "log_likelihood"]


def _true_label_probs(
    target: ArrayLike, prob: ArrayLike
) -> tuple[NDArray[np.floating], NDArray[np.bool_] | None]:
    """Probabilities given to the true labels, and for the binary case the mask of label 0.

    Binary (``prob`` of shape (N,)): returns ``prob`` itself and the mask of
    samples labelled 0, whose probability is ``1 - prob``; the caller decides
    how to use it (``1 - p`` for the product, ``log1p(-p)`` for the log).
    Multiclass (``prob`` of shape (N, C)): returns ``prob[n, target[n]]``.
    """
    p = v.as_float_array(prob, "prob", what="probabilities")
    t = np.asarray(target)
    if t.dtype.kind == "b":
        t = t.astype(np.int64)
    t = v.as_class_indices(t, "target")
    if p.ndim not in (1, 2):
        raise ValueError(
            f"prob must have shape (N,) (binary: P(y=1) per sample) or (N, C) "
            f"(one column per class), but has shape {p.shape}"
        )
    if t.shape != p.shape[:1]:
        raise ValueError(
            f"target has shape {t.shape} but prob has shape {p.shape}; target needs one "
            f"label per sample, shape {p.shape[:1]}"
        )
    v.check_probabilities(p, "prob")
    if p.ndim == 1:
        bad = (t != 0) & (t != 1)
        if bad.any():
            i = v.first_true(bad)
            raise ValueError(
                f"target has label {int(t[i])} at position {i}, but with prob of shape "
                f"{p.shape} (binary) labels must be 0 or 1; for several classes give prob "
                f"shape (N, C)"
            )
        return p, t == 0
    n_classes = p.shape[1]
    bad = (t < 0) | (t >= n_classes)
    if bad.any():
        i = v.first_true(bad)
        raise ValueError(
            f"target has class index {int(t[i])} at position {i}, but prob has only "
            f"{n_classes} columns (axis 1), so labels must lie in [0, {n_classes - 1}]"
        )
    return np.take_along_axis(p, t.reshape(-1, 1).astype(np.intp), axis=1)[:, 0], None


def likelihood(target: ArrayLike, prob: ArrayLike) -> NDArray[np.floating]:
    r"""Likelihood of the labels: the product of the probabilities given to the true labels.

    Parameters
    ----------
    target : array_like of int, shape (N,)
        True labels: 0 or 1 in the binary case, class indices in ``[0, C)``
        in the multiclass case. Booleans are accepted as 0/1.
    prob : array_like of float, shape (N,) or (N, C)
        Binary: :math:`p_n = P(y_n = 1)`, shape (N,). Multiclass: one column
        per class, shape (N, C). Every value must lie in [0, 1].

    Returns
    -------
    ndarray
        A 0-d array in the dtype of `prob`.

    Notes
    -----
    Binary case:

    .. math:: L = \prod_{n=1}^{N} p_n^{\,y_n} (1 - p_n)^{1 - y_n},

    multiclass case: :math:`L = \prod_n p_{n, y_n}`. The product is formed
    honestly (in float64, then cast to `prob`'s dtype), so for a large enough
    batch it leaves float64's range and is wrong or 0; use
    :func:`log_likelihood` for anything but small examples. An empty batch
    has likelihood 1. The rows of a (N, C) `prob` are not checked to sum to 1.

    Where the product ends depends on the factors. Below the normal range a
    float64 is a whole number :math:`m` of units of the smallest subnormal,
    :math:`s \approx 4.9 \times 10^{-324}`, and multiplying by :math:`p`
    gives :math:`m p` units rounded to a whole number. The product stops
    changing at an :math:`m` where that rounding gives :math:`m` back, which
    needs :math:`m (1 - p) \le 1/2` (at equality, ties round to even). The
    product of many equal probabilities :math:`p > 1/2` comes down to such an
    :math:`m`, at most :math:`1 / (2(1 - p))` units, and stays there without
    ever reaching 0 (chapter 2 of the book derives this rule). For 0.6 that
    is 1 unit, for 0.9 it is 5 units and for 0.99 it is 49. Probabilities of
    1/2 or less have no such :math:`m`, and the product reaches exactly 0. A
    float32 `prob` gives the float64 product cast to float32, which is 0 once
    it falls below float32's smallest subnormal.

    Shape
    -----
    - target: (N,)
    - prob: (N,) or (N, C)
    - output: ()

    Examples
    --------
    >>> import numpy as np
    >>> import lossutils as lu
    >>> lu.likelihood(np.array([0, 1, 1, 0]), np.array([0.4, 0.6, 0.9, 0.1]))
    array(0.2916)
    >>> lu.likelihood(np.array([2, 0]), np.array([[0.2, 0.3, 0.5], [0.6, 0.3, 0.1]]))
    array(0.3)

    With 2,000 samples each given probability 0.4, the product
    (:math:`10^{-796}`) underflows to 0 while its logarithm is an ordinary
    number:

    >>> y = np.ones(2000, dtype=int)
    >>> float(lu.likelihood(y, np.full(2000, 0.4)))
    0.0
    >>> lu.log_likelihood(y, np.full(2000, 0.4))
    array(-1832.58146375)

    With probabilities above 1/2 the product gets stuck a few units of the
    smallest subnormal above 0, however many factors follow (here 100,000):

    >>> s = np.finfo(np.float64).smallest_subnormal
    >>> y = np.ones(100_000, dtype=int)
    >>> [float(lu.likelihood(y, np.full(100_000, p)) / s) for p in (0.6, 0.9, 0.99)]
    [1.0, 5.0, 49.0]
    >>> float(lu.likelihood(y, np.full(100_000, 0.9, dtype=np.float32)))
    0.0
    """
    p, is_zero = _true_label_probs(target, prob)
    if is_zero is not None:
        p = np.where(is_zero, 1 - p, p)
    return np.asarray(np.prod(p, dtype=np.float64), dtype=p.dtype)


def log_likelihood(target: ArrayLike, prob: ArrayLike) -> NDArray[np.floating]:
    r"""Log-likelihood of the labels: the sum of the logs of the probabilities of the true labels.

    Parameters
    ----------
    target : array_like of int, shape (N,)
        True labels, as for :func:`likelihood`.
    prob : array_like of float, shape (N,) or (N, C)
        Probabilities, as for :func:`likelihood`.

    Returns
    -------
    ndarray
        A 0-d array in the dtype of `prob`; :math:`\le 0`, and
        :math:`-\infty` if a true label has probability 0.

    Notes
    -----
    Binary case:

    .. math:: \log L = \sum_{n=1}^{N} \bigl[ y_n \log p_n + (1 - y_n) \log(1 - p_n) \bigr],

    multiclass case: :math:`\log L = \sum_n \log p_{n, y_n}`. The product is
    never formed, so the result does not underflow; the sum is accumulated in
    float64. :math:`\log(1 - p)` is computed as ``log1p(-p)``, exact also for
    tiny :math:`p`. Unlike :func:`binary_cross_entropy`, nothing is clamped:
    a true label with probability 0 gives :math:`-\infty`. The mean negative
    log-likelihood, ``-log_likelihood(target, prob) / N``, is the log-loss.

    Shape
    -----
    - target: (N,)
    - prob: (N,) or (N, C)
    - output: ()

    Examples
    --------
    >>> import numpy as np
    >>> import lossutils as lu
    >>> lu.log_likelihood(np.array([0, 1, 1, 0]), np.array([0.4, 0.6, 0.9, 0.1]))
    array(-1.23237228)
    >>> float(np.log(0.6 * 0.6 * 0.9 * 0.9))
    -1.2323722788
    """
    p, is_zero = _true_label_probs(target, prob)
    with np.errstate(divide="ignore"):  # log(0) = -inf is the exact answer
        if is_zero is None:
            logs = np.log(p)
        else:
            logs = np.where(is_zero, np.log1p(-p), np.log(p))
    return np.asarray(np.sum(logs, dtype=np.float64), dtype=p.dtype)
