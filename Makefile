# The two commands: `make demo` (set up and serve the portal) and `make test` (the suite).
PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin

.PHONY: demo test check lint audit setup browser bench python-version

# pyproject.toml says >=3.11,<3.14; say so plainly instead of failing inside pip.
python-version:
	@$(PYTHON) -c 'import sys; sys.exit(0 if (3, 11) <= sys.version_info[:2] < (3, 14) else 1)' 2>/dev/null || { \
	    echo "zhichan needs Python 3.11, 3.12 or 3.13; '$(PYTHON)' is: $$($(PYTHON) --version 2>/dev/null || echo 'not found')." >&2; \
	    echo "Install one and run: make PYTHON=python3.11 $(MAKECMDGOALS)" >&2; \
	    exit 1; }

$(BIN)/zhichan: pyproject.toml | python-version
	$(PYTHON) -m venv $(VENV)
	@# setuptools too: the one ensurepip puts in a new venv is old and has known vulnerabilities,
	@# which the dependency audit (make lint) would report.
	$(BIN)/pip install --quiet --upgrade pip setuptools
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $(BIN)/zhichan

setup: python-version $(BIN)/zhichan

demo: setup
	$(BIN)/zhichan demo

# Debian's Chromium for the browser tests (installed when missing and we may).
browser:
	@sh scripts/ensure-chromium

# One pytest worker per core (pytest-xdist); PYTEST_WORKERS=0 runs in one process. Not --dist
# loadgroup: it schedules by node id, and schemathesis gives all operations of a test one id.
# pytest exits 5 when it collects nothing; make passes that on as a failure.
PYTEST_WORKERS ?= auto
test: setup browser
	$(BIN)/pytest -n $(PYTEST_WORKERS) $(PYTEST_ARGS)

# bandit (the static security scan, [tool.bandit] in pyproject.toml) warns "nosec encountered,
# but no failed test" for the other nodes of a marked line: its own noise, not a finding; those
# lines are dropped and its exit status is kept.
lint: setup
	$(BIN)/ruff check src tests benchmarks scripts
	$(BIN)/ruff format --check src tests benchmarks scripts
	sh scripts/check-translations
	$(BIN)/zhichan makemigrations --check --dry-run
	@echo "$(BIN)/bandit -c pyproject.toml -r src scripts -q"; \
	    out=$$($(BIN)/bandit -c pyproject.toml -r src scripts -q 2>&1); rc=$$?; \
	    printf '%s\n' "$$out" | grep -v 'WARNING.*nosec encountered' || true; exit $$rc
	ZHICHAN_AUDIT_PYTHON=$(BIN)/python sh scripts/audit-dependencies

# Known vulnerabilities in the installed dependencies (pip-audit; docs/security.md). Without a
# vulnerability service it warns loudly and passes, unless ZHICHAN_AUDIT_REQUIRED=1.
audit: setup
	ZHICHAN_AUDIT_PYTHON=$(BIN)/python sh scripts/audit-dependencies $(AUDIT_ARGS)

check: test lint

bench: setup
	$(BIN)/python benchmarks/portal.py $(BENCH_ARGS)
