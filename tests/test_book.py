"""The strict build of the whole book: pages, executed notebooks, figures, offline assets.

Every test reads the one build made by the session fixture ``book_build``
(a strict build from a clean ``_build``; see conftest.py), and every list of
pages comes from ``_toc.yml``, so the tests follow the book as chapters land.
"""

from __future__ import annotations

import json
import re
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import unquote, urlsplit

import nbformat
import pytest

from bookutils import ROOT, notebook_docnames, toc_docnames

PAGES = toc_docnames()
NOTEBOOKS = notebook_docnames()


class _Refs(HTMLParser):
    """Collects the addresses a page refers to, by tag and attribute."""

    def __init__(self):
        super().__init__()
        self.refs: list[tuple[str, str, str]] = []  # (tag, attribute, address)

    def handle_starttag(self, tag, attrs):
        for name, value in attrs:
            if value and name in {"src", "href", "data", "srcset"}:
                self.refs.append((tag, name, value))


def page_html(build: Path, docname: str) -> str:
    return (build / "html" / f"{docname}.html").read_text(encoding="utf-8")


def page_refs(build: Path, docname: str) -> list[tuple[str, str, str]]:
    parser = _Refs()
    parser.feed(page_html(build, docname))
    return parser.refs


def local_target(build: Path, docname: str, address: str) -> Path | None:
    """The file a relative address of a page points at, or None if not a local file."""
    parts = urlsplit(address)
    if parts.scheme or parts.netloc or not parts.path:
        return None
    page_dir = (build / "html" / docname).parent
    return (page_dir / unquote(parts.path)).resolve()


@pytest.mark.parametrize("docname", PAGES)
def test_toc_page_is_built(book_build, docname):
    assert (book_build / "html" / f"{docname}.html").is_file()


def test_index_redirects_to_the_root_page(book_build):
    index = (book_build / "html" / "index.html").read_text(encoding="utf-8")
    assert f"{PAGES[0]}.html" in index


def test_no_page_outside_the_toc_is_built(book_build):
    built = {
        p.relative_to(book_build / "html").with_suffix("").as_posix()
        for p in (book_build / "html" / "chapters").rglob("*.html")
    }
    assert built <= set(PAGES), f"pages built but not in _toc.yml: {sorted(built - set(PAGES))}"


@pytest.mark.parametrize("docname", NOTEBOOKS)
def test_notebook_was_executed(book_build, docname):
    nb = nbformat.read(book_build / "jupyter_execute" / f"{docname}.ipynb", as_version=4)
    code = [c for c in nb.cells if c.cell_type == "code" and c.source.strip()]
    assert code, f"{docname} has no code cell"
    unexecuted = [i for i, c in enumerate(code) if c.get("execution_count") is None]
    assert not unexecuted, f"{docname}: code cells {unexecuted} were not executed"


@pytest.mark.parametrize("docname", NOTEBOOKS)
def test_notebook_has_no_error_output(book_build, docname):
    nb = nbformat.read(book_build / "jupyter_execute" / f"{docname}.ipynb", as_version=4)
    errors = [
        (i, out.get("ename"), out.get("evalue"))
        for i, cell in enumerate(nb["cells"])
        for out in cell.get("outputs", [])
        if out.get("output_type") == "error"
        and "raises-exception" not in cell.get("metadata", {}).get("tags", [])
    ]
    assert not errors, f"{docname}: error outputs (cell, name, value): {errors}"


@pytest.mark.parametrize("docname", PAGES)
def test_every_local_file_a_page_refers_to_exists(book_build, docname):
    missing = []
    for tag, attr, address in page_refs(book_build, docname):
        target = local_target(book_build, docname, address)
        if target is not None and target.suffix and not target.exists():
            missing.append(f"<{tag} {attr}={address!r}>")
    assert not missing, f"{docname} refers to missing files: {missing}"


@pytest.mark.parametrize("docname", PAGES)
def test_every_figure_image_exists_and_is_nonempty(book_build, docname):
    images = [a for tag, attr, a in page_refs(book_build, docname) if tag == "img" and attr == "src"]
    for address in images:
        target = local_target(book_build, docname, address)
        assert target is not None, f"{docname}: image from outside the book: {address}"
        assert target.is_file() and target.stat().st_size > 0, f"{docname}: image {address} missing or empty"


@pytest.mark.parametrize("docname", PAGES)
def test_page_loads_nothing_from_the_network(book_build, docname):
    remote = [
        f"<{tag} {attr}={address!r}>"
        for tag, attr, address in page_refs(book_build, docname)
        if tag in {"script", "link", "img", "iframe", "object", "source", "embed"}
        and (urlsplit(address).scheme in {"http", "https"} or address.startswith("//"))
        and not (tag == "link" and "canonical" in address)
    ]
    assert not remote, f"{docname} loads from the network: {remote}"


@pytest.mark.parametrize("docname", PAGES)
def test_page_with_maths_loads_mathjax_from_the_build(book_build, docname):
    html = page_html(book_build, docname)
    scripts = [a for tag, attr, a in page_refs(book_build, docname) if tag == "script" and attr == "src"]
    mathjax = [a for a in scripts if "mathjax" in a.lower()]
    if 'class="math' in html:
        assert mathjax, f"{docname} has maths but loads no MathJax"
    for address in mathjax:
        target = local_target(book_build, docname, address)
        assert target is not None and target.is_file(), f"{docname}: MathJax at {address} is not in the build"


def test_some_page_has_maths(book_build):
    assert any('class="math' in page_html(book_build, d) for d in PAGES)


def test_mathjax_extensions_are_in_the_build(book_build):
    # loaded on demand by tex-svg.js (e.g. for \require or \boldsymbol)
    extensions = book_build / "html" / "_static" / "mathjax" / "input" / "tex" / "extensions"
    assert (extensions / "boldsymbol.js").is_file()


@pytest.mark.parametrize("docname", NOTEBOOKS)
def test_chapter_page_offers_its_notebook_for_download(book_build, docname):
    download = book_build / "html" / "_sources" / f"{docname}.ipynb"
    assert download.is_file(), f"no downloadable notebook for {docname}"
    assert f"_sources/{docname}.ipynb" in page_html(book_build, docname)
    nb = json.loads(download.read_text(encoding="utf-8"))
    assert nb["metadata"]["kernelspec"]["name"] == "python3"


TEMPLATE_TEXT = [
    "My Jupyter Book",
    "The Jupyter Book community",
    "executablebooks/jupyter-book",
    "mybinder.org",
    "colab.research.google.com",
    "to be written",
    "Lorem ipsum",
    "TODO",
]


@pytest.mark.parametrize("docname", PAGES)
def test_page_has_no_template_text(book_build, docname):
    html = page_html(book_build, docname)
    left = [text for text in TEMPLATE_TEXT if text.lower() in html.lower()]
    assert not left, f"{docname} still contains template text: {left}"


@pytest.mark.parametrize("docname", PAGES)
def test_page_has_title_author_and_this_years_copyright(book_build, docname):
    html = page_html(book_build, docname)
    assert "Classification losses" in html
    assert re.search(r"©\s*Copyright\s*2026", html), "no 2026 copyright line"
    assert "The lossutils authors" in html


def test_status_page_lists_every_notebook(book_build):
    html = page_html(book_build, "chapters/status")
    assert "Document" in html and "Run Time" in html, "no execution table on the status page"
    missing = [d for d in NOTEBOOKS if f"{d.split('/')[-1]}" not in html]
    assert not missing, f"status table lacks {missing}"
