"""The bets of the book's extension (chapters/_ext/lossbook.py) on other packages.

lossbook.py works around myst-nb 1.4 and reads internals of Sphinx, myst-nb,
jupyter-cache, sphinx-book-theme and sphinx-thebe; ``WRITTEN_AGAINST`` names the
versions it was written against. These tests need no book build (``make check``
runs them): an upgrade that changes a version fails the first test with what to
re-check, and an upgrade that removes an internal fails the test of that internal.
The behaviour the workarounds produce is checked on the real book by
test_book.py, test_book_cache.py and test_book_strict.py.
"""

from __future__ import annotations

import importlib.metadata
import inspect
import io
import sys
from pathlib import Path

import nbformat
import pytest

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "chapters" / "_ext"))

import lossbook  # noqa: E402


@pytest.mark.parametrize("dist", sorted(lossbook.WRITTEN_AGAINST))
def test_installed_version_is_the_one_the_workaround_was_written_against(dist):
    written_against, recheck = lossbook.WRITTEN_AGAINST[dist]
    installed = importlib.metadata.version(dist)
    assert installed == written_against, (
        f"{dist} {installed} is installed, but chapters/_ext/lossbook.py was written against "
        f"{written_against}. Re-check: {recheck}. Then update WRITTEN_AGAINST."
    )


def sphinx_build(tmp_path: Path, body: str):
    """A one-page Sphinx build of ``body``; returns the application after the build."""
    from sphinx.application import Sphinx
    from sphinx.util.docutils import docutils_namespace

    (tmp_path / "src").mkdir()
    (tmp_path / "src" / "conf.py").write_text("", encoding="utf-8")
    (tmp_path / "src" / "index.rst").write_text(f"Title\n=====\n\n{body}\n", encoding="utf-8")
    src = tmp_path / "src"
    quiet = {"status": io.StringIO(), "warning": io.StringIO()}
    # a fresh docutils registry, as for a build in its own process
    with docutils_namespace():
        app = Sphinx(src, src, tmp_path / "out", tmp_path / "doctrees", "html", **quiet)
        app.build()
    return app


def test_sphinx_counts_warnings_in_its_private_warncount(tmp_path):
    # forget_failed_build drops the saved environment when this count is not zero
    app = sphinx_build(tmp_path, "See :ref:`no-such-label`.")
    assert app._warncount == 1


def test_sphinx_warncount_is_zero_after_a_clean_build(tmp_path):
    app = sphinx_build(tmp_path, "Nothing to warn about.")
    assert app._warncount == 0


def test_mystnb_config_has_the_fields_the_extension_reads():
    from myst_nb.core.config import NbParserConfig

    fields = set(NbParserConfig.__dataclass_fields__)
    assert {"execution_mode", "output_folder", "execution_cache_path"} <= fields


def test_mystnb_glue_extraction_moves_a_hidden_glue_out_of_the_cell():
    # complete_executed_notebook runs this on outputs merged from the cache, as a real
    # run does: a value glued with display=False leaves the notebook cell
    from myst_nb.ext.glue import extract_glue_data_cell

    prefix = "application/papermill.record/"
    cell = nbformat.v4.new_code_cell("glue('x', 1.5, display=False)")
    cell.outputs = [
        nbformat.v4.new_output(
            "display_data",
            data={f"{prefix}text/plain": "1.5"},
            metadata={"scrapbook": {"name": "x", "mime_prefix": prefix}},
        )
    ]
    extracted = extract_glue_data_cell(cell)
    assert [name for name, _ in extracted] == ["x"]
    assert cell.outputs == []


def test_mystnb_default_cache_folder_is_beside_the_output_folder():
    # cache_dir() repeats this default; the cache test checks the two agree on the real book
    from myst_nb import sphinx_ext

    assert 'Path(app.outdir).parent.joinpath(".jupyter_cache")' in inspect.getsource(sphinx_ext)


def test_jupyter_cache_merge_raises_key_error_for_a_notebook_not_in_the_cache(tmp_path):
    from jupyter_cache import get_cache

    notebook = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell("1 + 1")])
    notebook.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3"}
    with pytest.raises(KeyError):
        get_cache(str(tmp_path / "cache")).merge_match_into_notebook(notebook)


def test_book_theme_reads_ipynb_source_in_a_handler_after_ours():
    import sphinx_book_theme
    from sphinx_book_theme import header_buttons

    assert 'context.get("ipynb_source")' in inspect.getsource(header_buttons)
    assert "add_header_buttons, priority=501" in inspect.getsource(sphinx_book_theme.setup)


def test_thebe_loader_is_recognisable_by_the_names_the_extension_looks_for():
    import sphinx_thebe

    source = inspect.getsource(sphinx_thebe)
    assert '"sphinx-thebe.js"' in source and "THEBE_JS_URL" in source
