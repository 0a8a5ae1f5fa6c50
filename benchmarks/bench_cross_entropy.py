"""Time and memory of ``lu.cross_entropy`` against ``torch.nn.functional.cross_entropy``.

N = 1,000,000 samples, C = 10 classes, float32 logits, integer targets,
reduction "mean", on the CPU with one thread each. Run it with::

    .venv/bin/python benchmarks/bench_cross_entropy.py

Time: best of several repeats (``time.perf_counter``) after a warm-up call.

Memory, NumPy: ``tracemalloc`` sees every NumPy allocation, so its peak during
one call is the extra memory lossutils needs beyond its inputs.

Memory, PyTorch: its CPU allocator goes straight to ``malloc`` and is invisible
to tracemalloc, and ``torch.cuda``-style allocator statistics do not exist for
the CPU. We measure it with the profiler's memory tracking
(``torch.profiler.profile(profile_memory=True)``): the peak of the running sum
of allocations minus frees, recorded by torch itself, during one call. As a
cross-check the script also prints the size of one (N, C) float32 copy, which
is what ``log_softmax`` must allocate for its output, and, as an independent
check of both figures, the growth of the peak resident set size over one call
in a fresh process (Linux: the peak ``VmHWM`` is reset through
``/proc/self/clear_refs`` just before the call; coarser, since it counts whole
pages, and memory the allocator reuses without touching new pages is not seen).

NumPy's elementwise functions and reductions run on one thread anyway (only
BLAS-backed routines use a thread pool, and none is used here), so no
threadpoolctl is needed on the NumPy side.
"""

from __future__ import annotations

import subprocess
import sys
import time
import tracemalloc
from typing import Callable

import numpy as np
import torch
import torch.nn.functional as F

import lossutils as lu

N, C = 1_000_000, 10
REPEATS = 7


def best_time(fn: Callable[[], object], repeats: int = REPEATS) -> float:
    fn()  # warm-up
    best = float("inf")
    for _ in range(repeats):
        start = time.perf_counter()
        fn()
        best = min(best, time.perf_counter() - start)
    return best


def numpy_peak_bytes(fn: Callable[[], object]) -> int:
    tracemalloc.start()
    tracemalloc.reset_peak()
    base = tracemalloc.get_traced_memory()[0]
    fn()
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    return peak - base


def torch_peak_bytes(fn: Callable[[], object]) -> int:
    from torch.profiler import ProfilerActivity, profile

    with profile(activities=[ProfilerActivity.CPU], profile_memory=True) as prof:
        fn()
    # Each event carries the bytes it allocated (positive) or freed (negative),
    # in time order; the peak of their running sum is the peak extra memory.
    events = sorted(
        (e for e in prof.events() if e.cpu_memory_usage != 0),
        key=lambda e: e.time_range.start,
    )
    running = peak = 0
    for e in events:
        # Only leaf events: a parent op reports the total of its children.
        if e.cpu_children:
            continue
        running += e.cpu_memory_usage
        peak = max(peak, running)
    return peak


_RSS_PROBE = """
import sys
import numpy as np, torch, torch.nn.functional as F
import lossutils as lu

def status_kib(field):
    with open("/proc/self/status") as f:
        return next(int(line.split()[1]) for line in f if line.startswith(field + ":"))

torch.set_num_threads(1)
rng = np.random.default_rng(0)
logits = rng.standard_normal(({n}, {c}), dtype=np.float32)
target = rng.integers(0, {c}, size={n})
call = {{
    "lossutils": lambda: lu.cross_entropy(logits, target),
    "torch": lambda: F.cross_entropy(torch.from_numpy(logits), torch.from_numpy(target)),
}}[sys.argv[1]]
call()  # warm-up: lazy initialisation is not the call's memory
with open("/proc/self/clear_refs", "w") as f:
    f.write("5")  # reset the peak resident set size (VmHWM) to the current one
before = status_kib("VmRSS")
call()
print((status_kib("VmHWM") - before) * 1024)
"""


def rss_growth_bytes(which: str) -> int:
    """Growth of the peak resident set size over one call, in a fresh process."""
    code = _RSS_PROBE.format(n=N, c=C)
    out = subprocess.run(
        [sys.executable, "-c", code, which], capture_output=True, text=True, check=True
    )
    return int(out.stdout.strip().splitlines()[-1])


def main() -> None:
    torch.set_num_threads(1)
    rng = np.random.default_rng(0)
    logits = rng.normal(size=(N, C)).astype(np.float32)
    target = rng.integers(0, C, size=N)
    logits_t = torch.from_numpy(logits)
    target_t = torch.from_numpy(target)

    ours = lu.cross_entropy(logits, target)
    theirs = F.cross_entropy(logits_t, target_t).item()
    assert np.isclose(float(ours), theirs, rtol=1e-5), (float(ours), theirs)

    t_lu = best_time(lambda: lu.cross_entropy(logits, target))
    t_torch = best_time(lambda: F.cross_entropy(logits_t, target_t))
    m_lu = numpy_peak_bytes(lambda: lu.cross_entropy(logits, target))
    m_torch = torch_peak_bytes(lambda: F.cross_entropy(logits_t, target_t))

    rss_lu = rss_growth_bytes("lossutils")
    rss_torch = rss_growth_bytes("torch")

    mib = 2**20
    input_bytes = logits.nbytes
    print(f"cross_entropy, N={N:,}, C={C}, float32, reduction='mean', 1 thread each")
    print(f"numpy {np.__version__}, torch {torch.__version__}, best of {REPEATS}")
    print(f"loss: lossutils {float(ours):.7f}, torch {theirs:.7f}")
    print(f"time  lossutils: {t_lu * 1e3:8.1f} ms")
    print(f"time  torch:     {t_torch * 1e3:8.1f} ms")
    print(f"ratio lossutils / torch: {t_lu / t_torch:.2f}x")
    print(f"input logits: {input_bytes / mib:.1f} MiB")
    print(
        f"peak extra memory lossutils (tracemalloc): {m_lu / mib:.1f} MiB "
        f"({m_lu / input_bytes:.2f} of the input)"
    )
    print(
        f"peak extra memory torch (profiler, profile_memory=True): {m_torch / mib:.1f} MiB "
        f"({m_torch / input_bytes:.2f} of the input)"
    )
    print(
        f"cross-check, peak RSS growth over one call in a fresh process: "
        f"lossutils {rss_lu / mib:.1f} MiB, torch {rss_torch / mib:.1f} MiB"
    )


if __name__ == "__main__":
    main()
