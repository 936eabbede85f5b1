# Every target installs what it needs first, so a fresh clone needs only python3 and make.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: install run test test-shuffled test-long lint typecheck check-catalog catalog bench clean postgres

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)

$(STAMP): pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

install: $(STAMP)

run: $(STAMP)
	$(BIN)/briefbot run

lint: $(STAMP)
	$(BIN)/ruff check bot briefings ingest localapi tests bench
	$(BIN)/ruff format --check bot briefings ingest localapi tests bench

typecheck: $(STAMP)
	$(BIN)/mypy

check-catalog: $(STAMP)
	$(BIN)/briefbot build --check

catalog: $(STAMP)
	$(BIN)/briefbot build

# The store's tests start a throwaway PostgreSQL; this installs it where it can, never fails.
postgres:
	bash scripts/ensure-postgres

# pytest-randomly is installed for test-shuffled; the contract run keeps the file order.
test: lint typecheck check-catalog postgres
	$(BIN)/python -m pytest -p no:randomly

# The same suite in a shuffled order (the seed is printed; --randomly-seed=N repeats one).
test-shuffled: lint typecheck check-catalog postgres
	$(BIN)/python -m pytest

# The nightly-style run: 10,000+ fuzz cases and the full-size crash and load tests.
test-long: lint typecheck check-catalog postgres
	BRIEFBOT_LONG_TESTS=1 $(BIN)/python -m pytest -p no:randomly

# Every benchmark in bench/, then one table in bench/RESULTS.md; QUICK=1 for short runs.
bench: $(STAMP)
	$(BIN)/python bench/report.py $(if $(QUICK),--quick)

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache
