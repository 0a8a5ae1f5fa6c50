"""The strict build of the whole book: pages, executed notebooks, figures, offline assets.

Every test reads the one build made by the session fixture ``book_build``
(a strict build from scratch in ``_build/test/``; see conftest.py), and every list
of pages comes from ``_toc.yml``, so the tests follow the book as chapters land.
"""

from __future__ import annotations

import json
import re
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import unquote, urlsplit

import nbformat
import pytest

from bookutils import ROOT, notebook_docnames, source_path, toc_docnames

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


class _Figures(HTMLParser):
    """Collects each ``<figure>`` of a page: its id and the attributes of the images inside."""

    def __init__(self):
        super().__init__()
        self.figures: list[tuple[str, list[dict[str, str]]]] = []  # (id, [img attributes])
        self._open: list[int] = []  # indices into figures of the figures we are inside

    def handle_starttag(self, tag, attrs):
        if tag == "figure":
            self.figures.append((dict(attrs).get("id") or f"figure {len(self.figures) + 1}", []))
            self._open.append(len(self.figures) - 1)
        elif tag == "img" and self._open:
            self.figures[self._open[-1]][1].append({k: v or "" for k, v in attrs})

    def handle_endtag(self, tag):
        if tag == "figure" and self._open:
            self._open.pop()


def page_figures(build: Path, docname: str) -> list[tuple[str, list[dict[str, str]]]]:
    parser = _Figures()
    parser.feed(page_html(build, docname))
    return parser.figures


def alt_text_problem(alt: str, src: str) -> str | None:
    """Why ``alt`` does not describe an image (None if it does)."""
    text = alt.strip()
    if not text:
        return "no alt text"
    if text == src or Path(unquote(text)).name == Path(unquote(src)).name:
        return f"alt text is the image's address {text!r}"
    if re.fullmatch(r"\S+\.(png|jpe?g|svg|gif|webp)", text, flags=re.I) or "_images/" in text:
        return f"alt text is a file name {text!r}"
    if len(text.split()) < 4:
        return f"alt text {text!r} is too short to describe a figure"
    return None


@pytest.mark.parametrize("docname", PAGES)
def test_every_figure_shows_an_image_with_descriptive_alt_text(book_build, docname):
    # a figure cell that drew nothing, a missing image file, or an image whose
    # alt text is its file name (myst-nb's default) all fail here
    problems = []
    for name, images in page_figures(book_build, docname):
        if not images:
            problems.append(f"{name}: no image")
        for img in images:
            src = img.get("src", "")
            target = local_target(book_build, docname, src)
            if target is None or not target.is_file() or target.stat().st_size == 0:
                problems.append(f"{name}: image {src!r} is not a non-empty file in the build")
            why = alt_text_problem(img.get("alt", ""), src)
            if why:
                problems.append(f"{name}: {why}")
    assert not problems, f"{docname}: " + "; ".join(problems)


def test_the_book_has_figures(book_build):
    assert any(page_figures(book_build, d) for d in PAGES), "no <figure> on any page"


@pytest.mark.parametrize("docname", NOTEBOOKS)
def test_notebook_writes_nothing_to_stderr(book_build, docname):
    # a warning or log line in an executed cell ends up on the reader's page
    nb = nbformat.read(book_build / "jupyter_execute" / f"{docname}.ipynb", as_version=4)
    stderr = [
        f"cell {i}: {''.join(out.get('text', ''))[:200]!r}"
        for i, cell in enumerate(nb.cells)
        for out in cell.get("outputs", [])
        if out.get("output_type") == "stream" and out.get("name") == "stderr"
    ]
    assert not stderr, f"{docname} writes to stderr: " + "; ".join(stderr)


def test_make_test_leaves_make_book_output_alone(book_build, make_book_probes):
    # the session builds its own book in _build/test/; `make book`'s _build/html
    # and execution cache (where the probes were planted before that build) survive
    if not make_book_probes:
        pytest.skip("LOSSBOOK_BUILD is set: this session built no book")
    assert not book_build.resolve().is_relative_to((ROOT / "_build" / "html").resolve())
    assert book_build.resolve() != (ROOT / "_build").resolve()
    for probe, content in make_book_probes.items():
        assert probe.is_file(), f"the session's build deleted {probe}"
        assert probe.read_text(encoding="utf-8") == content, f"the session's build rewrote {probe}"


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
    scripts = [
        a for tag, attr, a in page_refs(book_build, docname) if tag == "script" and attr == "src"
    ]
    mathjax = [a for a in scripts if "mathjax" in a.lower()]
    if 'class="math' in html:
        assert mathjax, f"{docname} has maths but loads no MathJax"
    for address in mathjax:
        target = local_target(book_build, docname, address)
        assert target is not None and target.is_file(), (
            f"{docname}: MathJax at {address} is not in the build"
        )


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


@pytest.mark.parametrize("docname", NOTEBOOKS)
def test_glue_calls_stay_out_of_reader_facing_cells(docname):
    # CONTRIBUTING.md: a reader sees the computation, not the plumbing; glue() goes in a
    # cell tagged remove-cell (absent from the page, present in the downloadable notebook)
    text = source_path(docname).read_text(encoding="utf-8")
    shown = []
    for match in re.finditer(r"```\{code-cell\}[^\n]*\n(.*?)\n```", text, flags=re.S):
        body = match.group(1)
        options = "\n".join(line for line in body.splitlines() if line.startswith(":"))
        if re.search(r"^\s*glue\(", body, flags=re.M) and "remove-cell" not in options:
            shown.append(body.splitlines()[-1][:60])
    assert shown == []
