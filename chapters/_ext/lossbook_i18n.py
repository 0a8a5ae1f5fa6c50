"""Two editions from one source: the English book and its Chinese translation.

Loaded beside ``lossbook`` (``_config.yml``: ``sphinx: local_extensions``). The Chinese
edition is the same sources built with ``language: zh_CN``; Sphinx replaces each paragraph
by its translation from ``locales/zh_CN/LC_MESSAGES/<docname>.po`` (see ``tools/zh.py``).
Two things do not work out of the box, and this module supplies them:

1. **Glued numbers inside a translated paragraph.** Sphinx parses a translation as a new
   small document, which has no notebook attached, so myst-nb's ``{glue:text}`` role finds
   no value there. Here the role, when it meets such a document, leaves a pending reference
   to the page's own glue data, which myst-nb's post-transform fills in from
   ``jupyter_execute/<docname>.glue.json`` (written when the page was read). Written
   against myst-nb 1.4.0 (``NbGlueDomain.roles``, ``PendingGlueReference``);
   ``tests/test_extension_bets.py`` fails if an upgrade removes either.
2. **A language switch.** Every page gets a link to the same page in the other edition. The
   English edition lives in ``<build>/html`` and the Chinese one in ``<build>/zh/html``, so the
   link is relative and works from disk.
3. **Chinese search.** Sphinx indexes Chinese text only through ``jieba``'s word segmentation,
   whose dictionary does not know the book's terms (交叉熵 comes out as 交叉 + 熵, so a search
   for 交叉熵 would find nothing). The Chinese terms of the glossary page are given to jieba as
   a user dictionary (``html_search_options["dict"]``), so each is indexed as one word too.
"""

from __future__ import annotations

import re
from pathlib import Path

from docutils import nodes
from myst_nb.ext.glue.domain import NbGlueDomain
from myst_nb.ext.glue.roles import PasteTextRole
from myst_nb.ext.glue.utils import PendingGlueReference
from sphinx.application import Sphinx

# Where the other edition's html root is, seen from this edition's html root.
OTHER_EDITION = {"en": ("../zh/html/", "zh-CN", "中文"), "zh_CN": ("../../html/", "en", "English")}


class TranslatablePasteTextRole(PasteTextRole):
    """``{glue:text}`` that also works in a translated paragraph (see the module docstring)."""

    def run(self) -> tuple[list[nodes.Node], list[nodes.system_message]]:
        env = getattr(self.document.settings, "env", None)
        if "nb_renderer" in self.document or "::" in self.text or env is None:
            return super().run()
        key, _, fmt_spec = self.text.partition(":")
        ref = PendingGlueReference(
            refdoc=env.docname, key=key, inline=True, gtype="text", fmt_spec=fmt_spec or "s"
        )
        ref.source, ref.line = self.source, self.line
        return [ref], []


def language_switch(app: Sphinx, pagename: str, templatename: str, context: dict, doctree) -> None:
    """Put a link to this page in the other edition at the top of the page body."""
    if doctree is None or "body" not in context:
        return
    other_root, lang, label = OTHER_EDITION.get(app.config.language, OTHER_EDITION["en"])
    to_root = "../" * pagename.count("/")
    href = f"{to_root}{other_root}{pagename}.html"
    link = (
        f'<p class="lossbook-language"><a href="{href}" hreflang="{lang}" lang="{lang}">'
        f"{label}</a></p>\n"
    )
    context["body"] = link + context["body"]


def glossary_terms(glossary: Path) -> list[str]:
    """The Chinese terms of the glossary page: its term lines that hold a CJK character."""
    text = glossary.read_text(encoding="utf-8")
    block = text.split("```{glossary}", 1)[1].split("```", 1)[0]
    return [
        line.strip()
        for line in block.splitlines()
        if line and not line.startswith(" ") and re.search(r"[\u4e00-\u9fff]", line)
    ]


def chinese_search_dictionary(app: Sphinx, config) -> None:
    """Give jieba the glossary's Chinese terms (the zh_CN edition only)."""
    if not (config.language or "").startswith("zh"):
        return
    terms = glossary_terms(Path(app.srcdir) / "chapters" / "glossary.md")
    path = Path(app.outdir).parent / "search-terms.zh.txt"
    path.parent.mkdir(parents=True, exist_ok=True)
    # jieba's format: word, then a frequency high enough to keep the word whole
    path.write_text(
        "".join(f"{term.replace(' ', '')} 100000\n" for term in terms), encoding="utf-8"
    )
    config.html_search_options = {**(config.html_search_options or {}), "dict": str(path)}


def setup(app: Sphinx) -> dict:
    NbGlueDomain.roles = {**NbGlueDomain.roles, "text": TranslatablePasteTextRole()}
    app.connect("config-inited", chinese_search_dictionary)
    app.connect("html-page-context", language_switch)
    return {"version": "1.0", "parallel_read_safe": True, "parallel_write_safe": True}
