"""Explorable figures in the offline book: BokehJS from the installed wheel.

Loaded from ``_config.yml`` (``sphinx: local_extensions: {lossbook_bokeh: chapters/_ext}``).
A chapter shows an explorable figure as a cell output: the figure's own
``<div>`` and ``<script>`` (``bokeh.embed.components``), wrapped in an element of
class ``lossbook-explorable`` (see ``lossutils/explorable.py``). That script needs
BokehJS, which this extension provides without any network:

1. **Files from the wheel.** ``bokeh.min.js`` and ``bokeh-widgets.min.js`` are
   copied from the installed ``bokeh`` package (``bokeh/server/static/js``) into
   ``_static/bokeh/`` of an HTML build, so the version always matches the Python
   package that wrote the figures.
2. **Only where needed.** A page whose body holds an explorable gets the two
   files as local ``<script>`` tags; other pages load nothing more.
3. **Only where JavaScript runs.** For a builder that is not HTML (the PDF), an
   output that is an explorable is dropped before myst-nb picks a MIME type,
   so it neither prints its text fallback nor warns; the chapter's static twin
   (a matplotlib figure of the same data) stands in for it.
"""

from __future__ import annotations

import importlib.util
import shutil
from pathlib import Path

from docutils import nodes
from sphinx.application import Sphinx
from sphinx.transforms.post_transforms import SphinxPostTransform

EXPLORABLE_CLASS = "lossbook-explorable"  # lossutils.explorable.HTML_CLASS
BOKEH_STATIC = "bokeh"  # folder under _static/
BOKEH_FILES = ("bokeh.min.js", "bokeh-widgets.min.js")  # core, then the Slider and Div


def bokeh_js_dir() -> Path:
    """The folder of BokehJS files inside the installed ``bokeh`` package."""
    spec = importlib.util.find_spec("bokeh")
    if spec is None or not spec.submodule_search_locations:
        raise RuntimeError("Bokeh is not installed; `pip install -r requirements.txt`")
    js = Path(next(iter(spec.submodule_search_locations))) / "server" / "static" / "js"
    missing = [name for name in BOKEH_FILES if not (js / name).is_file()]
    if missing:
        raise RuntimeError(f"no {', '.join(missing)} under {js}; is the bokeh wheel complete?")
    return js


def copy_bokeh(app: Sphinx, exception: Exception | None) -> None:
    """Copy BokehJS into ``_static/bokeh`` of an HTML build."""
    if exception is not None or app.builder.format != "html":
        return
    source = bokeh_js_dir()
    target = Path(app.outdir) / "_static" / BOKEH_STATIC
    target.mkdir(parents=True, exist_ok=True)
    for name in BOKEH_FILES:
        shutil.copy2(source / name, target / name)


def load_bokeh_where_needed(
    app: Sphinx, pagename: str, templatename: str, context: dict, doctree
) -> None:
    """Add the local BokehJS scripts to a page that shows an explorable figure."""
    if app.builder.format != "html" or EXPLORABLE_CLASS not in context.get("body", ""):
        return
    bokeh_js_dir()  # fail early, with a clear message, if the files are not there
    for name in BOKEH_FILES:
        # In html-page-context, add_js_file adds the script to this page only. Deferred
        # (in order, before DOMContentLoaded, when each figure's script draws): parsing
        # 1.6 MB in the page's head would hold up the page's first paint for nothing.
        app.add_js_file(f"{BOKEH_STATIC}/{name}", loading_method="defer")
    # names for the sliders' handles (static/lossbook-explorable.js, served by lossbook)
    app.add_js_file("lossbook-explorable.js", loading_method="defer")


def _is_explorable_bundle(node: nodes.Node) -> bool:
    if not (isinstance(node, nodes.container) and node.get("nb_element") == "mime_bundle"):
        return False
    return any(
        child.get("mime_type") == "text/html" and EXPLORABLE_CLASS in child.astext()
        for child in node.children
        if isinstance(child, nodes.Element)
    )


class DropExplorablesWithoutJavaScript(SphinxPostTransform):
    """Remove explorable outputs for non-HTML builders, before myst-nb selects a MIME type."""

    default_priority = 3  # myst-nb's SelectMimeType runs at 4

    def run(self, **kwargs) -> None:
        if self.app.builder.format == "html":
            return
        for node in list(self.document.findall(_is_explorable_bundle)):
            node.parent.remove(node)


def setup(app: Sphinx) -> dict:
    app.add_post_transform(DropExplorablesWithoutJavaScript)
    # before lossbook's check that no page loads a script from the network (priority 900)
    app.connect("html-page-context", load_bokeh_where_needed, priority=500)
    app.connect("build-finished", copy_bokeh)
    return {"version": "1.0", "parallel_read_safe": True, "parallel_write_safe": True}
