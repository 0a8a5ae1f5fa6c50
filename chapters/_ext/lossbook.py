"""The book's own Sphinx extension: an offline, never-stale Jupyter Book.

Loaded from ``_config.yml`` (``sphinx: local_extensions: {lossbook: chapters/_ext}``).
It does three things that Jupyter Book 1.x does not do by itself:

1. **Offline maths.** MathJax 3 comes from an installed Python package
   (``django-static-mathjax``); its files are copied into ``_static/mathjax``
   of the HTML output and ``mathjax_path`` points there, so no page asks a CDN.
   Any other script or stylesheet with a remote address is reported as a
   warning (which fails the strict build); the thebe loader, dead code in a
   book without launch buttons, is dropped from every page.
2. **A cache that watches the helper package.** jupyter-cache hashes only the
   code cells of a notebook, so editing ``lossutils`` would leave every output
   stale. Here the source files of each package in ``lossbook_watched_packages``
   are hashed; when the hash differs from the one the cache was filled with,
   the execution cache is emptied and every page is re-read, so every notebook
   runs again. A build that ended with warnings forgets its environment, so
   the next build cannot pass by skipping the page that failed. And when a
   page's outputs come from the cache, the executed notebook written to
   ``jupyter_execute/`` gets them too (myst-nb 1.4 leaves them out).
3. **Notebook downloads.** Every notebook page gets an ``.ipynb`` entry in the
   theme's download menu: the executed notebook, copied next to the sources.

It also serves ``static/lossbook.css``, a few lines of layout fixes.

Some of this leans on other packages' internals or works around one of their
versions. Each such place says so in a ``Bet (package version)`` comment, and
``WRITTEN_AGAINST`` below lists the versions; ``tests/test_book_extension.py``
fails when an installed version differs (naming what to re-check) and tests each
internal that is used.
"""

from __future__ import annotations

import hashlib
import importlib.util
import os
import shutil
from pathlib import Path

import nbformat
from jupyter_cache import get_cache
from myst_nb.ext.glue import extract_glue_data_cell
from sphinx.application import Sphinx
from sphinx.util import logging

logger = logging.getLogger(__name__)

# The versions the workarounds here were written against, and what to re-check
# when one changes (tests/test_book_extension.py compares them with the installed ones).
WRITTEN_AGAINST = {
    "sphinx": (
        "7.4.7",
        "forget_failed_build reads the private warning counter Sphinx._warncount",
    ),
    "myst-nb": (
        "1.4.0",
        "complete_executed_notebook: does myst-nb still write jupyter_execute/<doc>.ipynb "
        "without outputs when a page comes from the cache? (if not, drop the function); it "
        "reads app.env.mystnb_config and calls myst_nb.ext.glue.extract_glue_data_cell; "
        "cache_dir repeats myst-nb's default cache folder",
    ),
    "jupyter-cache": (
        "1.0.1",
        "complete_executed_notebook calls merge_match_into_notebook (KeyError when not cached)",
    ),
    "sphinx-book-theme": (
        "1.3.0",
        "offer_ipynb_download sets context['ipynb_source'] before the theme's header "
        "buttons read it (html-page-context, priority 501)",
    ),
    "sphinx-thebe": (
        "0.3.1",
        "keep_assets_local drops the thebe loader, found by 'sphinx-thebe.js' / THEBE_JS_URL",
    ),
}

# What of the MathJax distribution the pages need: the TeX-to-SVG bundle (SVG
# output needs no web fonts) and the folders it loads optional parts from.
MATHJAX_ENTRY = "tex-svg.js"
MATHJAX_PARTS = ("a11y", "adaptors", "input", "output", "sre", "ui")
MATHJAX_STATIC = "mathjax"  # folder under _static/
DIGEST_FILE = "lossbook-watched.sha256"  # stored beside the jupyter-cache


# -- 1. offline maths ----------------------------------------------------------


def mathjax_source_dir() -> Path:
    """The ``es5`` folder of the installed MathJax package."""
    spec = importlib.util.find_spec("mathjax")
    if spec is None or not spec.submodule_search_locations:
        raise RuntimeError(
            "MathJax is not installed; `pip install -r requirements.txt` "
            "(it provides django-static-mathjax)"
        )
    es5 = Path(next(iter(spec.submodule_search_locations))) / "static" / "mathjax" / "es5"
    if not (es5 / MATHJAX_ENTRY).is_file():
        raise RuntimeError(f"no {MATHJAX_ENTRY} under {es5}; is django-static-mathjax installed?")
    return es5


def use_local_mathjax(app: Sphinx, config) -> None:
    """Point Sphinx's MathJax loader at the copy inside the build."""
    config.mathjax_path = f"{MATHJAX_STATIC}/{MATHJAX_ENTRY}"


