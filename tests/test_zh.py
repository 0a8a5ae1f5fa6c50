"""The Chinese edition: complete catalogs, and pages that say what the English pages say.

The catalogs are checked without a build; the pages of the Chinese build are compared with the
English ones: same code, same glued numbers, and no English paragraph left untranslated.
"""

from __future__ import annotations

import html as html_lib
import json
import re
from collections import Counter
from pathlib import Path

import pytest

from bookutils import source_path, toc_docnames

ROOT = Path(__file__).resolve().parent.parent
from tools import zh  # noqa: E402

CATALOGS = zh.catalogs()
CATALOG_IDS = [po.relative_to(zh.LOCALE_DIR).with_suffix("").as_posix() for po, _ in CATALOGS]
DOCNAMES = toc_docnames()
# Chinese characters, and Chinese punctuation: a translated parameter description may be
# only a name and a full stop ("logit。"), which still marks it as translated
CJK = re.compile(r"[\u4e00-\u9fff\u3000-\u303f\uff00-\uffef]")


# -- the catalogs (no build needed) ------------------------------------------------------------


def test_every_page_of_the_toc_has_a_catalog():
    assert set(DOCNAMES) <= set(CATALOG_IDS)


@pytest.mark.parametrize("po, messages", CATALOGS, ids=CATALOG_IDS)
def test_catalog_has_no_untranslated_message(po, messages):
    missing = [m.id[:80] for m in messages if not m.string]
    assert missing == [], f"{len(missing)} untranslated in {po.name}"


@pytest.mark.parametrize("po, messages", CATALOGS, ids=CATALOG_IDS)
def test_catalog_has_no_fuzzy_message(po, messages):
    fuzzy = [m.id[:80] for m in messages if m.fuzzy]
    assert fuzzy == [], f"{len(fuzzy)} fuzzy (the English changed) in {po.name}"


@pytest.mark.parametrize("po, messages", CATALOGS, ids=CATALOG_IDS)
def test_translations_keep_every_role_formula_and_code_span(po, messages):
    # a fuzzy message's translation is of the old English, and is reported above
    damaged = {
        m.id[:60]: zh.message_problems(m.id, m.string) for m in messages if m.string and not m.fuzzy
    }
    assert {k: v for k, v in damaged.items() if v} == {}


def test_a_docstring_role_may_be_translated_in_myst_form():
    # the API page's docstrings are reStructuredText; their translations are parsed as MyST
    english = "Computed with :func:`log_softmax` and :math:`p_{n}`."
    assert zh.message_problems(english, "用 {func}`log_softmax` 和 {math}`p_{n}` 计算。") == []
    assert zh.message_problems(english, "用 log_softmax 计算。") != []


def test_message_problems_catch_a_lost_glue_role_and_a_changed_formula():
    english = "The loss is {glue:text}`ch3_x:.4f` nats, $-\\log p$, from `lu.log_loss`."
    assert (
        zh.message_problems(
            english, "损失为 {glue:text}`ch3_x:.4f` 奈特，$-\\log p$，来自 `lu.log_loss`。"
        )
        == []
    )
    problems = zh.message_problems(english, "损失为 0.6931 奈特，$\\log p$，来自 `lu.log_loss`。")
    assert "missing {glue:text}`ch3_x:.4f`" in problems
    assert "missing $-\\log p$" in problems and "not in the English: $\\log p$" in problems


# -- the built edition ----------------------------------------------------------------------------


def figure_alt_texts(docname: str) -> list[str]:
    """The alt texts of a chapter's figures, from its code cells' ``mystnb.image.alt``."""
    import jupytext

    notebook = jupytext.read(source_path(docname))
    return [
        cell.metadata["mystnb"]["image"]["alt"]
        for cell in notebook.cells
        if "alt" in cell.metadata.get("mystnb", {}).get("image", {})
    ]


@pytest.mark.parametrize("docname", DOCNAMES)
def test_every_figure_alt_text_is_a_message_of_its_page(docname):
    # zh.extract ranks images above text for the gettext builder, so their alt texts are
    # extracted (myst-nb would give it the figure's text/plain output instead)
    po = zh.LOCALE_DIR / f"{docname}.po"
    ids = {m.id for path, messages in CATALOGS if path == po for m in messages}
    for alt in figure_alt_texts(docname):
        assert alt in ids, f"alt text not in {po.name}: {alt[:60]!r}"


