"""Explorable figures: precomputed curves behind a slider, for the offline HTML book.

A chapter computes everything in Python, for every position of a slider (or of
two): the curves and points to draw, and the text of a readout. This module
turns those numbers into a Bokeh layout -- a plot, one slider per knob and a
readout line -- and returns the HTML of that figure alone (its ``<div>`` and its
``<script>``, from :func:`bokeh.embed.components`). The page loads BokehJS
itself, from files the book's build copies out of the installed ``bokeh`` wheel.

The slider's JavaScript only *selects*: it turns the slider positions into a
frame number and copies that frame's precomputed data and readout into the
plot. No loss is computed in the browser, so the numbers on screen are the
numbers the chapter computed and its test checks.

:func:`draw_static` draws the same data at a few slider positions with
matplotlib, for the places where no JavaScript runs (the PDF, a notebook).

This module imports Bokeh and matplotlib; ``import lossutils`` does not import
it::

    from lossutils import explorable as ex
"""

from __future__ import annotations

import html
from dataclasses import dataclass, field
from typing import Sequence

import numpy as np

__all__ = ["Knob", "Series", "Explorable", "draw_static"]

#: The class of the element that wraps every explorable on a page; the book's
#: Sphinx extension looks for it (to load BokehJS, and to drop the figure where
#: no JavaScript runs).
HTML_CLASS = "lossbook-explorable"

# The slider's callback: slider positions -> frame number -> copy that frame in.
# It selects among precomputed arrays and strings; it computes no value.
_SELECT_FRAME_JS = """
let frame = 0;
for (let k = 0; k < sliders.length; k++) {
  frame = frame * sizes[k] + Math.round(sliders[k].value);
}
const data = frames.data;
for (let s = 0; s < keys.length; s++) {
  sources[s].data = {x: data[keys[s] + "_x"][frame], y: data[keys[s] + "_y"][frame]};
}
readout.text = data["readout"][frame];
"""


@dataclass(frozen=True)
class Knob:
    """One slider: a title, the grid of values it steps through, and their labels.

    The slider moves over the positions ``0 .. len(values) - 1`` (one arrow key
    press is one step) and shows ``labels[position]``. ``symbol`` (e.g. ``"q"``)
    names the value in the static figure's legend (``"q = 0.3"``).
    """

    title: str
    values: Sequence[float]
    labels: Sequence[str]
    start: int = 0
    symbol: str = ""

    def __post_init__(self):
        if len(self.values) != len(self.labels) or len(self.values) < 2:
            raise ValueError("a knob needs at least two values, each with a label")
        if not 0 <= self.start < len(self.values):
            raise ValueError(f"start position {self.start} is outside 0..{len(self.values) - 1}")


@dataclass(frozen=True)
class Series:
    """How one set of points is drawn: a line, or markers."""

    key: str
    label: str  # in the legend; "" keeps the series out of it
    color: str
    kind: str = "line"  # "line" or "points"
    dash: str = "solid"  # "solid", "dashed" or "dotted"
    width: float = 2.0
    size: float = 10.0  # marker size, for points

    def __post_init__(self):
        if self.kind not in {"line", "points"}:
            raise ValueError(f"kind must be 'line' or 'points', not {self.kind!r}")
        if self.dash not in _MPL_DASH:
            raise ValueError(f"dash must be one of {sorted(_MPL_DASH)}, not {self.dash!r}")
        if not self.key.isidentifier():
            raise ValueError(f"a series key must be an identifier, not {self.key!r}")


_MPL_DASH = {"solid": "-", "dashed": "--", "dotted": ":"}


def _floats(values) -> list[float]:
    """Plain Python floats: exact in JSON (shortest repr), and readable by the tests."""
    array = np.asarray(values, dtype=np.float64).ravel()
    if not np.all(np.isfinite(array)):
        raise ValueError("an explorable ships finite numbers only")
    return [float(v) for v in array]


@dataclass
class Explorable:
    """A figure whose moving parts are precomputed for every slider position.

    Parameters
    ----------
    name
        An identifier for the page, e.g. ``"ch3-logloss"`` (the wrapper's id is
        ``"explorable-" + name``).
    knobs
        One or two sliders. Frame ``i`` belongs to the positions
        ``np.unravel_index(i, [len(k.values) for k in knobs])``.
    fixed
        Curves that do not move: pairs of a :class:`Series` and its ``(x, y)``.
    moving
        The series that change with the slider (their data is in ``frames``).
    frames
        For every frame, a mapping from each moving series' key to its ``(x, y)``.
    readouts
        For every frame, the text of the readout (HTML, already formatted).
    """

    name: str
    knobs: Sequence[Knob]
    fixed: Sequence[tuple[Series, tuple]]
    moving: Sequence[Series]
    frames: Sequence[dict]
    readouts: Sequence[str]
    x_label: str
    y_label: str
    x_range: tuple[float, float]
    y_range: tuple[float, float]
    x_log: bool = False
    y_log: bool = False
    height: int = 320
    vlines: Sequence[tuple[float, str]] = field(default_factory=tuple)

    def __post_init__(self):
        if not 1 <= len(self.knobs) <= 2:
            raise ValueError("an explorable has one or two sliders")
        n = self.n_frames
        if len(self.frames) != n or len(self.readouts) != n:
            raise ValueError(
                f"{n} slider positions but {len(self.frames)} frames and "
                f"{len(self.readouts)} readouts"
            )
        keys = {s.key for s in self.moving}
        for frame in self.frames:
            if set(frame) != keys:
                raise ValueError(f"every frame needs exactly the moving series {sorted(keys)}")

    # -- frames and positions ------------------------------------------------------

    @property
    def shape(self) -> tuple[int, ...]:
        return tuple(len(k.values) for k in self.knobs)

    @property
    def n_frames(self) -> int:
        return int(np.prod(self.shape))

    def frame_index(self, *positions: int) -> int:
        """The frame shown when slider ``k`` is at ``positions[k]``."""
        return int(np.ravel_multi_index(positions, self.shape))

    def positions(self, frame: int) -> tuple[int, ...]:
        return tuple(int(i) for i in np.unravel_index(frame, self.shape))

    def start_frame(self) -> int:
        return self.frame_index(*(k.start for k in self.knobs))

    def frame_label(self, frame: int) -> str:
        """The knobs' labels at a frame, e.g. ``"w₊ = 4, q = 0.3"``."""
        return ", ".join(
            f"{k.symbol} = {k.labels[i]}" if k.symbol else k.labels[i]
            for k, i in zip(self.knobs, self.positions(frame))
        )

    # -- Bokeh -----------------------------------------------------------------------

    def layout(self):
        """The Bokeh layout: sliders, readout and plot, stretching to the page's width."""
        from bokeh.layouts import column
        from bokeh.models import (
            ColumnDataSource,
            CustomJS,
            CustomJSTickFormatter,
            Div,
            Legend,
            Range1d,
            Slider,
            Span,
        )
        from bokeh.plotting import figure

        plot = figure(
            height=self.height,
            sizing_mode="stretch_width",
            min_width=280,
            x_axis_type="log" if self.x_log else "linear",
            y_axis_type="log" if self.y_log else "linear",
            x_range=Range1d(*self.x_range),
            y_range=Range1d(*self.y_range),
            x_axis_label=self.x_label,
            y_axis_label=self.y_label,
            tools="",
            toolbar_location=None,
            name=f"{self.name}-plot",
        )
        plot.axis.axis_label_text_font_style = "normal"
        items = []
        for series, (x, y) in self.fixed:
            renderer = self._glyph(
                plot,
                series,
                ColumnDataSource({"x": _floats(x), "y": _floats(y)}, name=f"fixed-{series.key}"),
            )
            if series.label:
                items.append((series.label, [renderer]))
        for x, color in self.vlines:
            plot.add_layout(
                Span(
                    location=float(x),
                    dimension="height",
                    line_color=color,
                    line_dash="dotted",
                    line_width=1.5,
                )
            )
        start = self.start_frame()
        sources = []
        for series in self.moving:
            x, y = self.frames[start][series.key]
            source = ColumnDataSource(
                {"x": _floats(x), "y": _floats(y)}, name=f"moving-{series.key}"
            )
            sources.append(source)
            renderer = self._glyph(plot, series, source)
            if series.label:
                items.append((series.label, [renderer]))
        legend = Legend(
            items=items,
            location="left",
            orientation="vertical",
            label_text_font_size="10pt",
            spacing=0,
            padding=4,
            margin=4,
            border_line_alpha=0,
        )
        plot.add_layout(legend, "below")

        columns = {"readout": list(self.readouts)}
        for series in self.moving:
            columns[f"{series.key}_x"] = [_floats(f[series.key][0]) for f in self.frames]
            columns[f"{series.key}_y"] = [_floats(f[series.key][1]) for f in self.frames]
        frames = ColumnDataSource(columns, name="frames")

        readout = Div(
            text=self.readouts[start],
            name="readout",
            sizing_mode="stretch_width",
            styles={"font-size": "0.95rem", "line-height": "1.4"},
        )
        sliders = []
        for knob in self.knobs:
            labels = list(knob.labels)
            sliders.append(
                Slider(
                    start=0,
                    end=len(labels) - 1,
                    step=1,
                    value=knob.start,
                    title=knob.title,
                    sizing_mode="stretch_width",
                    name=f"slider-{len(sliders)}",
                    margin=(5, 16, 5, 8),
                    format=CustomJSTickFormatter(
                        args={"labels": labels}, code="return labels[Math.round(tick)];"
                    ),
                )
            )
        callback = CustomJS(
            args={
                "sliders": sliders,
                "sizes": list(self.shape),
                "frames": frames,
                "keys": [s.key for s in self.moving],
                "sources": sources,
                "readout": readout,
            },
            code=_SELECT_FRAME_JS,
        )
        for slider in sliders:
            slider.js_on_change("value", callback)
        return column(
            *sliders, readout, plot, sizing_mode="stretch_width", name=f"explorable-{self.name}"
        )

    @staticmethod
    def _glyph(plot, series: Series, source):
        if series.kind == "line":
            return plot.line(
                "x",
                "y",
                source=source,
                line_color=series.color,
                line_width=series.width,
                line_dash=series.dash,
            )
        return plot.scatter(
            "x",
            "y",
            source=source,
            size=series.size,
            fill_color=series.color,
            line_color="#000000",
            line_width=1,
        )

    def html(self) -> str:
        """The figure's own ``<div>`` and ``<script>``, wrapped in an element of class
        :data:`HTML_CLASS`. No BokehJS, no stylesheet: the page provides those."""
        from bokeh.embed import components

        script, div = components(self.layout())
        return (
            f'<div class="{HTML_CLASS}" id="explorable-{html.escape(self.name)}">\n'
            f"{div}\n{script}\n</div>"
        )

    def _repr_mimebundle_(self, include=None, exclude=None):
        text = (
            f"Explorable figure {self.name!r}: {self.n_frames} precomputed frames; "
            "it moves in the HTML book (the static figure shows the same data)."
        )
        return {"text/html": self.html(), "text/plain": text}


def draw_static(
    explorable: Explorable,
    positions: Sequence[Sequence[int]],
    ax=None,
    styles: Sequence[dict] | None = None,
):
    """Draw ``explorable`` with matplotlib at the given slider positions.

    The fixed curves are drawn once, labelled with their series' labels; the
    moving series once per position, each position with its own style
    (``styles[j]``: keyword arguments for its lines, e.g. ``{"alpha": 0.5}``).
    The first moving series of each position is labelled with the knobs' values
    there (e.g. ``"p = 0.30"``), the others are left out of the legend. Returns ``ax``.
    """
    from . import plotting as lp

    ax = lp.new_ax(ax)
    for series, (x, y) in explorable.fixed:
        _mpl_draw(ax, series, x, y, label=series.label or "_nolegend_")
    for x, color in explorable.vlines:
        ax.axvline(x, color=color, linestyle=":", linewidth=1.2)
    styles = list(styles) if styles is not None else [{} for _ in positions]
    if len(styles) != len(positions):
        raise ValueError("give one style per position")
    for pos, style in zip(positions, styles):
        frame = explorable.frame_index(*pos)
        label = explorable.frame_label(frame)
        for j, series in enumerate(explorable.moving):
            x, y = explorable.frames[frame][series.key]
            _mpl_draw(ax, series, x, y, label=label if j == 0 else "_nolegend_", **style)
    if explorable.x_log:
        ax.set_xscale("log")
    if explorable.y_log:
        ax.set_yscale("log")
    ax.set_xlim(*explorable.x_range)
    ax.set_ylim(*explorable.y_range)
    ax.set_xlabel(explorable.x_label)
    ax.set_ylabel(explorable.y_label)
    return ax


def _mpl_draw(ax, series: Series, x, y, label: str, **style):
    if series.kind == "line":
        return ax.plot(
            x,
            y,
            color=series.color,
            linestyle=_MPL_DASH[series.dash],
            linewidth=series.width * 0.75,
            label=label,
            **style,
        )
    return ax.plot(
        x,
        y,
        "o",
        color=series.color,
        markeredgecolor="#000000",
        markersize=series.size * 0.6,
        label=label,
        zorder=3,
        **style,
    )
