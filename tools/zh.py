"""The Chinese edition: message catalogs and the zh_CN build, from the English sources.

The English ``.md`` files are the only source. Their prose is translated through Sphinx's
gettext catalogs in ``locales/zh_CN/LC_MESSAGES/<docname>.po`` (figures' alt texts too);
code cells are not translated, and both editions read one jupyter-cache, so code runs once.

    python tools/zh.py extract BUILD   # .pot templates of every page into BUILD/zh/gettext
    python tools/zh.py update BUILD    # merge them into the .po catalogs (new ones created)
    python tools/zh.py html BUILD      # the Chinese book into BUILD/zh/html
    python tools/zh.py status          # untranslated and fuzzy messages per catalog

``BUILD`` is the English build's folder (``_build`` for ``make book``): the Chinese build
uses its ``.jupyter_cache`` and sits beside its ``html``, so the language switch on each page
(a relative link) finds the other edition. ``_config.zh.yml`` holds only what the Chinese
edition changes in ``_config.yml``.
"""

from __future__ import annotations

import re
import subprocess
import sys
from collections import Counter
from pathlib import Path

if __package__ in (None, ""):  # run as a script (python tools/x.py): make `tools` importable
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from tools import editions  # noqa: E402
from tools.editions import ROOT, merged_config, sphinx_build  # noqa: E402

LOCALE_DIR = ROOT / "locales" / "zh_CN" / "LC_MESSAGES"


FIGURE_MIME_TYPES = ("image/png", "image/jpeg", "image/svg+xml", "image/gif")


def gettext_dir(build: Path) -> Path:
    """Where ``extract`` writes the ``.pot`` templates."""
    return build / "zh" / "gettext"


def extract(build: Path) -> int:
    """Write one ``.pot`` template per page into ``build/zh/gettext``."""
    return sphinx_build(
        ROOT,
        gettext_dir(build),
        builder="gettext",
        cache=build / ".jupyter_cache",
        # no source line numbers in the catalogs: an edit elsewhere on a page leaves them alone
        gettext_compact=False,
        gettext_location=False,
        # a figure's alt text is a message too, but myst-nb gives the gettext builder a
        # cell's text/plain output ("<Figure size ...>") in place of its image: rank the
        # images first, so that the catalogs get their alt texts
        nb_mime_priority_overrides=[("gettext", mime, 1) for mime in FIGURE_MIME_TYPES],
    )


def update(build: Path) -> int:
    """Create or update ``locales/zh_CN/LC_MESSAGES/<docname>.po`` from the templates."""
    templates = sorted(gettext_dir(build).rglob("*.pot"))
    if not templates:
        sys.exit(f"no .pot templates under {gettext_dir(build)}; run `extract` first")
    pybabel = Path(sys.executable).with_name("pybabel")
    for pot in templates:
        name = pot.relative_to(gettext_dir(build)).with_suffix(".po")
        po = LOCALE_DIR / name
        po.parent.mkdir(parents=True, exist_ok=True)
        if po.exists():
            # --previous keeps the old English beside a fuzzy match, for the translator; an
            # unchanged catalog stays byte for byte the same (no new POT-Creation-Date)
            command = ["update", "--previous", "--ignore-obsolete", "--ignore-pot-creation-date"]
        else:
            command = ["init"]
        subprocess.run(
            [str(pybabel), *command, "-i", str(pot), "-o", str(po), "-l", "zh_CN", "-w", "100"],
            check=True,
            stdout=subprocess.DEVNULL,
        )
    return 0


