# The whole set-up: `make demo` and `make test` each create .venv on first use,
# install riskml into it and run.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: demo test lint benchmark clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e ".[dev]"
	touch $(STAMP)

demo: $(STAMP)
	$(BIN)/riskml demo $(if $(OUT),--out $(OUT),)

test: $(STAMP)
	$(BIN)/ruff check riskml tests benchmarks
	$(BIN)/python -m pytest -q

lint: $(STAMP)
	$(BIN)/ruff check riskml tests benchmarks
	$(BIN)/ruff format --check riskml tests benchmarks

benchmark: $(STAMP)
	$(BIN)/python -m benchmarks

clean:
	rm -rf $(VENV) riskml-demo .pytest_cache .ruff_cache
