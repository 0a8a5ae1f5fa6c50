"""Time and extra memory of every ``lossutils`` loss and of the softmax family against PyTorch.

One row per path of the lossutils 0.2 issue (N = 1,000,000 rows and C = 10
classes of float32 logits; the binary losses on 10,000,000 float32
elements), each with ``reduction="mean"`` and ``reduction="none"``. Run::

    .venv/bin/python benchmarks/bench_losses.py                       # print the table
    .venv/bin/python benchmarks/bench_losses.py --write benchmarks/RESULTS.md

``--write`` also saves the table, with the date, the library versions and the
machine, as a Markdown file (the README's figures come from that file).
``--readme README.md`` (with ``--write``) also puts the table in the README,
between its two markers. ``--only TEXT`` runs the rows whose path contains
TEXT (not with ``--write``). ``--quick`` runs a tenth of the sizes (a smoke test, not for reporting).

**One thread each.** ``OMP_NUM_THREADS``, ``MKL_NUM_THREADS`` and
``OPENBLAS_NUM_THREADS`` are set to 1 before NumPy and torch are imported, and
``torch.set_num_threads(1)`` is called. NumPy's ufuncs and reductions run on one
thread anyway.

**Time.** Best of 5 calls (``time.perf_counter``) after a warm-up call. The
calls are interleaved, lossutils then torch, five times, so a neighbour that
loads the machine for a while slows both sides alike and the *ratio* stays
meaningful even when the absolute times are noisy.

**Memory.** The peak of allocations beyond the inputs during one call,
output included (a reduced loss has a negligible output; ``reduction="none"``
and ``log_softmax`` have one the size of a row or of the input). NumPy:
``tracemalloc`` sees every NumPy allocation. PyTorch: its CPU allocator is
invisible to tracemalloc, so we use the profiler's memory tracking
(``torch.profiler.profile(profile_memory=True)``): the peak of the running sum
of the bytes each leaf operator allocated (positive) or freed (negative). The
table gives both as a multiple of the input's size (the logits, or the binary
input), as the issue does. ``bench_cross_entropy.py`` cross-checks both figures
for one path against the growth of the process's peak resident set size.
"""

from __future__ import annotations

import os

for _var in ("OMP_NUM_THREADS", "MKL_NUM_THREADS", "OPENBLAS_NUM_THREADS"):
    os.environ[_var] = "1"

import argparse  # noqa: E402
import datetime  # noqa: E402
import platform  # noqa: E402
import sys  # noqa: E402
import time  # noqa: E402
import tracemalloc  # noqa: E402
from dataclasses import dataclass  # noqa: E402
from pathlib import Path  # noqa: E402
from typing import Callable  # noqa: E402

import numpy as np  # noqa: E402
import torch  # noqa: E402
import torch.nn.functional as F  # noqa: E402

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
import lossutils as lu  # noqa: E402

REPEATS = 5
MIB = 2**20
LOAD_BEFORE = (0.0, 0.0, 0.0)


@dataclass
class Case:
    name: str
    ours: Callable[[], object]
    theirs: Callable[[], object]
    input_bytes: int
    rtol: float = 1e-5
    target: float = 1.0  # the bound on the time ratio: at most as slow as torch


# nll_loss: torch's kernel is one fused loop (check, gather, sum) over the rows;
# NumPy needs three passes (a max over the targets, the gather, the sum), and
# the lossutils 0.2 issue sets its bound at twice torch's time.
NLL_TARGET = 2.0


def best_times(ours: Callable[[], object], theirs: Callable[[], object]) -> tuple[float, float]:
    """Best of REPEATS for each, the calls interleaved."""
    ours(), theirs()  # warm-up
    t_ours = t_theirs = float("inf")
    for _ in range(REPEATS):
        start = time.perf_counter()
        ours()
        t_ours = min(t_ours, time.perf_counter() - start)
        start = time.perf_counter()
        theirs()
        t_theirs = min(t_theirs, time.perf_counter() - start)
    return t_ours, t_theirs


def numpy_peak_bytes(fn: Callable[[], object]) -> int:
    tracemalloc.start()
    base = tracemalloc.get_traced_memory()[0]
    out = fn()
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    del out
    return peak - base


