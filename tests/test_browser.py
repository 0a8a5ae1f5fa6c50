"""Every page in a real browser, opened from disk as a reader with no network would.

Playwright drives Debian's Chromium (/usr/bin/chromium, headless, background
networking off) over ``file://`` URLs of the session build, both editions (English
in ``html/``, Chinese in ``zh/html/``). Each page is visited once; the tests below
then check one behaviour each on what the visit recorded, including axe-core's
accessibility audit (WCAG 2 A and AA rules; axe-core comes from npm, installed by
``make setup`` into ``.venv/node_modules``). A full-page screenshot of each page
is saved under ``<build>/screenshots/`` (``zh__`` in front for the Chinese ones).

Without Chromium (or Playwright) these tests skip and say why -- except when the
environment variable CI is set, where a missing browser is a failure.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from bookutils import toc_docnames

PAGES = toc_docnames()
EDITIONS = {"en": "html", "zh": "zh/html"}  # edition -> its folder in the build
EDITION_PAGES = [(edition, docname) for edition in EDITIONS for docname in PAGES]
AXE = Path(__file__).resolve().parent.parent / ".venv" / "node_modules" / "axe-core" / "axe.min.js"
# the accessibility rules institutions ask for, and the impacts that fail a page
AXE_TAGS = ["wcag2a", "wcag2aa"]
AXE_FAILING = ("serious", "critical")
SEARCH_TERM = "cross-entropy"


@dataclass
class Visit:
    url: str
    requests: list[str] = field(default_factory=list)
    failed: list[str] = field(default_factory=list)
    console_errors: list[str] = field(default_factory=list)
    images: list[dict] = field(default_factory=list)
    math: dict = field(default_factory=dict)
    axe: list = field(default_factory=list)
    screenshot: Path | None = None


# JavaScript run in the page once it has loaded.
WAIT_FOR_MATHJAX = """async () => {
  if (window.MathJax && MathJax.startup && MathJax.startup.promise) {
    await MathJax.startup.promise;
  }
}"""

IMAGES = """async () => Promise.all([...document.images].map(async img => {
  try { await img.decode(); } catch (e) {}
  return {src: img.currentSrc || img.src, width: img.naturalWidth, complete: img.complete};
}))"""

MATH = r"""() => {
  const math = [...document.querySelectorAll('.math')];
  const bare = math.filter(el => !el.querySelector('mjx-container'))
    .map(el => el.textContent.slice(0, 80));
  const root = document.querySelector('main') || document.body;
  const walker = document.createTreeWalker(root, NodeFilter.SHOW_TEXT);
  const raw = [];
  for (let node = walker.nextNode(); node; node = walker.nextNode()) {
    const skip = 'pre, code, script, style, textarea, mjx-container, .highlight';
    if (node.parentElement.closest(skip)) continue;
    const t = node.textContent;
    const tex = t.includes('\\(') || t.includes('\\)') || t.includes('\\[') || t.includes('$$');
    if (tex) raw.push(t.trim().slice(0, 80));
  }
  return {
    mathjax: !!(window.MathJax && MathJax.version),
    version: window.MathJax ? MathJax.version : null,
    math_elements: math.length,
    rendered: document.querySelectorAll('mjx-container').length,
    untypeset: bare,
    raw_tex: raw,
    errors: document.querySelectorAll('mjx-merror').length,
  };
}"""


# An explorable figure is drawn by BokehJS after the page loads, and its sliders get their
# names just after (static/lossbook-explorable.js): wait for both before auditing the page.
WAIT_FOR_EXPLORABLES = """async () => {
  if (!document.querySelector('.lossbook-explorable')) return;
  const handles = () => {
    const found = [];
    const walk = root => root.querySelectorAll('*').forEach(el => {
      if (el.shadowRoot) walk(el.shadowRoot);
      if (el.classList.contains('noUi-handle')) found.push(el);
    });
    walk(document);
    return found;
  };
  for (let i = 0; i < 100; i++) {
    const all = handles();
    if (all.length && all.every(h => h.getAttribute('aria-label'))) return;
    await new Promise(done => setTimeout(done, 100));
  }
}"""

AXE_RUN = """async (tags) => {
  // preload: false, or axe re-fetches every stylesheet with XHR, which file:// pages refuse
  const result = await axe.run(document, {runOnly: {type: 'tag', values: tags}, preload: false});
  return result.violations.map(v => ({id: v.id, impact: v.impact, help: v.help,
    nodes: v.nodes.slice(0, 3).map(n => n.target.join(' '))}));
}"""


def visit_page(
    browser, html_dir: Path, relpath: str, query: str = "", screenshot: Path | None = None
) -> Visit:
    page_uri = (html_dir / relpath).as_uri() + (f"?{query}" if query else "")
    visit = Visit(url=page_uri)
    context = browser.new_context(viewport={"width": 1280, "height": 900}, service_workers="block")
    page = context.new_page()
    page.on("request", lambda r: visit.requests.append(r.url))
    page.on("requestfailed", lambda r: visit.failed.append(f"{r.url} ({r.failure})"))
    page.on("console", lambda m: visit.console_errors.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: visit.console_errors.append(f"uncaught: {e}"))
    try:
        page.goto(page_uri, wait_until="load")
        page.evaluate(WAIT_FOR_MATHJAX)
        page.wait_for_load_state("networkidle")
        visit.images = page.evaluate(IMAGES)
        visit.math = page.evaluate(MATH)
        if AXE.is_file():
            page.evaluate(WAIT_FOR_EXPLORABLES)
            page.add_script_tag(path=str(AXE))
            visit.axe = page.evaluate(AXE_RUN, AXE_TAGS)
        if screenshot is not None:
            screenshot.parent.mkdir(parents=True, exist_ok=True)
            page.screenshot(path=str(screenshot), full_page=True)
            visit.screenshot = screenshot
    finally:
        context.close()
    return visit


@pytest.fixture(scope="module")
def html_dir(book_build) -> Path:
    return book_build / "html"


@pytest.fixture(scope="module")
def visits(browser, book_build):
    """Visit each page of each edition at most once, on demand: (edition, docname) -> Visit."""
    cache: dict[tuple[str, str], Visit] = {}

    def get(edition: str, docname: str) -> Visit:
        if (edition, docname) not in cache:
            prefix = "" if edition == "en" else f"{edition}__"
            shot = book_build / "screenshots" / f"{prefix}{docname.replace('/', '__')}.png"
            cache[edition, docname] = visit_page(
                browser, book_build / EDITIONS[edition], f"{docname}.html", screenshot=shot
            )
        return cache[edition, docname]

    return get


def outside(visit: Visit, html_dir: Path) -> list[str]:
    root = html_dir.resolve().as_uri() + "/"
    return [
        u
        for u in visit.requests
        if not (u.startswith(root) or u.startswith(("data:", "blob:", "about:")))
    ]


@pytest.mark.parametrize("edition, docname", EDITION_PAGES)
def test_page_has_no_failed_request(visits, edition, docname):
    assert visits(edition, docname).failed == []


@pytest.mark.parametrize("edition, docname", EDITION_PAGES)
def test_page_requests_nothing_outside_its_edition_folder(visits, book_build, edition, docname):
    assert outside(visits(edition, docname), book_build / EDITIONS[edition]) == []


@pytest.mark.parametrize("edition, docname", EDITION_PAGES)
def test_page_logs_no_console_error(visits, edition, docname):
    assert visits(edition, docname).console_errors == []


@pytest.mark.parametrize("edition, docname", EDITION_PAGES)
def test_every_image_is_decoded(visits, edition, docname):
    broken = [img["src"] for img in visits(edition, docname).images if img["width"] == 0]
    assert broken == []


@pytest.mark.parametrize("edition, docname", EDITION_PAGES)
def test_mathjax_runs_where_there_is_maths(visits, edition, docname):
    math = visits(edition, docname).math
    if math["math_elements"]:
        assert math["mathjax"], "the page has maths but MathJax did not start"


@pytest.mark.parametrize("edition, docname", EDITION_PAGES)
def test_every_formula_is_typeset(visits, edition, docname):
    math = visits(edition, docname).math
    assert math["untypeset"] == []
    assert math["rendered"] >= math["math_elements"]


@pytest.mark.parametrize("edition, docname", EDITION_PAGES)
def test_no_raw_tex_is_left_in_the_text(visits, edition, docname):
    assert visits(edition, docname).math["raw_tex"] == []


@pytest.mark.parametrize("edition, docname", EDITION_PAGES)
def test_mathjax_reports_no_tex_error(visits, edition, docname):
    assert visits(edition, docname).math["errors"] == 0


def test_the_book_has_typeset_maths(visits):
    assert sum(visits("en", d).math["rendered"] for d in PAGES) > 0, (
        "no page of the book shows typeset maths"
    )


@pytest.mark.parametrize("edition, docname", EDITION_PAGES)
def test_full_page_screenshot_is_saved(visits, edition, docname):
    shot = visits(edition, docname).screenshot
    assert shot is not None and shot.is_file() and shot.stat().st_size > 0


@pytest.fixture(scope="module")
def search_visit(browser, html_dir, book_build):
    return visit_page(
        browser,
        html_dir,
        "search.html",
        query=f"q={SEARCH_TERM}",
        screenshot=book_build / "screenshots" / "search.png",
    )


def test_search_finds_cross_entropy(browser, html_dir):
    from playwright.sync_api import expect

    context = browser.new_context()
    page = context.new_page()
    try:
        page.goto((html_dir / "search.html").as_uri() + f"?q={SEARCH_TERM}", wait_until="load")
        results = page.locator("#search-results ul.search li")
        expect(results.first).to_be_visible(timeout=20_000)
        assert results.count() > 0
    finally:
        context.close()


def test_search_page_makes_no_failed_or_outside_request(search_visit, html_dir):
    assert search_visit.failed == []
    assert outside(search_visit, html_dir) == []
    assert search_visit.console_errors == []


@pytest.mark.parametrize("edition, docname", EDITION_PAGES)
def test_page_has_no_serious_accessibility_violation(visits, edition, docname):
    if not AXE.is_file():
        if os.environ.get("CI"):
            pytest.fail(f"axe-core is missing at {AXE} (make setup installs it with npm)")
        pytest.skip("axe-core is not installed (make setup installs it with npm)")
    bad = [v for v in visits(edition, docname).axe if v["impact"] in AXE_FAILING]
    assert bad == []


def test_chinese_search_finds_cross_entropy(browser, book_build):
    from playwright.sync_api import expect

    context = browser.new_context()
    page = context.new_page()
    try:
        search = book_build / EDITIONS["zh"] / "search.html"
        page.goto(search.as_uri() + "?q=交叉熵", wait_until="load")
        results = page.locator("#search-results ul.search li")
        expect(results.first).to_be_visible(timeout=20_000)
        assert results.count() >= 3
    finally:
        context.close()


def test_index_page_redirects_to_the_first_page(browser, html_dir):
    context = browser.new_context()
    page = context.new_page()
    failed, errors = [], []
    page.on("requestfailed", lambda r: failed.append(r.url))
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    try:
        page.goto((html_dir / "index.html").as_uri())
        page.wait_for_url(f"**/{PAGES[0]}.html", timeout=20_000)
        page.wait_for_load_state("load")
    finally:
        context.close()
    assert failed == [] and errors == []