def translated_toc(build: Path) -> Path:
    """``_toc.yml`` with its part captions translated, written to ``build/zh/_toc.yml``.

    The sidebar's part captions come from ``_toc.yml``, which Sphinx does not translate
    (sphinx-external-toc adds them after the translation step), so they are translated here
    from the root page's catalog, where ``extract`` puts them.
    """
    import yaml
    from babel.messages.pofile import read_po

    toc = yaml.safe_load((ROOT / "_toc.yml").read_text(encoding="utf-8"))
    root_catalog = LOCALE_DIR / f"{toc['root']}.po"
    strings = {}
    if root_catalog.exists():
        with root_catalog.open("rb") as f:
            strings = {m.id: m.string for m in read_po(f) if m.id and m.string and not m.fuzzy}
    for part in toc.get("parts", []):
        part["caption"] = strings.get(part["caption"], part["caption"])
    path = build / "zh" / "_toc.yml"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(yaml.safe_dump(toc, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return path


def settings(build: Path) -> dict:
    """How the Chinese edition is built beside the English build ``build`` (HTML and PDF).

    Its configuration (``_config.yml`` updated with ``_config.zh.yml``), the English build's
    execution cache, and the table of contents with translated part captions.
    """
    return {
        "config": merged_config(ROOT, ROOT / "_config.zh.yml", build / "zh" / "_config.yml"),
        "cache": build / ".jupyter_cache",
        "external_toc_path": str(translated_toc(build)),
    }


def html(build: Path) -> int:
    """Build the Chinese edition into ``build/zh/html``."""
    return sphinx_build(ROOT, build / "zh" / "html", **settings(build))


def pdf(build: Path) -> Path:
    """Typeset the Chinese edition into ``build/zh/latex``; the PDF's path."""
    return editions.pdf(ROOT, build / "zh" / "latex", **settings(build))


# What a translation must carry over unchanged: roles (glued numbers, references, citations),
# maths and inline code. A {term} may show Chinese text, so only its count is compared; a
# {doc}, {ref} or {numref} may have its link text translated ({doc}`第 3 章 <03-log-loss>`),
# so only its target is.
ROLE = re.compile(r"\{(?P<name>[a-z:-]+)\}`(?P<text>[^`]*)`")
TARGET = re.compile(r"<([^<>]+)>\s*$")
LINK_ROLES = ("doc", "ref", "numref")
MATH = re.compile(r"\$\$.+?\$\$|\$[^$]+\$", re.S)
CODE = re.compile(r"(?<![}`])`(?P<code>[^`]+)`(?!`)")


RST_ROLE = re.compile(r"(?<![\w`]):(?P<name>[a-z]+(?::[a-z]+)?):`")


def spans(text: str) -> Counter:
    """The parts of a message that its translation must keep, as a multiset.

    A docstring's message (the API page) is written in reStructuredText, but Sphinx parses
    its translation with the page's MyST parser, so ``:func:`x``` is translated as
    ``{func}`x```: the two count as the same span.
    """
    text = RST_ROLE.sub(lambda m: "{" + m["name"] + "}`", text)
    found: Counter = Counter()
    for match in ROLE.finditer(text):
        name, inner = match["name"], match["text"]
        if name == "term":
            found["{term}"] += 1
        elif name in LINK_ROLES:
            target = TARGET.search(inner)
            found[f"{{{name}}}`{target.group(1) if target else inner}`"] += 1
        else:
            found[match.group(0)] += 1
    rest = ROLE.sub(" ", text)
    found.update(match.group(0) for match in MATH.finditer(rest))
    found.update(f"`{match['code']}`" for match in CODE.finditer(MATH.sub(" ", rest)))
    return found


def message_problems(msgid: str, msgstr: str) -> list[str]:
    """What a translation lost or added of the roles, maths and code of its message."""
    want, got = spans(msgid), spans(msgstr)
    lost = sorted((want - got).elements())
    added = sorted((got - want).elements())
    return [f"missing {item}" for item in lost] + [f"not in the English: {item}" for item in added]


def catalogs() -> list[tuple[Path, list]]:
    """Each catalog and its messages (the header left out)."""
    from babel.messages.pofile import read_po

    found = []
    for po in sorted(LOCALE_DIR.rglob("*.po")):
        with po.open("rb") as f:
            found.append((po, [m for m in read_po(f) if m.id]))
    return found


def status() -> int:
    """Print each catalog's untranslated, fuzzy and damaged messages; 1 if any."""
    bad = 0
    for po, messages in catalogs():
        missing = [m for m in messages if not m.string]
        fuzzy = [m for m in messages if m.fuzzy]
        damaged = [
            (m, message_problems(m.id, m.string)) for m in messages if m.string and not m.fuzzy
        ]
        damaged = [(m, p) for m, p in damaged if p]
        bad += len(missing) + len(fuzzy) + len(damaged)
        print(
            f"{po.relative_to(LOCALE_DIR)}: {len(messages)} messages, {len(missing)} "
            f"untranslated, {len(fuzzy)} fuzzy, {len(damaged)} with roles or maths changed"
        )
        for message, problems in damaged:
            print(f"    {message.id[:70]!r}: {'; '.join(problems)}")
    return 1 if bad else 0


def main(argv: list[str]) -> int:
    commands = {"extract": extract, "update": update, "html": html}
    if len(argv) == 2 and argv[1] == "status":
        return status()
    if len(argv) != 3 or argv[1] not in commands:
        sys.exit(__doc__)
    return commands[argv[1]](Path(argv[2]).resolve())


if __name__ == "__main__":
    sys.exit(main(sys.argv))