def torch_peak_bytes(fn: Callable[[], object]) -> int:
    from torch.profiler import ProfilerActivity, profile

    with profile(activities=[ProfilerActivity.CPU], profile_memory=True) as prof:
        out = fn()
    del out
    events = sorted(
        (e for e in prof.events() if e.cpu_memory_usage != 0 and not e.cpu_children),
        key=lambda e: e.time_range.start,
    )
    running = peak = 0
    for e in events:  # leaf operators only: a parent reports the total of its children
        running += e.cpu_memory_usage
        peak = max(peak, running)
    return peak


def make_cases(n: int, c: int, n_binary: int) -> list[Case]:
    rng = np.random.default_rng(0)
    logits = rng.standard_normal((n, c), dtype=np.float32)
    target = rng.integers(0, c, size=n)
    q = lu.softmax(rng.standard_normal((n, c), dtype=np.float32), axis=1)
    logp = lu.log_softmax(logits, axis=1)
    xb = rng.standard_normal(n_binary, dtype=np.float32)
    yb = (rng.random(n_binary) < 0.5).astype(np.float32)
    pb = lu.sigmoid(xb)
    T = torch.from_numpy
    logits_t, target_t, q_t, logp_t = T(logits), T(target), T(q), T(logp)
    xb_t, yb_t, pb_t = T(xb), T(yb), T(pb)

    cases = []
    for red in ("mean", "none"):
        cases += [
            Case(
                f"cross_entropy, class indices ({red})",
                lambda r=red: lu.cross_entropy(logits, target, reduction=r),
                lambda r=red: F.cross_entropy(logits_t, target_t, reduction=r),
                logits.nbytes,
            ),
            Case(
                f"cross_entropy, label_smoothing=0.1 ({red})",
                lambda r=red: lu.cross_entropy(logits, target, reduction=r, label_smoothing=0.1),
                lambda r=red: F.cross_entropy(logits_t, target_t, reduction=r, label_smoothing=0.1),
                logits.nbytes,
            ),
            Case(
                f"cross_entropy, probability targets ({red})",
                lambda r=red: lu.cross_entropy(logits, q, reduction=r),
                lambda r=red: F.cross_entropy(logits_t, q_t, reduction=r),
                logits.nbytes,
            ),
            Case(
                f"nll_loss ({red})",
                lambda r=red: lu.nll_loss(logp, target, reduction=r),
                lambda r=red: F.nll_loss(logp_t, target_t, reduction=r),
                logp.nbytes,
                target=NLL_TARGET,
            ),
            Case(
                f"binary_cross_entropy_with_logits, {n_binary:,} elements ({red})",
                lambda r=red: lu.binary_cross_entropy_with_logits(xb, yb, reduction=r),
                lambda r=red: F.binary_cross_entropy_with_logits(xb_t, yb_t, reduction=r),
                xb.nbytes,
            ),
            Case(
                f"binary_cross_entropy, {n_binary:,} elements ({red})",
                lambda r=red: lu.binary_cross_entropy(pb, yb, reduction=r),
                lambda r=red: F.binary_cross_entropy(pb_t, yb_t, reduction=r),
                pb.nbytes,
            ),
        ]
    cases += [
        Case(
            "log_softmax (output included)",
            lambda: lu.log_softmax(logits, axis=1),
            lambda: F.log_softmax(logits_t, dim=1),
            logits.nbytes,
        ),
        Case(
            "softmax (output included)",
            lambda: lu.softmax(logits, axis=1),
            lambda: F.softmax(logits_t, dim=1),
            logits.nbytes,
        ),
        Case(
            "logsumexp over classes",
            lambda: lu.logsumexp(logits, axis=1),
            lambda: torch.logsumexp(logits_t, dim=1),
            logits.nbytes,
        ),
    ]
    return cases


def run(n: int, c: int, n_binary: int, only: str | None = None) -> list[dict]:
    torch.set_num_threads(1)
    rows = []
    for case in make_cases(n, c, n_binary):
        if only and only not in case.name:
            continue
        ours = np.asarray(case.ours())
        theirs = case.theirs().numpy()
        np.testing.assert_allclose(ours, theirs, rtol=case.rtol, atol=1e-6, err_msg=case.name)
        t_ours, t_theirs = best_times(case.ours, case.theirs)
        m_ours = numpy_peak_bytes(case.ours)
        m_theirs = torch_peak_bytes(case.theirs)
        row = dict(
            name=case.name,
            t_ours=t_ours,
            t_theirs=t_theirs,
            m_ours=m_ours,
            m_theirs=m_theirs,
            input_bytes=case.input_bytes,
            target=case.target,
        )
        rows.append(row)
        print(format_row(row), flush=True)
    return rows


