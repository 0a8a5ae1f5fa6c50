"""The explorable figures in a real browser: offline, keyboard-operable, readable on a phone.

Each explorable (a Bokeh plot with a slider and a readout, see lossutils/explorable.py)
is opened from disk in Chromium, as tests/test_browser.py opens every page, once at
desktop width and once at phone width (420 px). The visit records every request and
console error, focuses the slider's handle, presses ArrowRight, and records what the
page shows before and after: the slider's position, the readout's text, the moving
glyphs' data and a screenshot of the figure. Screenshots are written to
``<build>/screenshots/explorable-<name>-<width>-<before|after>.png``.

Without Chromium (or Playwright) these tests skip, or fail when CI is set.
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from explorableutils import shipped

EXPLORABLES = [
    ("chapters/03-log-loss", "ch3-logloss"),
    ("chapters/03-log-loss", "ch3-pos-weight"),
    ("chapters/06-crossentropy-nllloss", "ch6-bce-gradient"),
    ("chapters/08-mistakes", "ch8-floor"),
]
IDS = [name for _, name in EXPLORABLES]
WIDTHS = [1280, 420]
PRESSES = 3  # ArrowRight presses on each slider

# The state of one explorable, read from Bokeh's models in the page.
STATE = """name => {
  for (const doc of Bokeh.documents) {
    if (!doc.roots().some(root => root.name === 'explorable-' + name)) continue;
    const sliders = [];
    for (let k = 0; doc.get_model_by_name('slider-' + k); k++) sliders.push(doc.get_model_by_name('slider-' + k).value);
    const moving = {};
    for (const model of doc.all_models) {
      if (model.name && model.name.startsWith('moving-')) {
        moving[model.name.slice(7)] = {x: Array.from(model.data.x), y: Array.from(model.data.y)};
      }
    }
    return {sliders, moving, readout: doc.get_model_by_name('readout').text};
  }
  return null;
}"""


@dataclass
class Look:
    sliders: list
    moving: dict
    readout_model: str
    readout_shown: str
    screenshot: Path
    box: dict


@dataclass
class Visit:
    requests: list[str] = field(default_factory=list)
    failed: list[str] = field(default_factory=list)
    console_errors: list[str] = field(default_factory=list)
    focused_handles: list[bool] = field(default_factory=list)
    before: Look | None = None
    after: Look | None = None
    page_width: int = 0


def look(page, name: str, shot: Path) -> Look:
    figure = page.locator(f"#explorable-{name}")
    state = page.evaluate(STATE, name)
    assert state is not None, f"no Bokeh document for {name}"
    shot.parent.mkdir(parents=True, exist_ok=True)
    figure.screenshot(path=str(shot))
    shown = figure.locator(".bk-clearfix").first.inner_text()  # the readout Div, in its shadow root
    return Look(
        sliders=state["sliders"],
        moving=state["moving"],
        readout_model=state["readout"],
        readout_shown=shown,
        screenshot=shot,
        box=figure.bounding_box(),
    )


def visit(browser, html_dir: Path, shots: Path, docname: str, name: str, width: int) -> Visit:
    record = Visit()
    context = browser.new_context(viewport={"width": width, "height": 900}, service_workers="block")
    page = context.new_page()
    page.on("request", lambda r: record.requests.append(r.url))
    page.on("requestfailed", lambda r: record.failed.append(f"{r.url} ({r.failure})"))
    page.on(
        "console", lambda m: record.console_errors.append(m.text) if m.type == "error" else None
    )
    page.on("pageerror", lambda e: record.console_errors.append(f"uncaught: {e}"))
    try:
        page.goto((html_dir / f"{docname}.html").as_uri(), wait_until="load")
        page.wait_for_load_state("networkidle")
        figure = page.locator(f"#explorable-{name}")
        handles = figure.locator(".noUi-handle")
        handles.first.wait_for(timeout=20_000)  # BokehJS has drawn the sliders
        figure.scroll_into_view_if_needed()
        record.page_width = page.evaluate("document.documentElement.scrollWidth")
        stem = f"explorable-{name}-{width}"
        record.before = look(page, name, shots / f"{stem}-before.png")
        for k in range(handles.count()):
            handles.nth(k).focus()
            record.focused_handles.append(
                handles.nth(k).evaluate("h => h.getRootNode().activeElement === h")
            )
            for _ in range(PRESSES):
                page.keyboard.press("ArrowRight")
        page.wait_for_timeout(300)  # one frame for the canvas to be redrawn
        record.after = look(page, name, shots / f"{stem}-after.png")
    finally:
        context.close()
    return record


@pytest.fixture(scope="module")
def html_dir(book_build) -> Path:
    return book_build / "html"


@pytest.fixture(scope="module")
def visits(browser, html_dir, book_build):
    cache: dict[tuple[str, int], Visit] = {}

    def get(name: str, width: int) -> Visit:
        if (name, width) not in cache:
            docname = dict((n, d) for d, n in EXPLORABLES)[name]
            cache[(name, width)] = visit(
                browser, html_dir, book_build / "screenshots", docname, name, width
            )
        return cache[(name, width)]

    return get


def text_of(readout_html: str) -> str:
    """The readout's text as a reader sees it (tags dropped, entities decoded, spaces collapsed)."""
    return " ".join(html.unescape(re.sub(r"<[^>]+>", "", readout_html)).split())


