# The two commands: `make demo` (set up and serve the portal) and `make test` (the suite).
PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin

.PHONY: demo test check lint setup browser bench

$(BIN)/zhichan: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $(BIN)/zhichan

setup: $(BIN)/zhichan

demo: setup
	$(BIN)/zhichan demo

# Debian's Chromium for the browser tests (installed when missing and we may).
browser:
	@sh scripts/ensure-chromium

test: setup browser
	$(BIN)/pytest $(PYTEST_ARGS)

lint: setup
	$(BIN)/ruff check src tests benchmarks scripts
	sh scripts/check-translations
	$(BIN)/zhichan makemigrations --check --dry-run

check: test lint

bench: setup
	$(BIN)/python benchmarks/portal.py
