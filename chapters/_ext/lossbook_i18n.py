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
"""

from __future__ import annotations

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


def setup(app: Sphinx) -> dict:
    NbGlueDomain.roles = {**NbGlueDomain.roles, "text": TranslatablePasteTextRole()}
    app.connect("html-page-context", language_switch)
    return {"version": "1.0", "parallel_read_safe": True, "parallel_write_safe": True}