def add_book_css(app: Sphinx, config) -> None:
    """Serve the book's small stylesheet (static/lossbook.css) on every page."""
    config.html_static_path = [*config.html_static_path, str(Path(__file__).parent / "static")]
    app.add_css_file("lossbook.css")


def copy_mathjax(app: Sphinx, exception: Exception | None) -> None:
    """Copy the MathJax files into ``_static/mathjax`` of an HTML build."""
    if exception is not None or app.builder.format != "html":
        return
    source = mathjax_source_dir()
    target = Path(app.outdir) / "_static" / MATHJAX_STATIC
    target.mkdir(parents=True, exist_ok=True)
    shutil.copy2(source / MATHJAX_ENTRY, target / MATHJAX_ENTRY)
    for part in MATHJAX_PARTS:
        shutil.copytree(source / part, target / part, dirs_exist_ok=True)


def is_remote(uri: str) -> bool:
    """Whether ``uri`` would make the browser ask another host."""
    return uri.startswith("//") or uri.split(":", 1)[0].lower() in {"http", "https", "ftp"}


def keep_assets_local(
    app: Sphinx, pagename: str, templatename: str, context: dict, doctree
) -> None:
    """Drop the thebe loader; warn about any script or stylesheet from the network."""
    scripts = context.get("script_files", [])
    kept = []
    # Bet (sphinx-thebe 0.3.1): the loader is the file sphinx-thebe.js and an inline
    # script that defines THEBE_JS_URL; a renamed loader would be kept and, if it
    # loads from the network, reported below (the build then fails).
    for script in scripts:
        name = str(script)
        body = getattr(script, "attributes", {}).get("body", "")
        if name.endswith("sphinx-thebe.js") or "THEBE_JS_URL" in body:
            continue
        if is_remote(name):
            logger.warning(
                f"{pagename}: script from the network: {name}", type="lossbook", subtype="offline"
            )
        kept.append(script)
    context["script_files"] = kept
    for css in context.get("css_files", []):
        if is_remote(str(css)):
            logger.warning(
                f"{pagename}: stylesheet from the network: {css}",
                type="lossbook",
                subtype="offline",
            )


def accessible_citations(
    app: Sphinx, pagename: str, templatename: str, context: dict, doctree
) -> None:
    """Drop ``role="list"`` from the bibliography's citation list.

    Bet (Sphinx 7.4.7's HTML writer, docutils 0.21): a group of citations is written as
    ``<div role="list" class="citation-list">`` whose children are not list items, which
    axe-core reports as a critical ARIA error (a list must hold list items). Without the
    role the entries read as the sections they are; nothing else changes.
    """
    if "body" in context:
        context["body"] = context["body"].replace(
            '<div role="list" class="citation-list">', '<div class="citation-list">'
        )


# -- 2. a cache that watches the helper package ---------------------------------


def watched_files(packages: list[str]) -> list[Path]:
    """Every source file of the watched packages, in a stable order."""
    files = []
    for name in packages:
        spec = importlib.util.find_spec(name)
        if spec is None or not spec.submodule_search_locations:
            raise RuntimeError(f"watched package {name!r} is not importable; is it installed?")
        for root in spec.submodule_search_locations:
            for path in sorted(Path(root).rglob("*")):
                if (
                    path.is_file()
                    and "__pycache__" not in path.parts
                    and path.suffix not in {".pyc", ".pyo"}
                ):
                    files.append(path)
    return files


def watched_digest(packages: list[str]) -> str:
    """SHA-256 over the relative names and contents of the watched files."""
    digest = hashlib.sha256()
    for name in packages:
        digest.update(f"package {name}\n".encode())
    for path in watched_files(packages):
        digest.update(path.name.encode() + b"\0")
        digest.update(path.read_bytes())
        digest.update(b"\0")
    return digest.hexdigest()


def cache_dir(app: Sphinx) -> Path:
    """The execution cache's folder: as configured, else myst-nb's default.

    Bet (myst-nb 1.4.0): the default is ``.jupyter_cache`` beside the output folder,
    and the configuration is ``app.env.mystnb_config`` (``NbParserConfig``).
    """
    configured = app.env.mystnb_config.execution_cache_path
    if configured:
        return Path(configured)
    return Path(app.outdir).parent / ".jupyter_cache"


def outdated_by_package(app: Sphinx, env, added: set, changed: set, removed: set) -> list[str]:
    """Empty the execution cache and re-read every page when a watched package changed."""
    current = watched_digest(app.config.lossbook_watched_packages)
    cache = cache_dir(app)
    marker = cache / DIGEST_FILE
    cached = marker.read_text().strip() if marker.is_file() else None
    if cached != current:
        if cache.exists():
            logger.info(
                f"[lossbook] watched packages changed: clearing the execution cache {cache}"
            )
            shutil.rmtree(cache)
        cache.mkdir(parents=True, exist_ok=True)
        marker.write_text(current + "\n")
    if getattr(env, "lossbook_digest", None) == current:
        return []
    env.lossbook_digest = current
    stale = sorted(set(env.found_docs) - set(added) - set(changed))
    if stale:
        logger.info(f"[lossbook] watched packages changed: re-reading {len(stale)} pages")
    return stale


