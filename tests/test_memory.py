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
    }


NAMES = list(cases(1))


@pytest.mark.parametrize("reduction", ["mean", "none"])
@pytest.mark.parametrize("name", NAMES)
def test_extra_memory_beyond_the_output_is_bounded_whatever_n(name, reduction):
    for n in (25_000, 200_000):
        call = cases(n)[name]
        peak, output = peak_extra_bytes(lambda call=call: call(reduction))
        assert peak - output < BOUND, f"N={n}: {(peak - output) / 2**20:.1f} MiB beyond the output"
