# Two entry points for a fresh machine: `make run` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
PG_URL ?= postgresql+asyncpg://postgres@127.0.0.1:5432/test

.PHONY: run test lint test-sqlite test-postgres migrate clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $(STAMP)

## Set up, migrate and serve the web chat on http://127.0.0.1:8080/ (SQLite, demo ward).
run: $(STAMP)
	$(BIN)/python -m bot run

migrate: $(STAMP)
	$(BIN)/python -m bot migrate

## Lint, type-check, then the whole suite on SQLite and the database tests on PostgreSQL.
test: lint test-sqlite test-postgres

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/mypy .

test-sqlite: $(STAMP)
	env -u TEST_DATABASE_URL $(BIN)/pytest

# Without a reachable server the PostgreSQL tests skip with the reason, except in CI (CI=true).
test-postgres: $(STAMP)
	TEST_DATABASE_URL=$${TEST_DATABASE_URL:-$(PG_URL)} $(BIN)/pytest -m db

clean:
	rm -rf $(VENV) .mypy_cache .ruff_cache .pytest_cache
