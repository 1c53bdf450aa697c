# The whole set-up: `make demo` and `make test` each create .venv on first use,
# install riskml into it and run. The demo needs riskml's runtime dependencies only
# (RUNTIME_STAMP); the tests, notebooks and benchmarks add the dev extra on top (STAMP).
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
RUNTIME_STAMP := $(VENV)/.installed-runtime
STAMP := $(VENV)/.installed

.PHONY: demo test test-slow lint benchmark notebooks notebooks-check docs clean

$(RUNTIME_STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e .
	touch $(RUNTIME_STAMP)

$(STAMP): $(RUNTIME_STAMP)
	$(BIN)/python -m pip install --quiet -e ".[dev]"
	touch $(STAMP)

demo: $(RUNTIME_STAMP)
	$(BIN)/riskml demo $(if $(OUT),--out $(OUT),)

# The long end-to-end runs (every bundled cohort and model family through Study, the
# demo, the notebooks) are marked slow: `make test` leaves them out, CI runs both, each
# on every core (pytest-xdist). The examples in riskml's docstrings run too
# (pytest --doctest-modules riskml).
test: $(STAMP)
	$(BIN)/ruff check riskml tests benchmarks
	$(BIN)/python -m pytest -q -m "not slow" -n auto
	$(BIN)/python -m pytest -q --doctest-modules riskml

test-slow: $(STAMP)
	$(BIN)/python -m pytest -q -m slow -n auto

lint: $(STAMP)
	$(BIN)/ruff check riskml tests benchmarks
	$(BIN)/ruff format --check riskml tests benchmarks

benchmark: $(STAMP)
	$(BIN)/python -m benchmarks

# Re-execute every notebook (full design) in a fresh kernel and store its outputs.
notebooks: $(STAMP)
	$(BIN)/python notebooks/execute.py

# Execute every notebook again and compare with its stored outputs (CI does, in make test-slow).
notebooks-check: $(STAMP)
	$(BIN)/python notebooks/execute.py --check

# The documentation site (Sphinx) in docs/_build/html, warnings as errors; the notebooks
# are rendered with their stored outputs, never executed here.
DOCS_STAMP := $(VENV)/.docs-installed

$(DOCS_STAMP): $(STAMP)
	$(BIN)/python -m pip install --quiet -e ".[dev,docs]"
	touch $(DOCS_STAMP)

docs: $(DOCS_STAMP)
	$(BIN)/sphinx-build -W -b html docs docs/_build/html

clean:
	rm -rf $(VENV) riskml-demo .pytest_cache .ruff_cache docs/_build docs/api/generated docs/notebooks
