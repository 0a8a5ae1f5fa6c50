"""Shared fixtures and the ``book`` marker. The book is built once per test session.

``make test`` builds its own copy of the book in ``_build/test/`` (a strict build
from scratch, its own execution cache included), so the output and cache of
``make book`` in ``_build/`` are left as they were. Every test that needs that
build (it uses the ``book_build`` fixture, directly or through ``g`` or
``page_html``) is marked ``book`` here; tests that build or run the book's
notebooks themselves are marked in their modules. ``make check`` runs
``-m "not book"``.
"""

from __future__ import annotations

import os
import shutil
import sys
import uuid
from pathlib import Path

import matplotlib
import pytest

ROOT = Path(__file__).resolve().parent.parent
# Tests draw figures off screen. Set here, in this process only: an MPLBACKEND
# variable would reach the book build's kernels and stop their inline figures.
matplotlib.use("Agg")
# tests import bookutils (tests/), and bookutils imports tools.book (the root)
sys.path[:0] = [str(ROOT / "tests"), str(ROOT)]

from bookutils import build_book, build_log, glued_values  # noqa: E402

# Where `make test` builds its book: jupyter-book's --path-output, so the build
# itself (html/, jupyter_execute/, .jupyter_cache/) is TEST_OUTPUT / "_build".
TEST_OUTPUT = ROOT / "_build" / "test"
# Where `make book` builds: left alone by the tests.
BOOK_BUILD = ROOT / "_build"


def pytest_collection_modifyitems(config, items):
    """Mark ``book`` every test that needs the session's build of the book."""
    for item in items:
        if "book_build" in getattr(item, "fixturenames", ()):
            item.add_marker(pytest.mark.book)


@pytest.fixture(scope="session")
def make_book_probes():
    """Files planted in ``make book``'s output and cache before the session builds the book.

    ``test_make_test_leaves_make_book_output_alone`` checks that they are still
    there afterwards. They are removed at the end of the session (with the folders
    made for them, if these were made only for them). Empty when ``LOSSBOOK_BUILD``
    says that no book is built in this session.
    """
    if os.environ.get("LOSSBOOK_BUILD"):
        yield {}
        return
    probes, made = {}, []
    for folder in (BOOK_BUILD / "html", BOOK_BUILD / ".jupyter_cache"):
        missing = [p for p in (BOOK_BUILD, folder) if not p.exists()]
        folder.mkdir(parents=True, exist_ok=True)
        made.extend(missing)
        probe = folder / ".make-test-probe"
        probe.write_text(uuid.uuid4().hex, encoding="utf-8")
        probes[probe] = probe.read_text(encoding="utf-8")
    yield probes
    for probe in probes:
        probe.unlink(missing_ok=True)
    for folder in reversed(made):
        if folder.is_dir() and not any(folder.iterdir()):
            folder.rmdir()


@pytest.fixture(scope="session")
def book_build(make_book_probes) -> Path:
    """Path of a strict build of the whole book (contains html/ and jupyter_execute/).

    Set LOSSBOOK_BUILD to the path of an existing build (a ``_build`` folder) to
    reuse it while working on a single test; otherwise the book is built from
    scratch (execution cache included) in ``_build/test/``, so every notebook runs.
    """
    reuse = os.environ.get("LOSSBOOK_BUILD")
    if reuse:
        build = Path(reuse).resolve()
        if not (build / "html" / "index.html").is_file():
            pytest.fail(f"LOSSBOOK_BUILD={reuse} holds no built book (no html/index.html)")
        return build
    from tools import bundle, zh

    shutil.rmtree(TEST_OUTPUT, ignore_errors=True)
    bundle.write_bundle()  # the intro links it: it must exist before the build
    proc = build_book(ROOT, output=TEST_OUTPUT)
    assert proc.returncode == 0, f"strict book build failed:\n{build_log(proc)[-10000:]}"
    # the Chinese edition beside it, as `make book` does: every page links to the other edition
    assert zh.html(TEST_OUTPUT / "_build") == 0, "strict build of the Chinese edition failed"
    return TEST_OUTPUT / "_build"


@pytest.fixture(scope="module")
def g(request, book_build) -> dict:
    """The glued values of the test module's chapter (its ``DOC``), numbers as floats."""
    return glued_values(book_build, request.module.DOC)


@pytest.fixture(scope="module")
def page_html(request, book_build) -> str:
    """The rendered HTML page of the test module's chapter (its ``DOC``)."""
    return (book_build / "html" / f"{request.module.DOC}.html").read_text(encoding="utf-8")


# -- the browser (tests/test_browser.py, tests/test_explorables.py) ------------------------

CHROMIUM = os.environ.get("LOSSBOOK_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def _browser_missing() -> str | None:
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        return "Playwright for Python is not installed (pip install -r requirements.txt)"
    if not (Path(CHROMIUM).is_file() or shutil.which(CHROMIUM)):
        return f"no Chromium at {CHROMIUM} (apt-get install chromium)"
    return None


@pytest.fixture(scope="module")
def browser():
    """Debian's Chromium, headless with background networking off, driven by Playwright."""
    reason = _browser_missing()
    if reason:
        if os.environ.get("CI"):
            pytest.fail(f"browser tests cannot run in CI: {reason}")
        pytest.skip(reason)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        chromium = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        yield chromium
        chromium.close()


@pytest.fixture(autouse=True)
def _close_figures():
    """Close every figure a test opened, so figures never leak between tests."""
    yield
    pyplot = sys.modules.get("matplotlib.pyplot")
    if pyplot is not None:
        pyplot.close("all")
