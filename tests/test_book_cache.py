"""The execution cache is used when nothing changed and never serves stale outputs.

Everything happens in a temporary copy of the book's sources, with the session
build (its execution cache and environment) copied along so that nothing runs
twice without reason. The copy's own ``lossutils`` is put first on PYTHONPATH,
so the build, its kernels and the cache's watcher all see the copy, never the
real package.
"""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest

from bookutils import (
    build_book,
    build_log,
    copy_sources,
    executed_in_log,
    executed_notebook,
    glued,
    notebook_docnames,
    plain,
    toc_docnames,
)

NOTEBOOKS = notebook_docnames()
PAGES = toc_docnames()


def reread_count(proc) -> tuple[int, int]:
    """(added, changed) documents that the build read, from Sphinx's log."""
    log = plain(proc.stdout)
    match = re.search(r"(\d+) added, (\d+) changed, \d+ removed", log)
    if match:
        return int(match.group(1)), int(match.group(2))
    assert "no targets are out of date" in log, log[-3000:]
    return 0, 0


class Book:
    def __init__(self, root: Path):
        self.root = root

    def build(self):
        proc = build_book(self.root, env={"PYTHONPATH": str(self.root)})
        assert proc.returncode == 0, build_log(proc)[-8000:]
        return proc


@pytest.fixture(scope="module")
def book(book_build, tmp_path_factory) -> Book:
    """A copy of the sources, with the session build copied along and rebuilt once there."""
    root = copy_sources(tmp_path_factory.mktemp("cache") / "book")
    shutil.copytree(book_build, root / "_build", ignore=shutil.ignore_patterns("screenshots"))
    copy = Book(root)
    copy.build()  # settle into the new folder (reads pages again, runs nothing new)
    return copy


@pytest.fixture(scope="module")
def unchanged(book):
    return book.build()


def test_rebuild_without_changes_executes_no_notebook(unchanged, book):
    assert executed_in_log(unchanged, book.root) == set()


def test_rebuild_without_changes_reads_no_page(unchanged):
    assert reread_count(unchanged) == (0, 0)


@pytest.fixture(scope="module")
def prose_edited(book, unchanged):
    if not NOTEBOOKS:
        pytest.skip("no notebook chapter in _toc.yml yet")
    target = book.root / f"{NOTEBOOKS[-1]}.md"
    with target.open("a", encoding="utf-8") as f:
        f.write("\nA sentence added by the cache test; it changes no code.\n")
    return book.build()


def test_editing_prose_executes_nothing(prose_edited, book):
    assert executed_in_log(prose_edited, book.root) == set()


def test_page_served_from_the_cache_keeps_its_outputs_and_glue(prose_edited, book, book_build):
    # the executed notebook (downloads, chapter tests) must not lose its outputs
    # when the page is rendered from the cache instead of a new run
    docname = NOTEBOOKS[-1]
    fresh = executed_notebook(book_build, docname)
    cached = executed_notebook(book.root / "_build", docname)

    def outputs(nb):
        return [len(c.get("outputs", [])) for c in nb["cells"] if c["cell_type"] == "code"]

    assert outputs(cached) == outputs(fresh)
    assert glued(book.root / "_build", docname) == glued(book_build, docname)


@pytest.fixture(scope="module")
def chapter_edited(book, unchanged):
    if not NOTEBOOKS:
        pytest.skip("no notebook chapter in _toc.yml yet")
    target = book.root / f"{NOTEBOOKS[0]}.md"
    with target.open("a", encoding="utf-8") as f:
        f.write("\n```{code-cell} ipython3\ncache_probe = 'edited'\ncache_probe\n```\n")
    return book.build()


def test_editing_a_chapter_executes_only_that_chapter(chapter_edited, book):
    assert executed_in_log(chapter_edited, book.root) == {NOTEBOOKS[0]}


@pytest.fixture(scope="module")
def package_edited(book, chapter_edited):
    init = book.root / "lossutils" / "__init__.py"
    init.write_text(
        init.read_text(encoding="utf-8") + "\n# edited by test_book_cache\n", encoding="utf-8"
    )
    return book.build()


def test_editing_lossutils_executes_every_notebook(package_edited, book):
    assert executed_in_log(package_edited, book.root) == set(NOTEBOOKS)


def test_editing_lossutils_rereads_every_page(package_edited):
    added, changed = reread_count(package_edited)
    assert added + changed == len(PAGES)


def test_rebuild_after_package_edit_executes_nothing_again(package_edited, book):
    proc = book.build()
    assert executed_in_log(proc, book.root) == set()
