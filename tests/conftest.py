"""Shared fixtures. The book is built once per test session and reused."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(Path(__file__).resolve().parent))


@pytest.fixture(scope="session")
def book_build() -> Path:
    """Path of a strict build of the whole book (contains html/ and jupyter_execute/).

    Set LOSSBOOK_BUILD to the path of an existing build to reuse it while
    working on a single test; otherwise the book is built from a clean _build.
    """
    reuse = os.environ.get("LOSSBOOK_BUILD")
    if reuse:
        return Path(reuse)
    build = ROOT / "_build"
    shutil.rmtree(build, ignore_errors=True)
    jb = Path(sys.executable).with_name("jupyter-book")
    proc = subprocess.run(
        [str(jb), "build", str(ROOT), "--builder", "html", "-n", "-W", "--keep-going"],
        capture_output=True, text=True, cwd=ROOT,
    )
    assert proc.returncode == 0, f"strict book build failed:\n{proc.stdout[-5000:]}\n{proc.stderr[-5000:]}"
    return build
