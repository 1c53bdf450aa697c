# The whole set-up: `make demo` and `make test` each create .venv on first use,
# install riskml into it and run.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: demo test test-slow lint benchmark notebooks clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e ".[dev]"
	touch $(STAMP)

demo: $(STAMP)
	$(BIN)/riskml demo $(if $(OUT),--out $(OUT),)

# The long end-to-end runs (every bundled cohort and model family through Study, the
# demo, the notebooks) are marked slow: `make test` leaves them out, CI runs both.
test: $(STAMP)
	$(BIN)/ruff check riskml tests benchmarks
	$(BIN)/python -m pytest -q -m "not slow"

test-slow: $(STAMP)
	$(BIN)/python -m pytest -q -m slow

lint: $(STAMP)
	$(BIN)/ruff check riskml tests benchmarks
	$(BIN)/ruff format --check riskml tests benchmarks

benchmark: $(STAMP)
	$(BIN)/python -m benchmarks

# Re-execute every notebook (full design) in a fresh kernel and store its outputs.
notebooks: $(STAMP)
	$(BIN)/python notebooks/execute.py

clean:
	rm -rf $(VENV) riskml-demo .pytest_cache .ruff_cache