@pytest.fixture(scope="session")
def zh_html(book_build) -> Path:
    """The Chinese edition, built with the English one (conftest) from the same cache."""
    return book_build / "zh" / "html"


def page(root: Path, docname: str) -> str:
    return (root / f"{docname}.html").read_text(encoding="utf-8")


def main_content(html: str) -> str:
    start = html.index("<main")
    return html[start : html.index("</main>", start)]


def code_cells(html: str) -> list[str]:
    blocks = re.findall(
        r'<div class="highlight-ipython3 notranslate"><div class="highlight"><pre>(.*?)</pre>',
        html,
        flags=re.S,
    )
    return [html_lib.unescape(re.sub(r"<[^>]+>", "", block)) for block in blocks]


def glued_numbers(html: str) -> Counter:
    return Counter(re.findall(r'<span class="pasted-text">([^<]*)</span>', html))


def english_paragraphs(html: str) -> list[str]:
    """Paragraphs of the main text with no Chinese and five or more English words.

    Code, maths, glued numbers, citations, references and an API entry's parameter types are
    removed first: they are not translated. The bibliography's entries are names and titles, and are left out.
    """
    body = main_content(html)
    body = re.sub(r'<div class="citation"[^>]*>.*?</div>', " ", body, flags=re.S)
    found = []
    for paragraph in re.findall(r"<p>(.*?)</p>", body, flags=re.S):
        # an API entry's parameter name and type, "**x** (*array_like of float*)", stay as written
        text = re.sub(r"^<strong>[^<]*</strong> \(<em>.*?</em>\)", " ", paragraph, flags=re.S)
        text = re.sub(r"<code[^>]*>.*?</code>", " ", text, flags=re.S)
        text = re.sub(
            r'<span class="(math[^"]*|pasted-text)"[^>]*>.*?</span>', " ", text, flags=re.S
        )
        text = re.sub(r"\\\(.*?\\\)", " ", text, flags=re.S)
        text = html_lib.unescape(re.sub(r"<[^>]+>", " ", text))
        if not CJK.search(text) and len(re.findall(r"[A-Za-z]{2,}", text)) >= 5:
            found.append(" ".join(text.split())[:120])
    return found


@pytest.mark.parametrize("docname", DOCNAMES)
def test_chinese_page_is_marked_as_chinese(zh_html, docname):
    assert '<html lang="zh-CN"' in page(zh_html, docname)


@pytest.mark.parametrize("docname", DOCNAMES)
def test_chinese_page_has_the_same_code_cells(book_build, zh_html, docname):
    assert code_cells(page(zh_html, docname)) == code_cells(page(book_build / "html", docname))


@pytest.mark.parametrize("docname", DOCNAMES)
def test_chinese_page_shows_the_same_glued_numbers(book_build, zh_html, docname):
    assert glued_numbers(page(zh_html, docname)) == glued_numbers(
        page(book_build / "html", docname)
    )


@pytest.mark.parametrize("docname", DOCNAMES)
def test_chinese_page_has_no_english_paragraph(zh_html, docname):
    assert english_paragraphs(page(zh_html, docname)) == []


@pytest.mark.parametrize("docname", DOCNAMES)
def test_chinese_figures_are_described_in_chinese(zh_html, docname):
    alts = re.findall(r'<img[^>]*\salt="([^"]*)"', main_content(page(zh_html, docname)))
    assert len(alts) >= len(figure_alt_texts(docname))
    for alt in alts:
        assert CJK.search(html_lib.unescape(alt)), f"English alt text: {alt[:60]!r}"


@pytest.mark.parametrize("docname", DOCNAMES)
def test_each_edition_links_to_the_same_page_in_the_other(book_build, zh_html, docname):
    english, chinese = book_build / "html" / f"{docname}.html", zh_html / f"{docname}.html"
    for source, target in ((english, chinese), (chinese, english)):
        href = re.search(
            r'<p class="lossbook-language"><a href="([^"]+)"', source.read_text(encoding="utf-8")
        )
        assert href, f"no language link on {source}"
        assert (source.parent / href.group(1)).resolve() == target.resolve()


def test_chinese_search_index_knows_the_glossary_terms(zh_html):
    index = (zh_html / "searchindex.js").read_text(encoding="utf-8")
    for term in ("交叉熵", "负对数似然", "对数损失", "标签平滑"):
        # the index writes non-ASCII as \\uXXXX escapes, as json.dumps does
        assert json.dumps(term) in index or f'"{term}"' in index, term
