"""The Chinese edition: message catalogs and the zh_CN build, from the English sources.

The English ``.md`` files are the only source. Their prose is translated through Sphinx's
gettext catalogs in ``locales/zh_CN/LC_MESSAGES/<docname>.po``; code cells are not
translated, and both editions read one jupyter-cache, so code runs once.

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

import subprocess
import sys
from pathlib import Path

from editions import ROOT, merged_config, sphinx_build

LOCALE_DIR = ROOT / "locales" / "zh_CN" / "LC_MESSAGES"


def gettext_dir(build: Path) -> Path:
    """Where ``extract`` writes the ``.pot`` templates."""
    return build / "zh" / "gettext"


def extract(build: Path) -> int:
    """Write one ``.pot`` template per page into ``build/zh/gettext``."""
    return sphinx_build(
        ROOT, gettext_dir(build), builder="gettext", cache=build / ".jupyter_cache",
        gettext_compact=False,
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
            # --previous keeps the old English beside a fuzzy match, for the translator
            command = ["update", "--previous", "--ignore-obsolete"]
        else:
            command = ["init"]
        subprocess.run(
            [str(pybabel), *command, "-i", str(pot), "-o", str(po), "-l", "zh_CN", "-w", "100"],
            check=True, stdout=subprocess.DEVNULL,
        )
    return 0


def html(build: Path) -> int:
    """Build the Chinese edition into ``build/zh/html``."""
    config = merged_config(ROOT, ROOT / "_config.zh.yml", build / "zh" / "_config.yml")
    return sphinx_build(ROOT, build / "zh" / "html", config=config, cache=build / ".jupyter_cache")


def status() -> int:
    """Print untranslated and fuzzy message counts; exit 1 if any catalog is incomplete."""
    from babel.messages.pofile import read_po

    incomplete = 0
    for po in sorted(LOCALE_DIR.rglob("*.po")):
        with po.open("rb") as f:
            catalog = read_po(f)
        messages = [m for m in catalog if m.id]
        missing = sum(1 for m in messages if not m.string)
        fuzzy = sum(1 for m in messages if m.fuzzy)
        incomplete += missing + fuzzy
        print(f"{po.relative_to(LOCALE_DIR)}: {len(messages)} messages, "
              f"{missing} untranslated, {fuzzy} fuzzy")
    return 1 if incomplete else 0


def main(argv: list[str]) -> int:
    commands = {"extract": extract, "update": update, "html": html}
    if len(argv) == 2 and argv[1] == "status":
        return status()
    if len(argv) != 3 or argv[1] not in commands:
        sys.exit(__doc__)
    return commands[argv[1]](Path(argv[2]).resolve())


if __name__ == "__main__":
    sys.exit(main(sys.argv))
