# The two commands of the README: `make run` and `make test`.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
PORT ?= 8000

# Development defaults: SQLite under var/, eager Celery, the offline drafting model.
RUN_ENV := GUICHET_ENV=development DJANGO_DEBUG=1
# Tests: PostgreSQL on this machine (trust auth), a fixed key, DEBUG off.
TEST_DATABASE_URL ?= postgres://postgres@127.0.0.1:5432/guichet
TEST_ENV := GUICHET_ENV=test DJANGO_SECRET_KEY=test-only-secret-key DATABASE_URL=$(TEST_DATABASE_URL)
PYTEST_WORKERS ?= 2

.PHONY: run test venv lint typecheck imports migrations-check pytest messages clean

$(STAMP): requirements.txt requirements-dev.txt
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -r requirements-dev.txt
	touch $(STAMP)

venv: $(STAMP)

run: $(STAMP)
	mkdir -p var
	$(RUN_ENV) $(BIN)/python manage.py migrate --noinput -v 0
	$(RUN_ENV) $(BIN)/python manage.py seed_demo
	@echo ""
	@echo "Guichet is starting on http://127.0.0.1:$(PORT)/ (Ctrl+C to stop)"
	$(RUN_ENV) $(BIN)/python manage.py runserver 127.0.0.1:$(PORT)

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check . || (echo "Run: $(BIN)/ruff format ." && false)

migrations-check: $(STAMP)
	$(TEST_ENV) $(BIN)/python manage.py makemigrations --check --dry-run

# mypy with django-stubs and djangorestframework-stubs (config in pyproject.toml); the plugin
# imports the settings, hence the test environment.
typecheck: $(STAMP)
	$(TEST_ENV) $(BIN)/mypy

# import-linter contracts ([tool.importlinter] in pyproject.toml): dependency direction, no API
# module importing a view module. Import cycles are checked by tests/test_architecture.py.
imports: $(STAMP)
	$(BIN)/lint-imports

pytest: $(STAMP)
	$(TEST_ENV) $(BIN)/python -m pytest -n $(PYTEST_WORKERS) --create-db $(PYTEST_ARGS)

test: lint typecheck imports migrations-check pytest

messages: $(STAMP)
	$(RUN_ENV) $(BIN)/python manage.py makemessages -l fr -l en --ignore=.venv --ignore=var
	$(RUN_ENV) $(BIN)/python manage.py compilemessages --ignore=.venv

clean:
	rm -rf $(VENV) var
