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

import yaml

ROOT = Path(__file__).resolve().parent.parent
LOCALE_DIR = ROOT / "locales" / "zh_CN" / "LC_MESSAGES"
def GETTEXT(build: Path) -> Path:  # noqa: N802 - reads as a constant path
    return build / "zh" / "gettext"


STRICT = {"warningiserror": True, "nitpick": True, "keep_going": True}


def merged_config(build: Path) -> Path:
    """``_config.yml`` updated with ``_config.zh.yml``, written under ``build/zh``."""
    base = yaml.safe_load((ROOT / "_config.yml").read_text(encoding="utf-8"))
    overlay = yaml.safe_load((ROOT / "_config.zh.yml").read_text(encoding="utf-8"))

    def update(into: dict, new: dict) -> None:
        for key, value in new.items():
            if isinstance(value, dict) and isinstance(into.get(key), dict):
                update(into[key], value)
            else:
                into[key] = value

    update(base, overlay)
    # local extensions are found relative to the config file, which now lives elsewhere
    local = base.get("sphinx", {}).get("local_extensions", {})
    for name, path in local.items():
        local[name] = str((ROOT / path).resolve())
    path = build / "zh" / "_config.yml"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(yaml.safe_dump(base, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return path


def sphinx_build(config: Path | None, outdir: Path, builder: str, build: Path, **overrides) -> int:
    """Run Jupyter Book's Sphinx build with ``config`` into ``outdir`` (strict)."""
    from jupyter_book.cli.main import build as jb_build
    from jupyter_book.sphinx import build_sphinx

    path_config, source, config_overrides = jb_build.callback(
        path_source=str(ROOT), path_output=None, config=str(config) if config else None,
        toc=None, freshenv=False, builder="html", custom_builder=None, verbose=0, quiet=0,
        individualpages=False, get_config_only=True, **STRICT,
    )
    config_overrides.update(overrides)
    # one execution cache for both editions: the English build's
    config_overrides["nb_execution_cache_path"] = str((build / ".jupyter_cache").resolve())
    return build_sphinx(
        source, outdir, use_external_toc=True, noconfig=True, path_config=path_config,
        confoverrides=config_overrides, builder=builder, warningiserror=True,
        doctreedir=outdir.parent / f".doctrees-{builder}",
        keep_going=True, freshenv=False, verbosity=0, quiet=False, really_quiet=False,
    )


def extract(build: Path) -> int:
    """Write one ``.pot`` template per page into ``build/zh/gettext``."""
    return sphinx_build(None, GETTEXT(build), "gettext", build, gettext_compact=False)


def update(build: Path) -> int:
    """Create or update ``locales/zh_CN/LC_MESSAGES/<docname>.po`` from the templates."""
    templates = sorted(GETTEXT(build).rglob("*.pot"))
    if not templates:
        sys.exit(f"no .pot templates under {GETTEXT(build)}; run `extract` first")
    pybabel = Path(sys.executable).with_name("pybabel")
    for pot in templates:
        name = pot.relative_to(GETTEXT(build)).with_suffix(".po")
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
    return sphinx_build(merged_config(build), build / "zh" / "html", "html", build)


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
