"""lossutils.explorable: frames indexed like the sliders, data shipped exactly, nothing remote."""

from __future__ import annotations

import re

import numpy as np
import pytest

from explorableutils import _entries, _models, bokeh_document
from lossutils import explorable as ex


def two_knob_explorable():
    a, b = [1.0, 2.0, 3.0], [10.0, 20.0]
    frames = [{"dot": ([x], [x * y])} for x in a for y in b]
    return ex.Explorable(
        name="test",
        knobs=[ex.Knob("a", a, ["1", "2", "3"], start=1), ex.Knob("b", b, ["10", "20"])],
        fixed=[(ex.Series("line", "a line", "#000000"), ([0.0, 1.0], [0.1, 1 / 3]))],
        moving=[ex.Series("dot", "", "#0072B2", kind="points")],
        frames=frames,
        readouts=[f"a = {x:g}, b = {y:g}" for x in a for y in b],
        x_label="x",
        y_label="y",
        x_range=(0, 4),
        y_range=(0, 70),
    )


def test_frames_are_numbered_like_the_sliders_in_c_order():
    e = two_knob_explorable()
    assert e.shape == (3, 2) and e.n_frames == 6
    assert [e.frame_index(i, j) for i in range(3) for j in range(2)] == list(range(6))
    assert all(e.frame_index(*e.positions(k)) == k for k in range(6))
    assert e.start_frame() == 2 and e.frame_label(2) == "2, 10"


def test_html_ships_the_numbers_exactly_and_loads_nothing():
    e = two_knob_explorable()
    text = e.html()
    assert 'class="lossbook-explorable" id="explorable-test"' in text
    assert not re.search(r"""(src|href)\s*=\s*["']?(https?:)?//""", text)
    models = _models(bokeh_document(text), {})
    frames = _entries(models["frames"]["attributes"]["data"])
    assert frames["dot_y"] == [[x * y] for x in [1.0, 2.0, 3.0] for y in [10.0, 20.0]]
    assert _entries(models["fixed-line"]["attributes"]["data"])["y"] == [0.1, 1 / 3]
    assert models["readout"]["attributes"]["text"] == "a = 2, b = 10"


def test_the_slider_callback_selects_and_computes_nothing():
    # the only arithmetic in the page's code turns the slider positions into a frame number
    code = ex._SELECT_FRAME_JS
    arithmetic = [line.strip() for line in code.splitlines() if re.search(r"[*/-]|Math\.", line)]
    assert arithmetic == ["frame = frame * sizes[k] + Math.round(sliders[k].value);"]


def test_bad_inputs_are_refused():
    with pytest.raises(ValueError):
        ex.Knob("a", [1.0], ["1"])
    with pytest.raises(ValueError):
        ex.Knob("a", [1.0, 2.0], ["1", "2"], start=2)
    with pytest.raises(ValueError):
        ex.Series("k", "", "#000", kind="bars")
    e = two_knob_explorable()
    with pytest.raises(ValueError):
        ex.Explorable(**{**e.__dict__, "readouts": e.readouts[:-1]})
    with pytest.raises(ValueError):
        ex._floats([1.0, np.nan])


def test_static_twin_draws_the_chosen_frames():
    e = two_knob_explorable()
    ax = ex.draw_static(e, positions=[(0, 1), (2, 0)])
    dots = [line for line in ax.lines if line.get_marker() == "o"]
    assert [tuple(d.get_ydata()) for d in dots] == [(20.0,), (30.0,)]
    assert [t.get_text() for t in ax.legend().get_texts()] == ["a line", "1, 20", "3, 10"]


def test_static_legend_names_the_knobs_by_their_symbols():
    e = two_knob_explorable()
    e.knobs = [
        ex.Knob("a", [1.0, 2.0, 3.0], ["1", "2", "3"], symbol="a"),
        ex.Knob("b", [10.0, 20.0], ["10", "20"], symbol="b"),
    ]
    assert e.frame_label(e.frame_index(2, 1)) == "a = 3, b = 20"
