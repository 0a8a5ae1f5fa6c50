"""Reading what an explorable figure ships, from the executed notebook.

An explorable is a cell output whose ``text/html`` holds an element of class
``lossbook-explorable`` with id ``explorable-<name>``, a Bokeh ``<div>`` and the
``<script>`` that ``bokeh.embed.components`` wrote. The script carries the whole
Bokeh document as JSON in a JavaScript string (``const docs_json = '...'``), HTML-
escaped and with backslashes doubled. :func:`shipped` undoes that and returns the
models the chapter tests check: the precomputed frames, the fixed curves, the
sliders and the readout. This is the data the page's JavaScript selects from.
"""

from __future__ import annotations

import html
import json
import re
from dataclasses import dataclass
from pathlib import Path

from bookutils import executed_notebook

EXPLORABLE_CLASS = "lossbook-explorable"


def explorable_html(build: Path, docname: str, name: str) -> str:
    """The ``text/html`` output of the explorable ``name`` in the executed notebook."""
    found = []
    for cell in executed_notebook(build, docname)["cells"]:
        for output in cell.get("outputs", []):
            text = output.get("data", {}).get("text/html", "")
            text = "".join(text) if isinstance(text, list) else text
            if EXPLORABLE_CLASS in text and f'id="explorable-{name}"' in text:
                found.append(text)
    assert len(found) == 1, f"{docname}: {len(found)} outputs for explorable {name!r}"
    return found[0]


def _entries(value):
    """A Bokeh ``map`` as a dict; other values unchanged."""
    if isinstance(value, dict) and value.get("type") == "map":
        return {k: _entries(v) for k, v in value.get("entries", [])}
    return value


def _models(node, out: dict):
    """Every model of the document JSON that has a name, by name."""
    if isinstance(node, dict):
        attributes = node.get("attributes")
        if node.get("type") == "object" and isinstance(attributes, dict) and "name" in attributes:
            out[attributes["name"]] = node
        for value in node.values():
            _models(value, out)
    elif isinstance(node, list):
        for value in node:
            _models(value, out)
    return out


def bokeh_document(text: str) -> dict:
    """The Bokeh document JSON embedded in an explorable's script."""
    match = re.search(r"const docs_json = '(.*?)';", text, flags=re.S)
    assert match, "no docs_json in the explorable's script"
    raw = html.unescape(match.group(1).replace("\\\\", "\\"))
    docs = json.loads(raw)
    assert len(docs) == 1, "one Bokeh document per explorable"
    return next(iter(docs.values()))


@dataclass
class Shipped:
    frames: dict  # column -> one value per frame (lists for curves, str for readouts)
    fixed: dict  # series key -> (x, y)
    sliders: list  # [{"title", "start", "end", "value", "labels"}]
    readout: str  # the readout's text before any slider moves
    frame_shape: tuple

    def frame(self, *labels: str) -> int:
        """The frame shown when each slider shows ``labels[k]``."""
        index = 0
        for slider, label in zip(self.sliders, labels, strict=True):
            index = index * len(slider["labels"]) + slider["labels"].index(label)
        return index


def shipped(build: Path, docname: str, name: str) -> Shipped:
    models = _models(bokeh_document(explorable_html(build, docname, name)), {})
    frames = _entries(models["frames"]["attributes"]["data"])
    fixed = {}
    for model_name, model in models.items():
        if model_name.startswith("fixed-"):
            data = _entries(model["attributes"]["data"])
            fixed[model_name.removeprefix("fixed-")] = (data["x"], data["y"])
    sliders = []
    for k in range(len([n for n in models if n.startswith("slider-")])):
        attributes = models[f"slider-{k}"]["attributes"]
        args = _entries(attributes["format"]["attributes"]["args"])
        sliders.append(
            {
                "title": attributes["title"],
                "start": attributes["start"],
                "end": attributes["end"],
                "value": attributes["value"],
                "labels": args["labels"],
            }
        )
    shape = tuple(len(s["labels"]) for s in sliders)
    return Shipped(
        frames=frames,
        fixed=fixed,
        sliders=sliders,
        readout=models["readout"]["attributes"]["text"],
        frame_shape=shape,
    )
