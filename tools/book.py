"""The book's command-line tools: ``python tools/book.py COMMAND [ARGS]``.

Commands (each is behind a ``make`` target):

``notebooks DIR``
    Write every notebook chapter of ``_toc.yml`` to ``DIR`` as a plain ``.ipynb``
    with no outputs (``make notebooks``).
``lint-chapters``
    Lint and format-check the chapters' code cells with ruff (``make check``).
    Problems are reported as ``chapters/NN-slug.md:LINE:COL: CODE message``.
``format-chapters``
    Apply ruff's safe fixes and ruff's formatter to the chapters' code cells,
    rewriting only the code inside each ``{code-cell}`` block (``make format``).

Ruff reads notebooks, not MyST Markdown: each chapter's code cells are put in a
temporary ``.ipynb`` (one cell per code cell, in order), ruff runs on it with the
project's configuration (``pyproject.toml``), and its findings are mapped back to
lines of the ``.md``. The cells are found by :func:`code_cells` and checked against
jupytext's reading of the same file, so a cell that jupytext (hence the build)
sees differently stops the tool instead of being linted wrongly.

The ruff executable is ``$RUFF`` if set, else the one beside this Python.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent


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


# -- the chapters' code cells, for ruff ------------------------------------------------

OPENING = re.compile(r"^(?P<fence>`{3,}|~{3,})\{code-cell\}")


@dataclass
class CodeCell:
    """A ``{code-cell}`` block of a MyST file: its code and where the code sits."""

    first: int  # index (0-based) of the code's first line in the file's lines
    stop: int  # index of the closing fence (the code is lines[first:stop])
    source: str  # the code, without its final newline


def code_cells(text: str) -> list[CodeCell]:
    """The code cells of a MyST notebook, in order, without their option lines.

    >>> text = "# T\\n\\n```{code-cell} ipython3\\n:tags: [hide-input]\\nx = 1\\nx\\n```\\n"
    >>> cells = code_cells(text)
    >>> cells[0].source, cells[0].first, cells[0].stop
    ('x = 1\\nx', 4, 6)
    """
    lines = text.splitlines(keepends=True)
    cells = []
    i = 0
    while i < len(lines):
        match = OPENING.match(lines[i])
        if not match:
            i += 1
            continue
        fence = match["fence"]
        closing = re.compile(rf"^{re.escape(fence[0])}{{{len(fence)},}}\s*$")
        first = i + 1
        if first < len(lines) and lines[first].rstrip() == "---":  # a YAML options block
            first += 1
            while lines[first].rstrip() != "---":
                first += 1
            first += 1
        else:  # `:key: value` option lines
            while first < len(lines) and lines[first].startswith(":"):
                first += 1
        stop = first
        while stop < len(lines) and not closing.match(lines[stop]):
            stop += 1
        if stop == len(lines):
            raise ValueError(f"code cell opened on line {i + 1} is never closed")
        source = "".join(lines[first:stop])
        cells.append(CodeCell(first, stop, source[:-1] if source.endswith("\n") else source))
        i = stop + 1
    return cells


def chapter_cells(path: Path) -> list[CodeCell]:
    """:func:`code_cells` of a chapter, checked against jupytext's reading of it."""
    import jupytext

    text = path.read_text(encoding="utf-8")
    cells = code_cells(text)
    theirs = [c.source for c in jupytext.reads(text, fmt="md:myst").cells if c.cell_type == "code"]
    if [c.source for c in cells] != theirs:
        raise SystemExit(
            f"{path}: the code cells found here differ from jupytext's; "
            "fix tools/book.py:code_cells before linting this file"
        )
    return cells


def ruff() -> str:
    """The ruff executable: ``$RUFF``, else the one installed beside this Python."""
    exe = os.environ.get("RUFF") or shutil.which("ruff", path=str(Path(sys.executable).parent))
    if not exe:
        raise SystemExit(
            "ruff is not installed: `make setup` installs the version in requirements.txt"
        )
    return exe


def chapter_files(root: Path = ROOT) -> list[Path]:
    """The MyST sources of the toc's notebook pages."""
    paths = [source_path(d, root) for d in notebook_docnames(root)]
    return [p for p in paths if p.suffix == ".md"]


