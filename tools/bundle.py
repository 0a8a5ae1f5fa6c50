"""The notebook bundle for students: one zip to download, unpack and run.

    python tools/bundle.py [OUT.zip]     # default: chapters/bundle/lossbook-notebooks.zip

The zip holds ``lossbook/``: every chapter of the toc as a notebook without outputs and without
solutions (the student edition's sources), the ``lossutils`` package, ``requirements.txt`` with
only what the notebooks import (torch pinned to its CPU wheel) and a README saying how to run
them. The intro links it with ``{download}``, so it must exist before the book is built:
``make book`` and the tests' build write it first (``make bundle`` writes only it). The zip is
the same, byte for byte, for the same sources (fixed timestamps), and it is rewritten only when
its bytes change, so an unchanged book does not look changed to Sphinx.
"""

from __future__ import annotations

import io
import sys
import tempfile
import zipfile
from pathlib import Path

if __package__ in (None, ""):  # run as a script (python tools/x.py): make `tools` importable
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from tools.book import notebook_docnames, source_path  # noqa: E402
from tools.editions import ROOT  # noqa: E402
from tools.student import strip_book  # noqa: E402

TOP = "lossbook"
DEFAULT = ROOT / "chapters" / "bundle" / "lossbook-notebooks.zip"
STAMP = (2026, 1, 1, 0, 0, 0)  # every member's timestamp: the zip depends on content only
# What the notebooks import, pinned as in the book's requirements.txt.
# myst-nb provides `glue`, which the chapters call to hand numbers to the book's prose.
STUDENT_PACKAGES = (
    "numpy",
    "matplotlib",
    "scikit-learn",
    "scipy",
    "torch",
    "mpmath",
    "myst-nb",
    "jupyterlab",
)

README = """# Classification losses: the notebooks

Every chapter of the book "Classification losses: from likelihood to CrossEntropyLoss" as a
Jupyter notebook, with the book's helper package `lossutils`. The exercises are here; their
solutions are in the book. Check an answer in a notebook with

    from lossutils.exercises import check
    check("ex-ch3-howmany", your_answer)

## Run them

You need Python {python} or newer. In this folder:

    python3 -m venv .venv
    .venv/bin/pip install -r requirements.txt     (Windows: .venv\\Scripts\\pip ...)
    .venv/bin/jupyter lab

then open `notebooks/` and run a chapter from the top. The first install downloads PyTorch's CPU
build (about 200 MB); after that nothing needs the network. Each chapter runs in seconds on a
laptop.
"""


def pinned(names: tuple[str, ...]) -> list[str]:
    """``name==version`` for each package: the book's pin, else the version installed with it."""
    from importlib.metadata import version

    pins = {"jupyterlab": "4.6.6"}  # the Makefile's pin for `make lab`
    for line in (ROOT / "requirements.txt").read_text(encoding="utf-8").splitlines():
        line = line.split("#", 1)[0].strip()
        if "==" in line:
            name, pin = line.split("==", 1)
            pins[name.strip().lower()] = pin.strip()
    return [f"{name}=={pins.get(name) or version(name)}" for name in names]


def bundle_members(root: Path = ROOT) -> dict[str, bytes]:
    """Name in the zip to content, for the book at ``root``."""
    import jupytext

    members: dict[str, bytes] = {}
    with tempfile.TemporaryDirectory() as tmp:
        source = Path(tmp) / "src"
        strip_book(root, source)
        for docname in notebook_docnames(source):
            chapter = source_path(docname, source)
            notebook = jupytext.read(chapter)
            for number, cell in enumerate(notebook.cells):
                cell.id = f"cell-{number}"  # nbformat would draw random ids
            members[f"{TOP}/notebooks/{chapter.stem}.ipynb"] = jupytext.writes(
                notebook, fmt="ipynb"
            ).encode()
    for path in sorted((root / "lossutils").rglob("*.py")):
        members[f"{TOP}/lossutils/{path.relative_to(root / 'lossutils').as_posix()}"] = (
            path.read_bytes()
        )
    requirements = [
        "# What the notebooks need. PyTorch's CPU index first: on Linux, PyPI's torch",
        "# is the CUDA build (several GB); 2.13.0+cpu from this index satisfies ==2.13.0.",
        "--extra-index-url https://download.pytorch.org/whl/cpu",
        *pinned(STUDENT_PACKAGES),
        "-e .",
    ]
    members[f"{TOP}/requirements.txt"] = ("\n".join(requirements) + "\n").encode()
    members[f"{TOP}/pyproject.toml"] = (root / "pyproject.toml").read_bytes()
    members[f"{TOP}/README.md"] = README.format(python="3.10").encode()
    return members


def write_bundle(out: Path = DEFAULT) -> Path:
    """Write the bundle to ``out`` (a .zip), unless it already holds exactly these bytes."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as zf:
        for name, content in bundle_members().items():
            zf.writestr(zipfile.ZipInfo(name, date_time=STAMP), content, zipfile.ZIP_DEFLATED)
    data = buffer.getvalue()
    if not (out.exists() and out.read_bytes() == data):
        out.parent.mkdir(parents=True, exist_ok=True)
        out.write_bytes(data)
    return out


def main(argv: list[str]) -> int:
    if len(argv) > 2:
        sys.exit(__doc__)
    path = write_bundle(Path(argv[1]) if len(argv) == 2 else DEFAULT)
    with zipfile.ZipFile(path) as zf:
        print(f"wrote {path}: {len(zf.namelist())} files")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
