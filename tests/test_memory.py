"""Every loss and the softmax family work in bounded extra memory: a few MiB whatever the batch size.

The kernels walk the batch in blocks of rows, so the peak of NumPy
allocations during a call (``tracemalloc``), beyond the output itself, must
not grow with N. Each case runs at two batch sizes, 8x apart, and the extra
memory must stay under the same fixed bound at both.
"""

from __future__ import annotations

import tracemalloc

import numpy as np
import pytest

import lossutils as lu

BOUND = 8 * 2**20  # bytes: a few block-sized temporaries, far below one (N, C) float64 copy
GROWTH = 2**20  # bytes: blocks fill up between the two sizes; an array of N float64 is 1.3 MiB more


def peak_extra_bytes(call) -> tuple[int, int]:
    """Peak bytes allocated during ``call()`` and the bytes of what it returned."""
    tracemalloc.start()
    base = tracemalloc.get_traced_memory()[0]
    out = call()
    peak = tracemalloc.get_traced_memory()[1] - base
    tracemalloc.stop()
    return peak, np.asarray(out).nbytes


def cases(n: int):
    rng = np.random.default_rng(0)
    x, y = rng.normal(size=(n, 10)), rng.integers(0, 10, n)
    q = lu.softmax(rng.normal(size=(n, 10)), axis=1)
    w = rng.uniform(0.5, 2, 10)
    xb, yb = rng.normal(size=10 * n), (rng.random(10 * n) < 0.5).astype(float)
    pb = lu.sigmoid(xb)
    padded = np.where(rng.random(n) < 0.2, -100, y)
    # (n, 3, 10) cut from (n, 6, 10): its first two axes do not merge without a copy
    x_strided = rng.normal(size=(n, 6, 10))[:, :3, :]
    x4 = x.reshape(n, 5, 2)
    # images (N, C, H, W) sliced so that H and W do not merge: read a sample at a time
    x_img = rng.normal(size=(n // 25, 5, 12, 10))[:, :, ::2, :5]
    t_img = rng.integers(0, 5, (n // 25, 12, 10))[:, ::2, :5]
    q_img = lu.softmax(rng.normal(size=(n // 25, 5, 12, 10)), axis=1)[:, :, ::2, :5]
    y_binary = y % 2
    return {
        "cross_entropy": lambda r: lu.cross_entropy(x, y, reduction=r),
        "cross_entropy weighted, padded": lambda r: lu.cross_entropy(x, padded, w, reduction=r),
        "cross_entropy label_smoothing": lambda r: lu.cross_entropy(
            x, y, w, reduction=r, label_smoothing=0.1
        ),
        "cross_entropy probabilities": lambda r: lu.cross_entropy(
            x, q, w, reduction=r, label_smoothing=0.1
        ),
        "nll_loss": lambda r: lu.nll_loss(x, padded, w, reduction=r),
        "binary_cross_entropy_with_logits": lambda r: lu.binary_cross_entropy_with_logits(
            xb, yb, reduction=r, pos_weight=np.array(2.0)
        ),
        "binary_cross_entropy": lambda r: lu.binary_cross_entropy(pb, yb, reduction=r),
        "log_softmax": lambda r: lu.log_softmax(x, axis=1),
        "softmax": lambda r: lu.softmax(x, axis=1),
        "logsumexp": lambda r: lu.logsumexp(x, axis=1),
        # layouts and reductions that a reshape would copy
        "softmax of a strided array": lambda r: lu.softmax(x_strided, axis=-1),
        "log_softmax of a strided array": lambda r: lu.log_softmax(x_strided, axis=-1),
        "logsumexp of a strided array": lambda r: lu.logsumexp(x_strided, axis=-1),
        "logsumexp over every axis": lambda r: lu.logsumexp(x),
        "logsumexp over every axis of a strided array": lambda r: lu.logsumexp(x_strided),
        "logsumexp over two axes": lambda r: lu.logsumexp(x4, axis=(0, 2)),
        "cross_entropy of strided images": lambda r: lu.cross_entropy(
            x_img, t_img, w[:5], reduction=r, label_smoothing=0.1
        ),
        "cross_entropy of strided images, probabilities": lambda r: lu.cross_entropy(
            x_img, q_img, reduction=r
        ),
        "nll_loss of strided images": lambda r: lu.nll_loss(x_img, t_img, reduction=r),
        "log_loss": lambda r: lu.log_loss(y, q, normalize=r == "mean"),
        "log_loss binary": lambda r: lu.log_loss(y_binary, pb[:n], normalize=r == "mean"),
    }


NAMES = list(cases(1))


@pytest.mark.parametrize("reduction", ["mean", "none"])
@pytest.mark.parametrize("name", NAMES)
def test_extra_memory_beyond_the_output_is_bounded_whatever_n(name, reduction):
    extra = {}
    for n in (25_000, 200_000):
        call = cases(n)[name]
        peak, output = peak_extra_bytes(lambda call=call: call(reduction))
        extra[n] = peak - output
        assert extra[n] < BOUND, f"N={n}: {extra[n] / 2**20:.1f} MiB beyond the output"
    # and it does not grow: one more float64 or int64 per row would add 1.3 MiB
    growth = extra[200_000] - extra[25_000]
    assert growth < GROWTH, f"{growth / 2**20:.2f} MiB more at 8 times the rows"
