"""The student edition: the same book with every exercise's solution removed.

    python tools/student.py strip SRC DEST   # copy the book's sources to DEST, solutions cut out
    python tools/student.py html BUILD       # strip into BUILD/student/src, build BUILD/student/html

Stripping is standard library only. A solution is the gated block of sphinx-exercise,

    ````{solution-start} ex-ch3-howmany
    :class: dropdown
    ````
    ... prose and code cells ...
    ````{solution-end}
    ````

(or a plain ``{solution}`` directive); the whole block goes, code cells included, so that
neither the pages, nor their ``_sources``, nor the executed notebooks, nor the search index
of the student edition hold a solution or a number glued only inside one. The exercises
stay. ``sphinx-exercise``'s own ``hide_solutions`` is not used: it fails on the gated form
and would leave the solutions in the sources and notebooks.
"""

from __future__ import annotations

import re
import shutil
import sys
from pathlib import Path

if __package__ in (None, ""):  # run as a script (python tools/x.py): make `tools` importable
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

# what a book is built from; everything else in the repository stays behind
BOOK_FILES = ("_config.yml", "_toc.yml")
BOOK_DIRS = ("chapters", "lossutils")

FENCE = re.compile(r"^(?P<fence>`{3,}|:{3,})\{(?P<name>[a-z-]+)\}")


def solution_spans(lines: list[str]) -> list[tuple[int, int]]:
    """(first, last) line numbers (0-based, inclusive) of each solution block in ``lines``."""
    spans = []
    i = 0
    while i < len(lines):
        match = FENCE.match(lines[i])
        name = match["name"] if match else None
        if name == "solution-start":
            end = _find(lines, i, lambda m: m and m["name"] == "solution-end")
            end = _closing_fence(lines, end, FENCE.match(lines[end])["fence"])
        elif name == "solution":
            end = _closing_fence(lines, i, match["fence"])
        else:
            i += 1
            continue
        spans.append((i, end))
        i = end + 1
    return spans


def solutions(text: str) -> list[str]:
    """The text of each solution block in a page's source."""
    lines = text.splitlines(keepends=True)
    return ["".join(lines[first : last + 1]) for first, last in solution_spans(lines)]


def strip_solutions(text: str) -> tuple[str, int]:
    """``text`` without its solution blocks, and how many were removed."""
    lines = text.splitlines(keepends=True)
    spans = solution_spans(lines)
    drop = set()
    for first, last in spans:
        drop.update(range(first, last + 1))
        # and the blank line the block leaves behind
        if (
            first > 0
            and not lines[first - 1].strip()
            and last + 1 < len(lines)
            and not lines[last + 1].strip()
        ):
            drop.add(last + 1)
    return "".join(line for k, line in enumerate(lines) if k not in drop), len(spans)


def _find(lines: list[str], start: int, test) -> int:
    for j in range(start + 1, len(lines)):
        if test(FENCE.match(lines[j])):
            return j
    raise ValueError(f"line {start + 1}: a solution-start with no solution-end after it")


def _closing_fence(lines: list[str], start: int, fence: str) -> int:
    for j in range(start + 1, len(lines)):
        if lines[j].rstrip() == fence:
            return j
    raise ValueError(f"line {start + 1}: the directive opened here is never closed ({fence})")


def strip_book(src: Path, dest: Path) -> dict[str, int]:
    """Copy the book's sources from ``src`` to ``dest``; cut the solutions out of each page."""
    if dest.exists():
        shutil.rmtree(dest)
    dest.mkdir(parents=True)
    for name in BOOK_FILES:
        shutil.copy2(src / name, dest / name)
    ignore = shutil.ignore_patterns("__pycache__", ".ipynb_checkpoints", "*.pyc")
    for name in BOOK_DIRS:
        shutil.copytree(src / name, dest / name, ignore=ignore)
    counts = {}
    for page in sorted((dest / "chapters").glob("*.md")):
        text, removed = strip_solutions(page.read_text(encoding="utf-8"))
        if removed:
            page.write_text(text, encoding="utf-8")
            counts[page.name] = removed
    return counts


def build_html(build: Path) -> int:
    """Strip the sources into ``build/student/src`` and build them into ``build/student/html``.

    The student edition has its own jupyter-cache (its notebooks have fewer cells).
    """
    from tools.editions import ROOT, sphinx_build

    source = build / "student" / "src"
    counts = strip_book(ROOT, source)
    print(f"removed {sum(counts.values())} solutions from {len(counts)} pages")
    return sphinx_build(source, build / "student" / "html")


def pdf(build: Path) -> Path:
    """Strip the sources into ``build/student/src`` and typeset them into ``build/student/latex``."""
    from tools.editions import ROOT
    from tools.editions import pdf as typeset

    source = build / "student" / "src"
    strip_book(ROOT, source)
    return typeset(source, build / "student" / "latex")


def main(argv: list[str]) -> int:
    if len(argv) == 4 and argv[1] == "strip":
        counts = strip_book(Path(argv[2]), Path(argv[3]))
        print(f"removed {sum(counts.values())} solutions from {len(counts)} pages into {argv[3]}")
        return 0
    if len(argv) == 3 and argv[1] == "html":
        return build_html(Path(argv[2]).resolve())
    sys.exit(__doc__)


if __name__ == "__main__":
    sys.exit(main(sys.argv))