def complete_executed_notebook(app: Sphinx, doctree) -> None:
    """Put the cached outputs into ``jupyter_execute/<docname>.ipynb`` on a cache hit.

    myst-nb 1.4 renders a page from the cached outputs but writes the notebook
    it was given, without them, to ``jupyter_execute/`` (only a notebook that
    really ran gets its outputs there). That file is what readers download and
    what the chapter tests read glued values from, so fill it from the cache.

    Bet (myst-nb 1.4.0, jupyter-cache 1.0.1): the behaviour above is myst-nb 1.4's;
    ``mystnb_config.execution_mode`` / ``output_folder``, jupyter-cache's
    ``merge_match_into_notebook`` and myst-nb's ``extract_glue_data_cell`` are used as
    those versions have them. tests/test_book_cache.py checks the result.
    """
    config = app.env.mystnb_config
    if config.execution_mode != "cache":
        return
    path = Path(config.output_folder) / f"{app.env.docname}.ipynb"
    if not path.is_file():
        return
    notebook = nbformat.read(path, as_version=4)
    code = [cell for cell in notebook.cells if cell.cell_type == "code"]
    if not code or any(cell.get("outputs") or cell.get("execution_count") for cell in code):
        return
    try:
        _, merged = get_cache(str(cache_dir(app))).merge_match_into_notebook(notebook)
    except KeyError:  # not in the cache: nothing to add
        return
    # as after a real run: glue(..., display=False) outputs leave the notebook
    # (myst-nb keeps them in <docname>.glue.json) and the rest lose glue's MIME prefix
    for cell in merged.cells:
        if cell.cell_type == "code":
            extract_glue_data_cell(cell)
    path.write_text(nbformat.writes(merged), encoding="utf-8")


def forget_failed_build(app: Sphinx, exception: Exception | None) -> None:
    """After a failed or warning build, drop the saved environment.

    Sphinx pickles the environment after reading, warnings or not; without
    this a second run would find nothing outdated and pass.

    Bet (Sphinx 7.4.7): Sphinx has no public count of the warnings so far; its
    private ``_warncount`` is read directly, so that a Sphinx without it fails
    the build here instead of silently keeping a failed build's environment.
    """
    if exception is None and not app._warncount:
        return
    pickle = Path(app.doctreedir) / "environment.pickle"
    if pickle.exists():
        pickle.unlink()


# -- 3. notebook downloads ------------------------------------------------------


def offer_ipynb_download(
    app: Sphinx, pagename: str, templatename: str, context: dict, doctree
) -> None:
    """Copy the executed notebook of a notebook page beside the sources for download."""
    if app.builder.format != "html" or doctree is None:
        return
    executed = Path(app.outdir).parent / "jupyter_execute" / f"{pagename}.ipynb"
    if not executed.is_file():
        return
    target = Path(app.outdir) / "_sources" / f"{pagename}.ipynb"
    target.parent.mkdir(parents=True, exist_ok=True)
    shutil.copy2(executed, target)
    context["ipynb_source"] = f"{pagename}.ipynb"


def inline_figures_in_kernels() -> None:
    """Let the executing kernels show figures inline, whatever the shell's MPLBACKEND.

    Kernels inherit this process's environment. With MPLBACKEND set (to Agg,
    say, as test runners and headless servers often do) matplotlib would not
    use the inline backend, every figure output would be missing, and each
    figure reference would fail the strict build as an undefined label.
    """
    os.environ.pop("MPLBACKEND", None)


def setup(app: Sphinx) -> dict:
    inline_figures_in_kernels()
    # packages whose source files the execution cache watches (set in conf to change)
    app.add_config_value("lossbook_watched_packages", ["lossutils"], "env", [list])
    app.connect("config-inited", use_local_mathjax)
    app.connect("config-inited", add_book_css)
    app.connect("env-get-outdated", outdated_by_package)
    app.connect("doctree-read", complete_executed_notebook)
    # Bet (sphinx-book-theme 1.3.0): before the theme builds its header buttons
    # from context["ipynb_source"] (priority 501)
    app.connect("html-page-context", offer_ipynb_download, priority=400)
    app.connect("html-page-context", keep_assets_local, priority=900)
    app.connect("html-page-context", accessible_citations)
    app.connect("build-finished", copy_mathjax)
    app.connect("build-finished", forget_failed_build)
    return {
        "version": "1.0",
        "parallel_read_safe": True,
        "parallel_write_safe": True,
        "env_version": 1,
    }
