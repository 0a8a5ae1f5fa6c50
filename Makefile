# Two commands on a fresh machine: `make book` and `make test` (see README.md).
PYTHON     ?= python3
VENV       := .venv
BIN        := $(VENV)/bin
RUFF       ?= $(BIN)/ruff
STAMP      := $(VENV)/.installed
BUILD_DIR  := _build
NOTEBOOKS  ?= notebooks
# The Python that ruff lints and formats (the chapters' code cells go through tools/book.py).
PY_SOURCES := lossutils tests benchmarks chapters/_ext tools
# JupyterLab is only for `make lab`; it is installed on first use, pinned here,
# so that `make book` and `make test` stay lean.
JUPYTERLAB := jupyterlab==4.6.6
AXE_CORE   := axe-core@4.14.1
LAB_STAMP  := $(VENV)/.lab-installed
LAB_SETTINGS := $(VENV)/share/jupyter/lab/settings/overrides.json

.PHONY: setup book book-zh student pdf student-pdf bundle test check lint format notebooks lab bench clean

# Set-up: a venv with requirements.txt installed; redone only when
# requirements.txt or pyproject.toml change.
setup: $(STAMP)

$(STAMP): requirements.txt pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -r requirements.txt
	@# axe-core, the accessibility engine the browser tests inject into each page (from npm)
	if command -v npm >/dev/null; then \
		npm install --silent --no-audit --no-fund --prefix $(VENV) $(AXE_CORE); \
	else echo "npm not found: the accessibility tests will skip (CI fails them)"; fi
	touch $(STAMP)

# The HTML book in _build/html and its Chinese edition in _build/zh/html (the same
# execution cache: code runs once), strict: any warning or failing cell is an error.
# The notebook bundle the intro offers for download is written first.
book: $(STAMP)
	$(BIN)/python tools/bundle.py
	$(BIN)/jupyter-book build . --builder html -n -W --keep-going
	$(BIN)/python tools/zh.py html $(BUILD_DIR)

# The Chinese edition after an edit of the English: extract the messages, merge them into
# locales/zh_CN (new or changed paragraphs show as untranslated or fuzzy), build, and list
# what is left to translate.
book-zh: $(STAMP)
	$(BIN)/python tools/bundle.py
	$(BIN)/python tools/zh.py extract $(BUILD_DIR)
	$(BIN)/python tools/zh.py update $(BUILD_DIR)
	$(BIN)/python tools/zh.py html $(BUILD_DIR)
	@$(BIN)/python tools/zh.py status || echo "(the catalogs above still need translating)"

# The student edition: every solution cut out of the sources (tools/student.py), built
# strictly into _build/student/html (its own execution cache).
student: $(STAMP)
	$(BIN)/python tools/bundle.py
	$(BIN)/python tools/student.py html $(BUILD_DIR)

# PDFs through xelatex and latexmk (Debian's TeX; tools/editions.py says what to install):
# the instructor edition in English and Chinese, and the student edition.
pdf: $(STAMP)
	$(BIN)/python tools/bundle.py
	$(BIN)/python tools/editions.py pdf $(BUILD_DIR)

student-pdf: $(STAMP)
	$(BIN)/python tools/bundle.py
	$(BIN)/python tools/editions.py student-pdf $(BUILD_DIR)

# Only the students' notebook bundle: chapters/bundle/lossbook-notebooks.zip.
bundle: $(STAMP)
	$(BIN)/python tools/bundle.py

# Everything: every test (the book is built from scratch in _build/test/, so
# _build/html and its cache are left alone), then the linter. CI runs this.
# Both parts always run; the target fails if either failed.
test: $(STAMP)
	@status=0; \
	RUFF=$(RUFF) $(BIN)/python -m pytest || status=$$?; \
	$(MAKE) --no-print-directory lint || status=$$((status ? status : 1)); \
	exit $$status

# The fast inner loop: every test that needs no book build (the package, its
# doctests, the tools), then the linter. Tests marked `book` are skipped.
check: $(STAMP)
	@status=0; \
	RUFF=$(RUFF) $(BIN)/python -m pytest -m "not book" -q || status=$$?; \
	$(MAKE) --no-print-directory lint || status=$$((status ? status : 1)); \
	exit $$status

# ruff over the Python sources and the chapters' code cells; changes nothing.
# All three steps run; the target fails if any found a problem.
lint: $(STAMP)
	@status=0; \
	$(RUFF) check $(PY_SOURCES) || status=1; \
	$(RUFF) format --check $(PY_SOURCES) || status=1; \
	RUFF=$(RUFF) $(BIN)/python tools/book.py lint-chapters || status=1; \
	exit $$status

# Fix what ruff can (import order, formatting, unused imports) in the same files and
# the chapters' code cells. `make lint` then lists what is left for a person to fix.
format: $(STAMP)
	$(RUFF) check --fix-only --quiet $(PY_SOURCES)
	$(RUFF) format $(PY_SOURCES)
	RUFF=$(RUFF) $(BIN)/python tools/book.py format-chapters

# Every notebook chapter listed in _toc.yml as a plain .ipynb (no outputs) in $(NOTEBOOKS)/.
notebooks: $(STAMP)
	$(BIN)/python tools/book.py notebooks $(NOTEBOOKS)

# JupyterLab on chapters/, opening each .md chapter as a notebook (jupytext).
lab: $(LAB_STAMP)
	$(BIN)/jupyter lab --ServerApp.root_dir=chapters $(if $(filter 0,$(shell id -u)),--allow-root)

$(LAB_STAMP): $(STAMP)
	$(BIN)/python -m pip install --quiet "$(JUPYTERLAB)"
	mkdir -p $(dir $(LAB_SETTINGS))
	printf '%s\n' '{"@jupyterlab/docmanager-extension:plugin": {"defaultViewers": {"markdown": "Jupytext Notebook", "myst": "Jupytext Notebook"}}}' > $(LAB_SETTINGS)
	touch $(LAB_STAMP)

# Time and memory of every loss path against PyTorch; prints the table and writes it,
# with the date, versions and machine, to benchmarks/RESULTS.md (run it on an idle machine).
bench: $(STAMP)
	$(BIN)/python benchmarks/bench_losses.py --write benchmarks/RESULTS.md --readme README.md

clean:
	rm -rf $(BUILD_DIR) $(NOTEBOOKS)
