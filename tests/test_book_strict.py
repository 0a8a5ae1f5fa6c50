"""Strictness: a cell that raises fails the build, unless it says it raises on purpose.

A full copy of the book would spend minutes running chapters that have nothing
to do with the point, so each test builds a small book made of the real
``_config.yml``, the real extension and bibliography, and one test chapter.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from bookutils import NOTEBOOK_HEADER as HEADER
from bookutils import ROOT, build_book, build_log

# each test builds a small book: not part of `make check`
pytestmark = pytest.mark.book


TOC = """format: jb-book
root: chapters/intro
parts:
  - caption: "Test"
    numbered: true
    chapters:
      - file: chapters/01-check
  - caption: "Reference"
    chapters:
      - file: chapters/bibliography
"""


def small_book(dest: Path, chapter_body: str) -> Path:
    """A book with the real configuration and one chapter with ``chapter_body``."""
    (dest / "chapters").mkdir(parents=True)
    shutil.copy2(ROOT / "_config.yml", dest / "_config.yml")
    (dest / "_toc.yml").write_text(TOC, encoding="utf-8")
    # a root page of its own: the real intro links the glossary, the notebook zip and chapters
    # that this small book does not have
    (dest / "chapters" / "intro.md").write_text(
        "# A small book\n\nOne chapter.\n", encoding="utf-8"
    )
    for name in ("bibliography.md", "references.bib"):
        shutil.copy2(ROOT / "chapters" / name, dest / "chapters" / name)
    shutil.copytree(
        ROOT / "chapters" / "_ext",
        dest / "chapters" / "_ext",
        ignore=shutil.ignore_patterns("__pycache__"),
    )
    shutil.copytree(
        ROOT / "lossutils", dest / "lossutils", ignore=shutil.ignore_patterns("__pycache__")
    )
    (dest / "chapters" / "01-check.md").write_text(
        HEADER + "\n# A check\n\nThe cells below run when the book is built.\n\n" + chapter_body,
        encoding="utf-8",
    )
    return dest


def build(book: Path):
    return build_book(book, env={"PYTHONPATH": str(book)})


GOOD_CELL = "```{code-cell} ipython3\nvalue = sum(range(4))\nvalue\n```\n"
FAILING_CELL = "```{code-cell} ipython3\n1 / 0\n```\n"
TAGGED_FAILING_CELL = "```{code-cell} ipython3\n:tags: [raises-exception]\n1 / 0\n```\n"


def test_small_book_without_errors_builds(tmp_path):
    proc = build(small_book(tmp_path, GOOD_CELL))
    assert proc.returncode == 0, build_log(proc)


def test_a_failing_cell_fails_the_build(tmp_path):
    proc = build(small_book(tmp_path, GOOD_CELL + "\n" + FAILING_CELL))
    assert proc.returncode != 0, "a cell raised but the build passed"
    assert "ZeroDivisionError" in proc.stdout + proc.stderr, build_log(proc)


def test_a_failed_build_fails_again_when_rerun(tmp_path):
    book = small_book(tmp_path, GOOD_CELL + "\n" + FAILING_CELL)
    first = build(book)
    second = build(book)
    assert first.returncode != 0
    assert second.returncode != 0, f"the rerun passed without any change:\n{build_log(second)}"


def test_a_cell_tagged_raises_exception_is_allowed(tmp_path):
    proc = build(small_book(tmp_path, GOOD_CELL + "\n" + TAGGED_FAILING_CELL))
    assert proc.returncode == 0, build_log(proc)


def test_a_broken_cross_reference_fails_the_build(tmp_path):
    proc = build(small_book(tmp_path, GOOD_CELL + "\nSee {numref}`fig-that-does-not-exist`.\n"))
    assert proc.returncode != 0, "a broken reference did not fail the build"
    assert "fig-that-does-not-exist" in proc.stdout + proc.stderr, build_log(proc)


def test_a_page_outside_the_toc_is_not_built(tmp_path):
    book = small_book(tmp_path, GOOD_CELL)
    (book / "chapters" / "stray.md").write_text("# Stray\n\nNot in the toc.\n", encoding="utf-8")
    proc = build(book)
    assert proc.returncode == 0, build_log(proc)
    assert not (book / "_build" / "html" / "chapters" / "stray.html").exists()


FIGURE_CELL = (
    "```{code-cell} ipython3\n"
    ":mystnb:\n"
    ":  figure:\n"
    ":    caption: A line.\n"
    ":    name: fig-check-line\n"
    "import matplotlib.pyplot as plt\n"
    "plt.plot([0, 1], [0, 1]);\n"
    "```\n\nSee {numref}`fig-check-line`.\n"
)


def test_figures_survive_an_mplbackend_set_in_the_shell(tmp_path):
    # a non-inline backend inherited by the kernels would drop every figure,
    # and the reference to it would fail the build as an undefined label
    proc = build_book(
        small_book(tmp_path, FIGURE_CELL), env={"PYTHONPATH": str(tmp_path), "MPLBACKEND": "Agg"}
    )
    assert proc.returncode == 0, build_log(proc)
    images = list((tmp_path / "_build" / "html" / "_images").glob("*.png"))
    assert images, "the figure cell produced no image"
