"""The student edition: the same book with every solution removed, not collapsed.

The stripping itself is tested on small texts; the built edition is searched, file by file
(pages, their ``_sources``, the downloadable notebooks, the search index), for any line of any
solution and for any value glued only inside a solution.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from bookutils import notebook_docnames, source_path

ROOT = Path(__file__).resolve().parent.parent
from tools import student  # noqa: E402

GATED = """Intro.

```{exercise}
:label: ex-a

Question?
```

````{solution-start} ex-a
:class: dropdown
````

The answer is 42.

```{code-cell} ipython3
glue("ch0_answer", 42, display=False)
```

````{solution-end}
````

After.
"""


def test_strip_removes_a_gated_solution_with_its_code_cells_and_keeps_the_exercise():
    text, removed = student.strip_solutions(GATED)
    assert removed == 1
    assert "Question?" in text and "After." in text
    assert "42" not in text and "solution" not in text


def test_strip_removes_a_plain_solution_directive():
    text, removed = student.strip_solutions(
        "A\n\n```{solution} ex-a\n:class: dropdown\n\nSecret.\n```\n\nB\n"
    )
    assert removed == 1 and "Secret" not in text and "A" in text and "B" in text


def test_strip_refuses_a_solution_that_is_never_closed():
    with pytest.raises(ValueError, match="no solution-end"):
        student.strip_solutions("````{solution-start} ex-a\n````\nleft open\n")


# -- the built student edition ---------------------------------------------------------------


@pytest.fixture(scope="session")
def student_html(book_build) -> Path:
    assert student.build_html(book_build) == 0, "the strict build of the student edition failed"
    return book_build / "student" / "html"


def solution_texts() -> dict[str, list[str]]:
    """For each chapter, the solutions of its source."""
    return {
        name: student.solutions(source_path(name).read_text(encoding="utf-8"))
        for name in notebook_docnames()
    }


def telltale_lines(docname: str) -> list[str]:
    """Lines of the chapter's solutions that appear nowhere else in its source.

    Plain lines only (no markup that the HTML would change), long enough to be unique.
    """
    source = source_path(docname).read_text(encoding="utf-8")
    outside, _ = student.strip_solutions(source)
    lines = []
    for block in student.solutions(source):
        for line in block.splitlines():
            line = line.strip()
            if len(line) >= 25 and not re.search(r"[`${}*\\<>&\"']", line) and line not in outside:
                lines.append(line)
    return lines


def solution_glue_keys(docname: str) -> set[str]:
    """Glue keys set inside the chapter's solutions and nowhere else."""
    source = source_path(docname).read_text(encoding="utf-8")
    outside, _ = student.strip_solutions(source)
    inside = set()
    for block in student.solutions(source):
        inside |= set(re.findall(r"glue\(\s*f?[\"']([A-Za-z0-9_{}]+)[\"']", block))
    return {key for key in inside if f'"{key}"' not in outside and f"'{key}'" not in outside}


def edition_files(root: Path) -> list[Path]:
    return [
        p
        for p in root.rglob("*")
        if p.suffix in {".html", ".txt", ".md", ".ipynb", ".js", ".json"}
        and p.is_file()
        and "_static" not in p.parts
    ]


@pytest.mark.parametrize("docname", notebook_docnames())
def test_student_edition_speaks_english_even_when_built_after_the_chinese_one(
    student_html, docname
):
    # the test session builds the Chinese edition first, in the same process (conftest);
    # only the language switch's label is Chinese, and a citation of the Chinese article the
    # book grew from (its title in the link's tooltip)
    html = (student_html / f"{docname}.html").read_text(encoding="utf-8")
    html = re.sub(r'<(span|div) class="(bibtex-citation|citation)".*?</\1>', " ", html, flags=re.S)
    assert set(re.findall(r"[\u4e00-\u9fff]+", html)) <= {"中文"}


def test_the_book_has_solutions_to_remove():
    assert sum(len(blocks) for blocks in solution_texts().values()) >= 20


@pytest.mark.parametrize("docname", notebook_docnames())
def test_no_line_of_a_solution_is_in_the_student_edition(student_html, docname):
    lines = telltale_lines(docname)
    assert lines, f"{docname}: no solution line to look for"
    leaks = []
    for path in edition_files(student_html) + edition_files(
        student_html.parent / "jupyter_execute"
    ):
        text = path.read_text(encoding="utf-8", errors="replace")
        leaks += [f"{path.name}: {line}" for line in lines if line in text]
    assert leaks == []


@pytest.mark.parametrize("docname", notebook_docnames())
def test_no_value_glued_only_in_a_solution_is_in_the_student_edition(student_html, docname):
    keys = {k for k in solution_glue_keys(docname) if "{" not in k}
    executed = student_html.parent / "jupyter_execute"
    stored = ""
    for path in executed.glob(f"{docname}*"):
        stored += path.read_text(encoding="utf-8")
    assert [key for key in keys if key in stored] == []


@pytest.mark.parametrize("docname", notebook_docnames())
def test_student_pages_keep_every_exercise(book_build, student_html, docname):
    def exercise_ids(root):
        return re.findall(
            r'id="(ex-ch[0-9]+-[a-z0-9-]+)"', (root / f"{docname}.html").read_text(encoding="utf-8")
        )

    assert exercise_ids(student_html) == exercise_ids(book_build / "html")


def test_student_notebooks_for_download_have_no_solution_cells(student_html):
    for path in (student_html / "_sources").rglob("*.ipynb"):
        cells = json.loads(path.read_text(encoding="utf-8"))["cells"]
        text = "".join("".join(c["source"]) for c in cells)
        assert "solution-start" not in text and "solution-end" not in text, path.name
