"""tools/book.py: linting and formatting the chapters' code cells (no book build needed).

Each test works on a one-chapter book in a temporary folder with the project's
ruff configuration, so the real chapters are never touched.
"""

from __future__ import annotations

import shutil

import jupytext
import pytest

from bookutils import NOTEBOOK_HEADER as HEADER
from bookutils import ROOT
from tools import book

CHAPTER = (
    HEADER
    + """
# A chapter

Some prose   with  odd spacing, which no formatter may touch.

```{code-cell} ipython3
import os
x = [1,2,
  3]
x
```

More prose.

```{code-cell} ipython3
:tags: [hide-input]
:mystnb:
:  figure:
:    name: fig-test
y = {'a':1}
```
"""
)
TOC = "format: jb-book\nroot: chapters/01-test\n"


@pytest.fixture
def small_book(tmp_path):
    (tmp_path / "chapters").mkdir()
    (tmp_path / "chapters" / "01-test.md").write_text(CHAPTER, encoding="utf-8")
    (tmp_path / "_toc.yml").write_text(TOC, encoding="utf-8")
    shutil.copy2(ROOT / "pyproject.toml", tmp_path / "pyproject.toml")
    return tmp_path


def test_code_cells_are_the_ones_jupytext_reads():
    cells = book.code_cells(CHAPTER)
    theirs = jupytext.reads(CHAPTER, fmt="md:myst").cells
    assert [c.source for c in cells] == [c.source for c in theirs if c.cell_type == "code"]
    assert cells[1].source == "y = {'a':1}"  # the option lines are not code


def test_every_chapter_of_the_book_is_read_like_jupytext():
    for path in book.chapter_files():
        assert book.chapter_cells(path)  # raises SystemExit on a disagreement


def test_lint_reports_problems_at_their_line_in_the_markdown(small_book, capsys):
    problems = book.lint_chapters(fix=False, root=small_book)
    out = capsys.readouterr().out
    lines = CHAPTER.splitlines()
    import_line = lines.index("import os") + 1
    assert f"chapters/01-test.md:{import_line}:8: F401" in out
    assert f"chapters/01-test.md:{import_line}: code cell is not formatted" in out
    assert f"chapters/01-test.md:{lines.index('y = {' + repr('a') + ':1}') + 1}: code cell" in out
    assert f"chapters/01-test.md:{import_line}:1: I001" in out  # no blank line after imports
    assert problems == 4


def test_format_rewrites_only_the_code(small_book, capsys):
    path = small_book / "chapters" / "01-test.md"
    left = book.lint_chapters(fix=True, root=small_book)
    text = path.read_text(encoding="utf-8")
    assert left == 0, capsys.readouterr().out
    assert "x = [1, 2, 3]\nx\n```" in text and 'y = {"a": 1}\n```' in text
    assert "import os" not in text  # ruff's fix for the unused import
    # the prose and the cell options are as they were
    prose = [line for line in CHAPTER.splitlines() if not book.OPENING.match(line)]
    kept = [line for line in prose if line.startswith((":", "Some prose", "More prose", "#"))]
    assert all(line in text.splitlines() for line in kept)
    assert text.startswith(HEADER)