def as_notebook(cells: list[CodeCell]) -> dict:
    """A minimal nbformat-4 notebook holding ``cells`` as code cells."""
    return {
        "nbformat": 4,
        "nbformat_minor": 5,
        "metadata": {
            "kernelspec": {"name": "python3", "display_name": "Python 3", "language": "python"},
            "language_info": {"name": "python"},
        },
        "cells": [
            {
                "id": f"cell{n}",
                "cell_type": "code",
                "metadata": {},
                "execution_count": None,
                "outputs": [],
                "source": cell.source,
            }
            for n, cell in enumerate(cells)
        ],
    }


def notebook_sources(path: Path) -> list[str]:
    cells = json.loads(path.read_text(encoding="utf-8"))["cells"]
    return ["".join(c["source"]) if isinstance(c["source"], list) else c["source"] for c in cells]


def lint_chapters(*, fix: bool, root: Path = ROOT) -> int:
    """Run ruff over every chapter's code cells; return the number of problems found.

    Without ``fix``, a problem is a lint finding or a cell that the formatter would
    change. With ``fix``, ruff's safe fixes and its formatter are applied and the
    changed cells written back into the ``.md`` files; what is left is then reported.
    """
    config = ["--config", str(Path(root) / "pyproject.toml")]
    chapters = {path: chapter_cells(path) for path in chapter_files(root)}
    problems = 0
    with tempfile.TemporaryDirectory(prefix="lint-chapters-") as tmp:
        copies = {}
        for path, cells in chapters.items():
            copy = Path(tmp) / f"{path.stem}.ipynb"
            copy.write_text(json.dumps(as_notebook(cells), indent=1), encoding="utf-8")
            copies[path] = copy
        files = [str(c) for c in copies.values()]
        if fix:
            # what is left is reported by the check below, mapped to the .md lines
            fixer = [ruff(), "check", "--fix", "--quiet", *config, *files]
            subprocess.run(fixer, check=False, stdout=subprocess.DEVNULL)
        else:
            report = subprocess.run(
                [ruff(), "check", "--output-format", "json", *config, *files],
                capture_output=True,
                text=True,
            )
            if report.returncode not in (0, 1):
                raise SystemExit(report.stderr)
            chapter_of = {str(c.resolve()): p for p, c in copies.items()}
            for finding in json.loads(report.stdout):
                path = chapter_of[str(Path(finding["filename"]).resolve())]
                cell = chapters[path][finding["cell"] - 1] if finding.get("cell") else None
                row, col = finding["location"]["row"], finding["location"]["column"]
                line = cell.first + row if cell else row
                name = path.relative_to(root)
                print(f"{name}:{line}:{col}: {finding['code']} {finding['message']}")
                problems += 1
        subprocess.run([ruff(), "format", "--quiet", *config, *files], check=True)
        for path, copy in copies.items():
            cells = chapters[path]
            formatted = notebook_sources(copy)
            changed = [n for n, cell in enumerate(cells) if cell.source != formatted[n]]
            if not changed:
                continue
            name = path.relative_to(root)
            if fix:
                lines = path.read_text(encoding="utf-8").splitlines(keepends=True)
                for n in reversed(changed):
                    code = formatted[n] + "\n" if formatted[n] else ""
                    lines[cells[n].first : cells[n].stop] = [code]
                path.write_text("".join(lines), encoding="utf-8")
                print(f"{name}: {len(changed)} code cells rewritten")
            else:
                for n in changed:
                    print(f"{name}:{cells[n].first + 1}: code cell is not formatted")
                problems += len(changed)
    if fix:
        return lint_chapters(fix=False, root=root)
    if problems:
        print(f"{problems} problems in the chapters' code cells; `make format` fixes what ruff can")
    return problems


def main(argv: list[str]) -> int:
    if len(argv) == 2 and argv[0] == "notebooks":
        paths = write_notebooks(Path(argv[1]))
        print(f"wrote {len(paths)} notebooks to {argv[1]}/")
        return 0
    if argv == ["lint-chapters"]:
        return 1 if lint_chapters(fix=False) else 0
    if argv == ["format-chapters"]:
        lint_chapters(fix=True)  # reports what is left; `make lint` is the gate
        return 0
    print(__doc__.split("\n\n", 2)[1], file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
