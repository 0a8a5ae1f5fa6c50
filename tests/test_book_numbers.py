"""Numbers in a chapter's prose: glued, or an input the reader finds in the chapter's code.

A number the code computes is glued (``{glue:text}``), so it cannot drift from the code. A
number the reader is *given*, an input of an example (a factor of 0.9, a batch of 99
samples), may be typed in the prose, but then it must be a literal of the chapter's code: if
the code changes, this test points at the sentence that still says the old value. Small
integers (0 to 10) and one half are left alone: counts, class indices and steps of an
argument. No build needed.
"""

from __future__ import annotations

import re

import jupytext
import pytest

from bookutils import notebook_docnames, source_path

SMALL = {float(n) for n in range(11)} | {0.5}
NUMBER = re.compile(r"(?<![\w.^_\\/-])[-−]?\d+(?:[.,]\d+)*(?:e[-−]?\d+)?%?(?!\w)")
CODE_NUMBER = re.compile(r"(?<![\w.])\d[\d_]*(?:\.\d+)?(?:e-?\d+)?")
NOT_PROSE = [
    # literal code blocks (a directive's body, such as a dropdown's or an exercise's, is prose)
    (r"^(`{3,})(?!\{)[^\n]*\n.*?^\1\s*$", re.S | re.M),
    (r"^(`{3,})\{(?:code-block|code)\}[^\n]*\n.*?^\1\s*$", re.S | re.M),
    (r"^(?:`{3,}|:{3,})(?:\{[^}]*\}.*)?$", re.M),  # directive fences and their arguments
    (r"^\s*:[a-z-]+:.*$", re.M),  # directive options (:width: 90%)
    (r"^\(.*\)=\s*$", re.M),  # labels
    (r"\$\$.*?\$\$", re.S),  # maths
    (r"\$[^$\n]*\$", 0),
    (r"\{[a-z:-]+\}`[^`]*`", 0),  # roles: glued numbers, references, citations
    (r"`[^`]*`", 0),  # inline code
    (r"\]\([^)]*\)", 0),  # link targets
    (r"<[^>]+>", 0),
    (r"\b[Cc]hapters? \d+(?: (?:and|to) \d+)?", 0),  # chapter references
    (r"\b[A-Za-z]+\d+\w*", 0),  # names with digits: float32, log2, e4m3fn
    (r"\b\d+-bit\b", 0),  # the 16-bit formats
]


def typed_numbers(markdown: str) -> list[str]:
    """The numbers typed in a markdown cell's prose."""
    for pattern, flags in NOT_PROSE:
        markdown = re.sub(pattern, " ", markdown, flags=flags)
    return NUMBER.findall(markdown)


def value(number: str) -> float:
    text = number.replace("−", "-").replace(",", "").lstrip("-")
    return float(text[:-1]) / 100 if text.endswith("%") else float(text)


def untraced_numbers(docname: str) -> list[str]:
    """Numbers typed in a chapter's prose that are neither small nor a literal of its code."""
    cells = jupytext.read(source_path(docname)).cells
    code = "\n".join(cell.source for cell in cells if cell.cell_type == "code")
    literals = {float(n.replace("_", "")) for n in CODE_NUMBER.findall(code)}
    return [
        number
        for cell in cells
        if cell.cell_type == "markdown"
        for number in typed_numbers(cell.source)
        if value(number) not in SMALL | literals
    ]


def test_typed_numbers_are_found_in_prose_only():
    markdown = (
        "A factor of 0.9 and {glue:text}`ch1_x:.3f`, $e^{-100}$ and `lu.f(12)`, chapter 7, "
        "float32, 99 samples and 37%.\n\n```{figure} a.png\n:width: 80%\n```\n"
    )
    assert typed_numbers(markdown) == ["0.9", "99", "37%"]


def test_a_typed_number_missing_from_the_code_is_reported(tmp_path, monkeypatch):
    chapter = tmp_path / "ch.md"
    chapter.write_text(
        "---\njupytext:\n  text_representation:\n    extension: .md\n    format_name: myst\n"
        "kernelspec:\n  display_name: Python 3\n  language: python\n  name: python3\n---\n\n"
        "A factor of 0.9, 40% of 250 samples.\n\n"
        "```{code-cell} ipython3\nfactor, share = 0.9, 0.4\n```\n",
        encoding="utf-8",
    )
    monkeypatch.setattr(__import__(__name__), "source_path", lambda docname: chapter)
    assert untraced_numbers("ch") == ["250"]


@pytest.mark.parametrize("docname", notebook_docnames())
def test_every_number_typed_in_a_chapter_is_in_its_code(docname):
    assert untraced_numbers(docname) == []