@pytest.mark.parametrize("width", WIDTHS)
@pytest.mark.parametrize("name", IDS)
def test_explorable_requests_nothing_outside_the_build(visits, html_dir, name, width):
    record = visits(name, width)
    root = html_dir.resolve().as_uri() + "/"
    outside = [u for u in record.requests if not u.startswith((root, "data:", "blob:", "about:"))]
    assert outside == [] and record.failed == []
    bokeh = [u for u in record.requests if "/_static/bokeh/" in u]
    assert any(u.split("?")[0].endswith("bokeh.min.js") for u in bokeh), (
        "BokehJS was not loaded from the build"
    )


@pytest.mark.parametrize("width", WIDTHS)
@pytest.mark.parametrize("name", IDS)
def test_explorable_logs_no_console_error(visits, name, width):
    assert visits(name, width).console_errors == []


@pytest.mark.parametrize("width", WIDTHS)
@pytest.mark.parametrize("name", IDS)
def test_arrow_right_on_the_focused_slider_moves_it(visits, book_build, name, width):
    record = visits(name, width)
    assert record.focused_handles and all(record.focused_handles), (
        "a slider's handle cannot take the keyboard focus"
    )
    data = shipped(book_build, dict((n, d) for d, n in EXPLORABLES)[name], name)
    ends = [s["end"] for s in data.sliders]
    # one step per press, stopping at the end of the slider
    assert record.after.sliders == [
        min(v + PRESSES, end) for v, end in zip(record.before.sliders, ends)
    ]


@pytest.mark.parametrize("width", WIDTHS)
@pytest.mark.parametrize("name", IDS)
def test_moving_the_slider_shows_the_precomputed_frame(visits, book_build, name, width):
    record = visits(name, width)
    docname = dict((n, d) for d, n in EXPLORABLES)[name]
    data = shipped(book_build, docname, name)
    frames = data.frames
    for state in (record.before, record.after):
        index = 0
        for size, value in zip(data.frame_shape, state.sliders):
            index = index * size + int(value)
        # what is drawn and what is read out are that frame's shipped numbers and text
        for key, xy in state.moving.items():
            assert xy["x"] == frames[f"{key}_x"][index] and xy["y"] == frames[f"{key}_y"][index]
        assert state.readout_model == frames["readout"][index]
        assert " ".join(state.readout_shown.split()) == text_of(frames["readout"][index])


@pytest.mark.parametrize("width", WIDTHS)
@pytest.mark.parametrize("name", IDS)
def test_moving_the_slider_changes_the_drawing_and_the_readout(visits, name, width):
    record = visits(name, width)
    assert record.after.readout_shown != record.before.readout_shown
    assert record.after.moving != record.before.moving
    assert record.after.screenshot.read_bytes() != record.before.screenshot.read_bytes()


@pytest.mark.parametrize("name", IDS)
def test_explorable_fits_a_phone_screen(visits, name):
    record = visits(name, 420)
    box = record.before.box
    assert box["x"] >= 0 and box["x"] + box["width"] <= 420, box
    assert box["height"] > 300, "the plot collapsed"
    assert record.page_width <= 420


@pytest.mark.parametrize("width", WIDTHS)
@pytest.mark.parametrize("name", IDS)
def test_screenshots_at_two_slider_positions_are_saved(visits, name, width):
    record = visits(name, width)
    for state in (record.before, record.after):
        assert state.screenshot.is_file() and state.screenshot.stat().st_size > 5_000
