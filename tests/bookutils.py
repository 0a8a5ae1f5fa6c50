"""Reading and building the book: the toc, builds, executed notebooks, glued values.

Jupyter Book 1.x writes each executed notebook to
``<build>/jupyter_execute/<docname>.ipynb``; a value stored with
``myst_nb.glue`` is an output whose metadata carries ``scrapbook.name``.

Run as a script, ``python tests/bookutils.py notebooks DIR`` writes every
notebook chapter of the toc to ``DIR`` as ``.ipynb`` (``make notebooks``).
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent
JUPYTER_BOOK = Path(sys.executable).with_name("jupyter-book")
STRICT = ["-n", "-W", "--keep-going"]


# -- the table of contents ---------------------------------------------------------


def toc_docnames(root: Path = ROOT) -> list[str]:
    """Every docname in ``_toc.yml`` (root first), e.g. ``"chapters/03-log-loss"``."""
    toc = yaml.safe_load((Path(root) / "_toc.yml").read_text(encoding="utf-8"))
    names = [toc["root"]]

    def walk(entries):
        for entry in entries or []:
            if "file" in entry:
                names.append(str(Path(entry["file"]).with_suffix("")))
            walk(entry.get("sections"))

    for part in toc.get("parts", []):
        walk(part.get("chapters"))
    walk(toc.get("chapters"))
    walk(toc.get("sections"))
    return names


def source_path(docname: str, root: Path = ROOT) -> Path:
    """The source file of ``docname`` (``.md`` or ``.ipynb``)."""
    for suffix in (".md", ".ipynb"):
        path = Path(root) / f"{docname}{suffix}"
        if path.exists():
            return path
    raise FileNotFoundError(f"no source for {docname!r} under {root}")


def is_notebook(docname: str, root: Path = ROOT) -> bool:
    """Whether the page is executed: an ``.ipynb``, or MyST with a jupytext header."""
    path = source_path(docname, root)
    if path.suffix == ".ipynb":
        return True
    text = path.read_text(encoding="utf-8")
    if not text.startswith("---"):
        return False
    front = text.split("---", 2)[1]
    return "jupytext:" in front or "kernelspec:" in front


def notebook_docnames(root: Path = ROOT) -> list[str]:
    """The toc's pages that are notebooks, in toc order."""
    return [name for name in toc_docnames(root) if is_notebook(name, root)]


# -- building --------------------------------------------------------------------


def build_book(source: Path, *, env: dict | None = None, timeout: float = 1800) -> subprocess.CompletedProcess:
    """Strict HTML build of the book at ``source`` into ``source/_build``."""
    run_env = dict(os.environ)
    run_env.update(env or {})
    return subprocess.run(
        [str(JUPYTER_BOOK), "build", str(source), "--builder", "html", *STRICT],
        capture_output=True, text=True, cwd=source, env=run_env, timeout=timeout,
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
            executed.add(path.resolve().relative_to(Path(root).resolve()).with_suffix("").as_posix())
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
    match = re.search(rf'<figure[^>]*id="{re.escape(name)}"[^>]*>(?:(?!</figure>).)*?(<img[^>]*>)', html, flags=re.S)
    assert match, f"no figure {name!r} with an image on the page"
    tag = match.group(1)
    attrs = dict(re.findall(r'(\w+)="([^"]*)"', tag))
    return {"src": attrs.get("src", ""), "alt": attrs.get("alt", "")}


# -- notebooks for students ----------------------------------------------------------


def write_notebooks(outdir: Path, root: Path = ROOT) -> list[Path]:
    """Write each notebook chapter of the toc as ``outdir/<name>.ipynb`` (no outputs)."""
    import jupytext

    outdir = Path(outdir)
    outdir.mkdir(parents=True, exist_ok=True)
    written = []
    for docname in notebook_docnames(root):
        notebook = jupytext.read(source_path(docname, root))
        target = outdir / f"{Path(docname).name}.ipynb"
        jupytext.write(notebook, target, fmt="ipynb")
        written.append(target)
    return written


if __name__ == "__main__":
    if len(sys.argv) != 3 or sys.argv[1] != "notebooks":
        sys.exit("usage: python tests/bookutils.py notebooks DIR")
    paths = write_notebooks(Path(sys.argv[2]))
    print(f"wrote {len(paths)} notebooks to {sys.argv[2]}/")
