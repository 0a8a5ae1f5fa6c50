"""The students' notebook bundle: what it holds, and that a chapter runs from it unpacked."""

from __future__ import annotations

import zipfile
from pathlib import Path

import nbformat
import pytest
from nbclient import NotebookClient

from bookutils import notebook_docnames

ROOT = Path(__file__).resolve().parent.parent
from tools import bundle  # noqa: E402


@pytest.fixture(scope="module")
def zip_path(tmp_path_factory) -> Path:
    return bundle.write_bundle(tmp_path_factory.mktemp("bundle") / "lossbook-notebooks.zip")


def names(zip_path: Path) -> list[str]:
    with zipfile.ZipFile(zip_path) as zf:
        return zf.namelist()


def test_bundle_has_every_chapter_as_a_notebook(zip_path):
    expected = {f"lossbook/notebooks/{Path(d).name}.ipynb" for d in notebook_docnames()}
    assert expected <= set(names(zip_path))


def test_bundle_has_the_package_a_readme_and_pinned_requirements(zip_path):
    assert {
        "lossbook/lossutils/__init__.py",
        "lossbook/README.md",
        "lossbook/pyproject.toml",
    } <= set(names(zip_path))
    with zipfile.ZipFile(zip_path) as zf:
        requirements = zf.read("lossbook/requirements.txt").decode()
    assert "torch==" in requirements and "download.pytorch.org/whl/cpu" in requirements
    assert all(
        "==" in line
        for line in requirements.splitlines()
        if line and not line.startswith(("#", "-"))
    )


def test_bundle_notebooks_carry_no_solution(zip_path):
    with zipfile.ZipFile(zip_path) as zf:
        for name in zf.namelist():
            if name.endswith(".ipynb"):
                text = zf.read(name).decode()
                assert "solution-start" not in text and "{solution}" not in text, name


def test_a_chapter_runs_from_the_unpacked_bundle(zip_path, tmp_path):
    with zipfile.ZipFile(zip_path) as zf:
        zf.extractall(tmp_path)
    folder = tmp_path / "lossbook" / "notebooks"
    notebook = nbformat.read(folder / "03-log-loss.ipynb", as_version=4)
    # the unpacked lossutils, not the repository's: the bundle's folder comes first on the path
    env_path = str(tmp_path / "lossbook")
    notebook.cells.insert(
        0,
        nbformat.v4.new_code_cell(
            f"import sys; sys.path.insert(0, {env_path!r}); import lossutils; "
            f"assert lossutils.__file__.startswith({env_path!r}), lossutils.__file__"
        ),
    )
    NotebookClient(
        notebook, timeout=300, kernel_name="python3", resources={"metadata": {"path": str(folder)}}
    ).execute()
    errors = [
        o for c in notebook.cells for o in c.get("outputs", []) if o.get("output_type") == "error"
    ]
    assert errors == []


def test_bundle_is_the_same_bytes_for_the_same_sources(tmp_path):
    first = bundle.write_bundle(tmp_path / "a.zip").read_bytes()
    assert bundle.write_bundle(tmp_path / "b.zip").read_bytes() == first
