"""Reading what the book build produced: executed notebooks and glued values.

Jupyter Book 1.x writes each executed notebook to
``<build>/jupyter_execute/<docname>.ipynb``; a value stored with
``myst_nb.glue`` is an output whose metadata carries ``scrapbook.name``.
"""

from __future__ import annotations

import json
from pathlib import Path


def executed_notebook(build_dir: Path, docname: str) -> dict:
    """The executed notebook of ``docname`` (e.g. ``"chapters/03-log-loss"``) as JSON."""
    path = Path(build_dir) / "jupyter_execute" / f"{docname}.ipynb"
    if not path.exists():
        raise FileNotFoundError(f"no executed notebook for {docname!r} at {path}")
    return json.loads(path.read_text(encoding="utf-8"))


def glued(build_dir: Path, docname: str) -> dict[str, str]:
    """Map each glue name in ``docname`` to the ``text/plain`` form of its value.

    Parse numbers with ``float(...)``; a figure glued without text has ``""``.
    """
    values: dict[str, str] = {}
    for cell in executed_notebook(build_dir, docname)["cells"]:
        for output in cell.get("outputs", []):
            name = output.get("metadata", {}).get("scrapbook", {}).get("name")
            if name is None:
                continue
            text = output.get("data", {}).get("text/plain", "")
            values[name] = "".join(text) if isinstance(text, list) else text
    return values
