"""Shared fixtures. The book is built once per test session and reused."""

from __future__ import annotations

import os
import shutil
import sys
from pathlib import Path

import matplotlib
import pytest

ROOT = Path(__file__).resolve().parent.parent
# Tests draw figures off screen. Set here, in this process only: an MPLBACKEND
# variable would reach the book build's kernels and stop their inline figures.
matplotlib.use("Agg")
sys.path.insert(0, str(Path(__file__).resolve().parent))

from bookutils import build_book, build_log, glued_values  # noqa: E402


@pytest.fixture(scope="session")
def book_build() -> Path:
    """Path of a strict build of the whole book (contains html/ and jupyter_execute/).

    Set LOSSBOOK_BUILD to the path of an existing build (a ``_build`` folder) to
    reuse it while working on a single test; otherwise the book is built from a
    clean ``_build`` (execution cache included), so every notebook runs.
    """
    reuse = os.environ.get("LOSSBOOK_BUILD")
    if reuse:
        build = Path(reuse).resolve()
        if not (build / "html" / "index.html").is_file():
            pytest.fail(f"LOSSBOOK_BUILD={reuse} holds no built book (no html/index.html)")
        return build
    build = ROOT / "_build"
    shutil.rmtree(build, ignore_errors=True)
    proc = build_book(ROOT)
    assert proc.returncode == 0, f"strict book build failed:\n{build_log(proc)[-10000:]}"
    return build


@pytest.fixture(scope="module")
def g(request, book_build) -> dict:
    """The glued values of the test module's chapter (its ``DOC``), numbers as floats."""
    return glued_values(book_build, request.module.DOC)


@pytest.fixture(scope="module")
def page_html(request, book_build) -> str:
    """The rendered HTML page of the test module's chapter (its ``DOC``)."""
    return (book_build / "html" / f"{request.module.DOC}.html").read_text(encoding="utf-8")


@pytest.fixture(autouse=True)
def _close_figures():
    """Close every figure a test opened, so figures never leak between tests."""
    yield
    pyplot = sys.modules.get("matplotlib.pyplot")
    if pyplot is not None:
        pyplot.close("all")
