# Two commands on a fresh machine: `make book` and `make test` (see README.md).
PYTHON     ?= python3
VENV       := .venv
BIN        := $(VENV)/bin
STAMP      := $(VENV)/.installed
BUILD_DIR  := _build
NOTEBOOKS  ?= notebooks
# JupyterLab is only for `make lab`; it is installed on first use, pinned here,
# so that `make book` and `make test` stay lean.
JUPYTERLAB := jupyterlab==4.6.6
LAB_STAMP  := $(VENV)/.lab-installed
LAB_SETTINGS := $(VENV)/share/jupyter/lab/settings/overrides.json

.PHONY: setup book test notebooks lab clean

# Set-up: a venv with requirements.txt installed; redone only when
# requirements.txt or pyproject.toml change.
setup: $(STAMP)

$(STAMP): requirements.txt pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -r requirements.txt
	touch $(STAMP)

# The HTML book in _build/html, strict: any warning or failing cell is an error.
book: $(STAMP)
	$(BIN)/jupyter-book build . --builder html -n -W --keep-going

# Every test: builds the book once from a clean _build, then checks it.
test: $(STAMP)
	$(BIN)/python -m pytest

# Every notebook chapter listed in _toc.yml as a plain .ipynb (no outputs) in $(NOTEBOOKS)/.
notebooks: $(STAMP)
	$(BIN)/python tests/bookutils.py notebooks $(NOTEBOOKS)

# JupyterLab on chapters/, opening each .md chapter as a notebook (jupytext).
lab: $(LAB_STAMP)
	$(BIN)/jupyter lab --ServerApp.root_dir=chapters $(if $(filter 0,$(shell id -u)),--allow-root)

$(LAB_STAMP): $(STAMP)
	$(BIN)/python -m pip install --quiet "$(JUPYTERLAB)"
	mkdir -p $(dir $(LAB_SETTINGS))
	printf '%s\n' '{"@jupyterlab/docmanager-extension:plugin": {"defaultViewers": {"markdown": "Jupytext Notebook", "myst": "Jupytext Notebook"}}}' > $(LAB_SETTINGS)
	touch $(LAB_STAMP)

clean:
	rm -rf $(BUILD_DIR) $(NOTEBOOKS)
