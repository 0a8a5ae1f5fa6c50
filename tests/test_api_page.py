"""The API reference page (chapters/api.md) documents the whole public API of lossutils."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

import lossutils
from bookutils import toc_docnames
from lossutils import plotting

DOC = "chapters/api"


@pytest.fixture(scope="module")
def html(book_build):
    return (book_build / "html" / f"{DOC}.html").read_text(encoding="utf-8")


@pytest.fixture(scope="module")
def anchors(html):
    return set(re.findall(r'<dt[^>]*\sid="([^"]+)"', html))


@pytest.mark.parametrize("name", lossutils.__all__)
def test_every_public_name_of_lossutils_has_an_entry(anchors, name):
    where = {f"lossutils.{name}", f"{getattr(lossutils, name).__module__}.{name}"}
    assert where & anchors, (
        f"lossutils.{name} is not documented on the API page (looked for {sorted(where)})"
    )


@pytest.mark.parametrize("name", plotting.__all__)
def test_every_public_name_of_lossutils_plotting_has_an_entry(anchors, name):
    assert f"lossutils.plotting.{name}" in anchors


FUNCTIONS = [
    name
    for name in lossutils.__all__
    if callable(getattr(lossutils, name)) and not isinstance(getattr(lossutils, name), type)
]


@pytest.mark.parametrize("name", FUNCTIONS)
def test_each_function_entry_has_its_parameters_section(html, name):
    # the numpydoc sections were parsed into field lists, not left as text
    # documented where it is defined: lossutils.functional.x shows as lossutils.x, diagnose
    # as lossutils.checks.diagnose
    start = re.search(rf'id="lossutils(\.\w+)?\.{name}"', html).start()
    end = html.find('<dl class="py', start + 1)
    assert "Parameters" in html[start : end if end != -1 else None]


def test_no_numpydoc_underline_is_left_as_text(html):
    assert "----------" not in html


def test_no_raw_cross_reference_roles_are_left_in_the_page(html):
    assert not re.search(r":(func|class|mod|data|math):`", html)


def test_api_page_comes_before_the_bibliography_in_the_toc():
    order = toc_docnames()
    assert order.index(DOC) < order.index("chapters/bibliography")


def test_docstring_sections_do_not_become_page_sections(html):
    # a numpydoc "Shape" section left unparsed turns into a <section id="shape...">
    assert not re.search(r'<section id="(shape|notes|examples)', html)
    assert html.count('rubric">Shape') >= 1


def test_api_page_fits_a_phone_screen(book_build):
    """Long names (binary_cross_entropy_with_logits) wrap instead of widening the page."""
    sync_api = pytest.importorskip("playwright.sync_api")
    chromium = Path("/usr/bin/chromium")
    if not chromium.exists():
        pytest.skip("no Chromium at /usr/bin/chromium")
    page_url = (Path(book_build) / "html" / f"{DOC}.html").resolve().as_uri()
    with sync_api.sync_playwright() as p:
        browser = p.chromium.launch(
            executable_path=str(chromium),
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
            ],
        )
        try:
            page = browser.new_page(viewport={"width": 420, "height": 900})
            page.goto(page_url)
            width = page.evaluate("document.documentElement.scrollWidth")
        finally:
            browser.close()
    assert width <= 420
