"""The benchmark runs, and the README shows the figures of its last recorded run, unedited."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BENCH = ROOT / "benchmarks" / "bench_losses.py"


def run_python(code: str) -> None:
    # in a subprocess: importing the benchmark sets the thread variables and imports torch
    subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT / "benchmarks", check=True, capture_output=True
    )


def test_the_readme_holds_benchmarks_results_as_written_by_make_bench(tmp_path):
    readme = tmp_path / "README.md"
    shutil.copy(ROOT / "README.md", readme)
    run_python(
        "from pathlib import Path; import bench_losses as b; "
        f"b.splice_into_readme(Path({str(readme)!r}), "
        f"Path({str(ROOT / 'benchmarks' / 'RESULTS.md')!r}).read_text(encoding='utf-8'))"
    )
    assert readme.read_text(encoding="utf-8") == (ROOT / "README.md").read_text(encoding="utf-8")
    assert "| nll_loss (mean) |" in readme.read_text(encoding="utf-8")


def test_the_benchmark_checks_its_rows_against_torch_and_prints_them():
    out = subprocess.run(
        [sys.executable, str(BENCH), "--quick", "--only", "nll_loss"],
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    rows = [line for line in out.splitlines() if line.startswith("| nll_loss")]
    assert [row.split(" | ")[0] for row in rows] == ["| nll_loss (mean)", "| nll_loss (none)"]
    assert all("≤ 2.0×" in row for row in rows)