HEADER = (
    "| path | lossutils | torch | time vs torch | target | extra memory, lossutils "
    "| extra memory, torch |\n"
    "|---|---:|---:|---:|---:|---:|---:|"
)


def format_row(r: dict) -> str:
    def mem(b: int) -> str:
        return f"{b / MIB:.1f} MiB ({b / r['input_bytes']:.2f}×)"

    ratio = r["t_ours"] / r["t_theirs"]
    verdict = "met" if ratio <= r["target"] else "**missed**"
    return (
        f"| {r['name']} | {r['t_ours'] * 1e3:.1f} ms | {r['t_theirs'] * 1e3:.1f} ms "
        f"| {ratio:.2f}× | ≤ {r['target']:.1f}×, {verdict} | {mem(r['m_ours'])} "
        f"| {mem(r['m_theirs'])} |"
    )


def machine() -> str:
    model = platform.processor() or platform.machine()
    try:
        with open("/proc/cpuinfo") as f:
            model = next(
                line.split(":", 1)[1].strip() for line in f if line.startswith("model name")
            )
    except (OSError, StopIteration):
        pass
    return f"{model}, {os.cpu_count()} logical CPUs, {platform.system()} {platform.release()}"


def report(rows: list[dict], n: int, c: int, n_binary: int) -> str:
    lines = [
        "# Benchmark: lossutils against torch.nn.functional",
        "",
        "Generated by `benchmarks/bench_losses.py --write benchmarks/RESULTS.md`; do not edit by hand.",
        "",
        f"- date: {datetime.datetime.now().astimezone().isoformat(timespec='seconds')}",
        f"- lossutils {lu.__version__}, numpy {np.__version__}, torch {torch.__version__}, "
        f"Python {platform.python_version()}",
        f"- machine: {machine()}; load average before the run: "
        f"{', '.join(f'{x:.1f}' for x in LOAD_BEFORE)} (1, 5, 15 min; other jobs on the machine "
        "slow both sides, so read the ratios, not the times)",
        f"- sizes: N = {n:,} rows, C = {c} classes of float32 logits; binary losses on "
        f"{n_binary:,} float32 elements",
        f"- one thread each; time is the best of {REPEATS} interleaved calls; extra memory is the "
        "peak beyond the inputs during one call (output included), as a multiple of the input's size",
        "",
        HEADER,
        *(format_row(r) for r in rows),
        "",
    ]
    return "\n".join(lines)


README_START = "<!-- bench_losses: table start (written by make bench; do not edit) -->"
README_END = "<!-- bench_losses: table end -->"


def splice_into_readme(readme: Path, results: str) -> None:
    """Put ``results`` (its run details and table, after the title) between the README's markers."""
    text = readme.read_text(encoding="utf-8")
    start, end = text.index(README_START) + len(README_START), text.index(README_END)
    lines = results.strip().splitlines()
    body = "\n".join(lines[next(i for i, line in enumerate(lines) if line.startswith("- ")) :])
    readme.write_text(f"{text[:start]}\n{body}\n{text[end:]}", encoding="utf-8")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--write", metavar="PATH", help="also write the table as Markdown to PATH")
    parser.add_argument("--quick", action="store_true", help="a tenth of the sizes (smoke test)")
    parser.add_argument("--only", metavar="TEXT", help="only the rows whose path contains TEXT")
    parser.add_argument(
        "--readme", metavar="PATH", help="with --write: also put the table in PATH's markers"
    )
    args = parser.parse_args()
    if args.write and args.only:
        parser.error("--write records every row; leave out --only")
    n, c, n_binary = (100_000, 10, 1_000_000) if args.quick else (1_000_000, 10, 10_000_000)
    global LOAD_BEFORE
    LOAD_BEFORE = os.getloadavg()
    print(HEADER)
    rows = run(n, c, n_binary, args.only)
    text = report(rows, n, c, n_binary)
    if args.write:
        Path(args.write).write_text(text, encoding="utf-8")
        print(f"written to {args.write}")
        if args.readme:
            splice_into_readme(Path(args.readme), text)
            print(f"table put in {args.readme}")


if __name__ == "__main__":
    main()
