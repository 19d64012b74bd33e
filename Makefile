# News Atlas: everyday commands. See README.md.
#
#   make run            set up .venv (runtime deps) and start the Streamlit app; STREAMLIT_ARGS=...
#   make test           set up .venv (runtime + dev deps) and run the tests; PYTEST_ARGS=... passes through
#   make bench          run the geoparsing benchmark (bench/geoparse.py); BENCH_ARGS=... passes through
#   make lint           ruff check, ruff format --check, mypy (geo/)
#   make requirements   regenerate requirements*.txt with uv (needs access to the package registry)
#   make clean          delete .venv and caches
#
# The project itself is not pip-installed: everything runs from the repository root, where
# `python -m pytest`, `python -m geo` and `streamlit run app.py` all find the `geo` package
# (the same way Streamlit Community Cloud runs it, from requirements.txt alone).

VENV        ?= .venv
VENV_PY     := $(VENV)/bin/python
# First interpreter on PATH that is Python >= 3.11 (override with PYTHON=/path/to/python3.x).
PYTHON      ?= $(shell for p in python3 python3.13 python3.12 python3.11 python; do \
                 command -v $$p >/dev/null 2>&1 && \
                 $$p -c 'import sys; sys.exit(sys.version_info < (3, 11))' >/dev/null 2>&1 && \
                 { echo $$p; break; }; done)
PIP_INSTALL := $(VENV_PY) -m pip install --no-input --require-hashes --disable-pip-version-check \
               $(if $(CI),--progress-bar off)
# The pip that installs everything else (requirements-pip.txt). `make requirements` re-pins it.
PIP_VERSION := 25.3
PYTEST_ARGS ?=
STREAMLIT_ARGS ?=
BENCH_ARGS  ?=

# Stamp files inside .venv, keyed on the content of each requirements file: packages are
# (re)installed only when that file changes (or .venv is new).
key          = $(shell cksum < $(1) | awk '{print $$1 "-" $$2}')
PIP_STAMP     := $(VENV)/.stamp-pip-$(call key,requirements-pip.txt)
RUNTIME_STAMP := $(VENV)/.stamp-runtime-$(call key,requirements.txt)
DEV_STAMP     := $(VENV)/.stamp-dev-$(call key,requirements-dev.txt)

# uv is only needed by `make requirements`: taken from PATH, else from .venv (installed on demand).
UV          ?= $(shell command -v uv 2>/dev/null || { test -x $(VENV)/bin/uv && echo $(VENV)/bin/uv; })
UV_ARGS     ?=
UV_COMPILE  := pip compile pyproject.toml --generate-hashes --python-version 3.11 $(UV_ARGS)
REGEN_NOTE  := \#    (or simply: make requirements; it needs access to the package registry)

.DEFAULT_GOAL := help
.PHONY: help run test bench lint requirements setup setup-dev clean

help:
	@sed -n '3,8s/^# //p' Makefile

run: $(RUNTIME_STAMP)
	$(VENV)/bin/streamlit run app.py $(STREAMLIT_ARGS)

test: $(DEV_STAMP)
	$(VENV_PY) -m pytest $(PYTEST_ARGS)

bench: $(RUNTIME_STAMP)
	$(VENV_PY) bench/geoparse.py $(BENCH_ARGS)

lint: $(DEV_STAMP)
	$(VENV_PY) -m ruff check .
	$(VENV_PY) -m ruff format --check .
	$(VENV_PY) -m mypy geo

setup: $(RUNTIME_STAMP)
setup-dev: $(DEV_STAMP)

$(VENV_PY):
	@test -n "$(PYTHON)" || { echo "error: Python >= 3.11 not found on PATH (set PYTHON=...)" >&2; exit 1; }
	@$(PYTHON) -c 'import sys; sys.exit(sys.version_info < (3, 11))' || \
	  { echo "error: $(PYTHON) is older than Python 3.11" >&2; exit 1; }
	$(PYTHON) -m venv $(VENV)

# First bring .venv's own pip up to the pinned, hash-checked one: the pip a Python bundles may be
# too old for requirements*.txt (see requirements-pip.txt). `pip --version` shows which ran.
$(PIP_STAMP): | $(VENV_PY)
	$(PIP_INSTALL) -r requirements-pip.txt
	@$(VENV_PY) -m pip --version
	@rm -f $(VENV)/.stamp-pip-*
	@touch $@

$(RUNTIME_STAMP): $(PIP_STAMP)
	$(PIP_INSTALL) -r requirements.txt
	@rm -f $(VENV)/.stamp-runtime-*
	@touch $@

$(DEV_STAMP): $(PIP_STAMP)
	$(PIP_INSTALL) -r requirements-dev.txt
	@rm -f $(VENV)/.stamp-dev-*
	@touch $@

requirements: | $(VENV_PY)
	@test -n "$(UV)" || { echo "uv not found: installing it into $(VENV)"; $(VENV_PY) -m pip install --no-input uv; }
	$(or $(UV),$(VENV)/bin/uv) $(UV_COMPILE) -o requirements.txt
	$(or $(UV),$(VENV)/bin/uv) $(UV_COMPILE) --extra dev --extra batch -o requirements-dev.txt
	@{ sed -n '/^#/p' requirements-pip.txt; echo 'pip==$(PIP_VERSION)' | \
	  $(or $(UV),$(VENV)/bin/uv) pip compile - --generate-hashes --python-version 3.11 \
	    --no-header --no-annotate; } > requirements-pip.txt.tmp && mv requirements-pip.txt.tmp requirements-pip.txt
	@for f in requirements.txt requirements-dev.txt; do \
	  { head -n 2 $$f; echo '$(REGEN_NOTE)'; tail -n +3 $$f; } > $$f.tmp && mv $$f.tmp $$f; \
	done
	@! grep -nE -- '--(extra-)?index-url|--find-links|://' requirements*.txt || \
	  { echo "error: a requirements file names a package index; remove it" >&2; exit 1; }

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache
