"""The PDF editions (English, Chinese, student): typeset, complete, no raw TeX left.

They need TeX (xelatex, latexmk, xindy) and poppler's pdftotext: without them these tests skip
on a laptop, and fail under ``CI=true``, where ``.ci/run`` installs them.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest

from bookutils import notebook_docnames, source_path
from tools import editions, student, zh

ROOT = Path(__file__).resolve().parent.parent

MISSING = editions.missing_tex() + [name for name in ("pdftotext",) if shutil.which(name) is None]
if MISSING:
    if os.environ.get("CI"):
        pytest.fail(f"CI must install TeX and poppler-utils; missing {MISSING}", pytrace=False)
    pytest.skip(f"no TeX here ({', '.join(MISSING)} missing)", allow_module_level=True)


def pdf_text(pdf: Path) -> str:
    return subprocess.run(
        ["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True, check=True
    ).stdout


def page_count(pdf: Path) -> int:
    info = subprocess.run(["pdfinfo", str(pdf)], capture_output=True, text=True, check=True).stdout
    return int(re.search(r"^Pages:\s+(\d+)", info, flags=re.M).group(1))


def chapter_titles() -> list[str]:
    return [
        re.search(r"^# (.+)$", source_path(name).read_text(encoding="utf-8"), flags=re.M).group(1)
        for name in notebook_docnames()
    ]


@pytest.fixture(scope="session")
def pdf(book_build) -> Path:
    return editions.pdf(ROOT, book_build / "latex", cache=book_build / ".jupyter_cache")


@pytest.fixture(scope="session")
def pdf_zh(book_build) -> Path:
    return zh.pdf(book_build)


@pytest.fixture(scope="session")
def pdf_student(book_build) -> Path:
    return student.pdf(book_build)


def test_pdf_has_the_whole_book(pdf):
    assert page_count(pdf) >= 100


def test_pdf_speaks_english_even_when_typeset_after_the_chinese_edition(pdf):
    # the test session builds the Chinese HTML first, in the same process; a code block
    # split across pages is labelled in English
    text = pdf_text(pdf)
    assert "(continued from previous page)" in text
    assert "接上页" not in text and "续下页" not in text


def test_pdf_has_every_chapter_title(pdf):
    text = " ".join(pdf_text(pdf).split())
    missing = [
        title
        for title in chapter_titles()
        if " ".join(re.sub(r"[`*]", "", title).split()) not in text
    ]
    assert missing == []


def test_pdf_has_no_raw_tex_left(pdf):
    text = pdf_text(pdf)
    assert "\\frac" not in text and "$$" not in text and "\\begin{" not in text


def test_pdf_prints_equation_references_once(pdf):
    assert re.findall(r"\(\(\d+\.\d+\)\)", pdf_text(pdf)) == []


def test_chinese_pdf_is_typeset_in_chinese(pdf_zh):
    text = pdf_text(pdf_zh)
    assert page_count(pdf_zh) >= 100
    assert len(re.findall(r"[\u4e00-\u9fff]", text)) > 10000
    assert "交叉熵" in text and "负对数似然" in text
    # the part titles come from the translated table of contents, not the English one
    assert "PyTorch's losses" not in text and "PyTorch 的损失函数" in text


def test_chinese_pdf_names_its_chapters_parts_and_contents_in_chinese(pdf_zh):
    text = " ".join(pdf_text(pdf_zh).split())
    # LaTeX's own words: the chapter heading and the footers, the part pages, the contents,
    # the bibliography (babel has no Chinese, so the preamble of _config.zh.yml sets them)
    for english in ("Chapter 1", "Part I", "Contents", "Bibliography", "The lossutils authors"):
        assert english not in text
    for chinese in ("第 1 章", "第 I 部分", "目录", "参考文献", "lossutils 作者"):
        assert chinese in text


def test_student_pdf_has_the_exercises_but_no_solution(pdf_student):
    text = " ".join(pdf_text(pdf_student).split())
    for name in notebook_docnames():
        source = source_path(name).read_text(encoding="utf-8")
        outside, _ = student.strip_solutions(source)
        for block in student.solutions(source):
            for line in block.splitlines():
                line = line.strip()
                if (
                    len(line) >= 25
                    and not re.search(r"[`${}*\\<>&\"'_]", line)
                    and line not in outside
                ):
                    assert line not in text, f"{name}: solution line in the student PDF: {line}"
