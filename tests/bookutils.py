"""Helpers for the tests: building the book, and reading a build's notebooks, glue and pages.

Jupyter Book 1.x writes each executed notebook to
``<build>/jupyter_execute/<docname>.ipynb``; a value stored with
``myst_nb.glue`` is an output whose metadata carries ``scrapbook.name``.

The table of contents helpers (``toc_docnames``, ``notebook_docnames``, ...) live
with the book's command-line tools in ``tools/book.py`` and are re-exported here.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

from tools.book import (  # noqa: F401 (re-exported for the tests)
    ROOT,
    is_notebook,
    notebook_docnames,
    source_path,
    toc_docnames,
)

JUPYTER_BOOK = Path(sys.executable).with_name("jupyter-book")
STRICT = ["-n", "-W", "--keep-going"]


# -- building --------------------------------------------------------------------


# The jupytext header of a MyST notebook page, for the small books and chapters tests write.
NOTEBOOK_HEADER = """---
jupytext:
  text_representation:
    extension: .md
    format_name: myst
kernelspec:
  display_name: Python 3
  language: python
  name: python3
---
"""


def build_book(
    source: Path, *, output: Path | None = None, env: dict | None = None, timeout: float = 1800
) -> subprocess.CompletedProcess:
    """Strict HTML build of the book at ``source`` into ``output/_build`` (default ``source``)."""
    run_env = dict(os.environ)
    run_env.update(env or {})
    where = ["--path-output", str(output)] if output is not None else []
    return subprocess.run(
        [str(JUPYTER_BOOK), "build", str(source), "--builder", "html", *where, *STRICT],
        capture_output=True,
        text=True,
        cwd=source,
        env=run_env,
        timeout=timeout,
    )


def build_log(proc: subprocess.CompletedProcess) -> str:
    """stdout and stderr of a build, for assertion messages."""
    return f"--- stdout ---\n{proc.stdout}\n--- stderr ---\n{proc.stderr}"


def plain(text: str) -> str:
    """``text`` without the terminal colour codes Sphinx writes."""
    return re.sub(r"\x1b\[[0-9;]*m", "", text)


def executed_in_log(proc: subprocess.CompletedProcess, root: Path) -> set[str]:
    """Docnames whose notebook the build executed (not taken from the cache)."""
    executed = set()
    for line in plain(proc.stdout + "\n" + proc.stderr).splitlines():
        if ": Executing notebook using" in line:
            path = Path(line.split(": Executing notebook", 1)[0].strip())
            executed.add(
                path.resolve().relative_to(Path(root).resolve()).with_suffix("").as_posix()
            )
    return executed


def copy_sources(dest: Path, root: Path = ROOT) -> Path:
    """Copy what the book is built from (config, toc, chapters, lossutils) to ``dest``."""
    dest.mkdir(parents=True, exist_ok=True)
    ignore = shutil.ignore_patterns("__pycache__", ".ipynb_checkpoints", "*.pyc")
    for name in ("_config.yml", "_toc.yml"):
        shutil.copy2(root / name, dest / name)
    for name in ("chapters", "lossutils"):
        shutil.copytree(root / name, dest / name, ignore=ignore)
    return dest


# -- reading a build --------------------------------------------------------------


def executed_notebook(build_dir: Path, docname: str) -> dict:
    """The executed notebook of ``docname`` (e.g. ``"chapters/03-log-loss"``) as JSON."""
    path = Path(build_dir) / "jupyter_execute" / f"{docname}.ipynb"
    if not path.exists():
        raise FileNotFoundError(f"no executed notebook for {docname!r} at {path}")
    return json.loads(path.read_text(encoding="utf-8"))


def glued(build_dir: Path, docname: str) -> dict[str, str]:
    """Map each glue name in ``docname`` to the ``text/plain`` form of its value.

    Parse numbers with ``float(...)``; a figure glued without text has ``""``.
    myst-nb 1.4 moves values glued with ``display=False`` out of the executed
    notebook into ``<docname>.glue.json`` beside it; both places are read.
    """
    outputs: dict[str, dict] = {}
    sidecar = Path(build_dir) / "jupyter_execute" / f"{docname}.glue.json"
    if sidecar.exists():
        outputs.update(json.loads(sidecar.read_text(encoding="utf-8")))
    for cell in executed_notebook(build_dir, docname)["cells"]:
        for output in cell.get("outputs", []):
            name = output.get("metadata", {}).get("scrapbook", {}).get("name")
            if name is not None:
                outputs.setdefault(name, output)
    values: dict[str, str] = {}
    for name, output in outputs.items():
        data = output.get("data", {})
        prefix = output.get("metadata", {}).get("scrapbook", {}).get("mime_prefix", "")
        # a notebook straight from a kernel still has glue's MIME prefix
        text = data.get("text/plain", data.get(f"{prefix}text/plain", ""))
        values[name] = "".join(text) if isinstance(text, list) else text
    return values


def glued_values(build_dir: Path, docname: str) -> dict[str, float | str]:
    """The glued values of ``docname`` parsed: numbers as ``float``, other text unquoted.

    Figures and other values with no text are left out.
    """
    parsed: dict[str, float | str] = {}
    for name, text in glued(build_dir, docname).items():
        if not text:
            continue
        try:
            parsed[name] = float(text)
        except ValueError:
            parsed[name] = text.strip("'\"")
    return parsed


def figure_image(html: str, name: str) -> dict[str, str]:
    """The image inside the figure labelled ``name`` on a page: its ``src`` and ``alt``.

    Fails (``AssertionError``) when the page has no such figure or the figure no image,
    so a figure cannot silently disappear.
    """
    figure = rf'<figure[^>]*id="{re.escape(name)}"[^>]*>(?:(?!</figure>).)*?(<img[^>]*>)'
    match = re.search(figure, html, flags=re.S)
    assert match, f"no figure {name!r} with an image on the page"
    tag = match.group(1)
    attrs = dict(re.findall(r'(\w+)="([^"]*)"', tag))
    return {"src": attrs.get("src", ""), "alt": attrs.get("alt", "")}
