"""Building one edition of the book into a folder of our choosing (shared by the tools).

``jupyter-book build`` always writes to ``<path-output>/_build/<builder>``; the other editions
live at ``_build/zh/html`` and ``_build/student/html``, so this calls the same Sphinx build as
``jupyter-book build`` (its configuration from ``_config.yml``, strict: ``-n -W --keep-going``)
with the output folder, doctree folder and jupyter-cache given explicitly.
"""

from __future__ import annotations

import sys
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent


def merged_config(source: Path, overlay: Path, dest: Path) -> Path:
    """``source/_config.yml`` updated with the keys of ``overlay``, written to ``dest``."""
    base = yaml.safe_load((source / "_config.yml").read_text(encoding="utf-8"))
    new = yaml.safe_load(overlay.read_text(encoding="utf-8"))

    def update(into: dict, changes: dict) -> None:
        for key, value in changes.items():
            if isinstance(value, dict) and isinstance(into.get(key), dict):
                update(into[key], value)
            else:
                into[key] = value

    update(base, new)
    # local extensions are found relative to the config file, which now lives elsewhere
    local = base.get("sphinx", {}).get("local_extensions", {})
    for name, path in local.items():
        local[name] = str((source / path).resolve())
    dest.parent.mkdir(parents=True, exist_ok=True)
    dest.write_text(yaml.safe_dump(base, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return dest


def sphinx_build(
    source: Path,
    outdir: Path,
    *,
    builder: str = "html",
    config: Path | None = None,
    cache: Path | None = None,
    **overrides,
) -> int:
    """Strict build of the book at ``source`` into ``outdir``; 0 on success.

    ``config`` replaces ``source/_config.yml``; ``cache`` is the jupyter-cache folder (by
    default ``outdir/../.jupyter_cache``, as for ``jupyter-book build``); ``overrides`` are
    Sphinx settings.
    """
    import sphinx.locale
    from jupyter_book.cli.main import build as jb_build
    from jupyter_book.sphinx import build_sphinx

    # Sphinx keeps the message catalogs it loaded (its own, the theme's) in a module-level
    # table and only adds to it: after the Chinese edition, an English build in the same
    # process would say 搜索 and 接上页. Each build starts from an empty table.
    sphinx.locale.translators.clear()

    path_config, src, config_overrides = jb_build.callback(
        path_source=str(source),
        path_output=None,
        config=str(config) if config else None,
        toc=None,
        warningiserror=True,
        nitpick=True,
        keep_going=True,
        freshenv=False,
        builder="html",
        custom_builder=None,
        verbose=0,
        quiet=0,
        individualpages=False,
        get_config_only=True,
    )
    config_overrides.update(overrides)
    if cache is not None:
        config_overrides["nb_execution_cache_path"] = str(Path(cache).resolve())
    return build_sphinx(
        src,
        outdir,
        use_external_toc=True,
        noconfig=True,
        path_config=path_config,
        confoverrides=config_overrides,
        builder=builder,
        warningiserror=True,
        keep_going=True,
        doctreedir=Path(outdir).parent / f".doctrees-{Path(outdir).name}",
        freshenv=False,
        verbosity=0,
        quiet=False,
        really_quiet=False,
    )


# Debian packages the PDF needs (TeX through xelatex and latexmk, the fonts it typesets with);
# texlive-lang-cjk and fonts-noto-cjk for the Chinese edition.
TEX_PACKAGES = (
    "latexmk texlive-latex-recommended texlive-latex-extra texlive-fonts-recommended "
    "texlive-xetex fonts-freefont-otf xindy texlive-lang-cjk texlive-lang-chinese fonts-noto-cjk"
)


def missing_tex() -> list[str]:
    """The TeX programs the PDF build needs and this machine lacks."""
    import shutil

    return [name for name in ("xelatex", "latexmk", "xindy") if shutil.which(name) is None]


def pdf(
    source: Path,
    outdir: Path,
    *,
    config: Path | None = None,
    cache: Path | None = None,
    **overrides,
) -> Path:
    """Build the book at ``source`` as LaTeX into ``outdir`` and typeset it; the PDF's path."""
    import subprocess

    missing = missing_tex()
    if missing:
        raise SystemExit(
            f"the PDF needs TeX, and {', '.join(missing)} is not installed; on Debian:\n"
            f"  apt-get install --no-install-recommends {TEX_PACKAGES}"
        )
    status = sphinx_build(source, outdir, builder="latex", config=config, cache=cache, **overrides)
    if status:
        raise SystemExit(f"the LaTeX build failed (status {status})")
    subprocess.run(["make", "all-pdf"], cwd=outdir, check=True, stdout=subprocess.DEVNULL)
    pdfs = sorted(Path(outdir).glob("*.pdf"))
    if len(pdfs) != 1:
        raise SystemExit(f"expected one PDF in {outdir}, found {[p.name for p in pdfs]}")
    return pdfs[0]


def main(argv: list[str]) -> int:
    """``pdf BUILD``: the English and Chinese PDFs; ``student-pdf BUILD``: the student's."""
    if len(argv) != 3 or argv[1] not in ("pdf", "student-pdf"):
        sys.exit("usage: python tools/editions.py pdf|student-pdf BUILD")
    build = Path(argv[2]).resolve()
    from tools import student, zh

    if argv[1] == "pdf":
        made = [pdf(ROOT, build / "latex", cache=build / ".jupyter_cache"), zh.pdf(build)]
    else:
        made = [student.pdf(build)]
    for path in made:
        print(f"wrote {path}")
    return 0


if __name__ == "__main__":
    sys.path.insert(0, str(ROOT))
    sys.exit(main(sys.argv))
