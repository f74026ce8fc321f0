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

.PHONY: run test test-busy system venv lock lint typecheck imports migrations-check pytest messages clean

# Debian packages are installed as root (as on this kind of machine); anyone else is told what to
# run. One line each, so a missing piece stops `make test` at once with the command to fix it.
APT_INSTALL := test "$$(id -u)" = 0 && apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq
PG_START := pg_ctlcluster --skip-systemctl-redirect "$$(ls /etc/postgresql 2>/dev/null | head -1)" main start
REDIS_START := redis-server --daemonize yes --bind 127.0.0.1 -::1 --port 6379 --save "" --appendonly no \
	--dir /var/lib/redis --logfile /var/log/redis/ci.log

# The virtualenv is installed from the lock file: every package pinned, with its hashes (a
# tampered or substituted download fails). requirements*.txt say what we depend on; `make lock`
# writes the locks from them (tests/deploy/test_dependencies.py fails when they drift apart).
$(STAMP): requirements.lock requirements-dev.lock
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet --require-hashes -r requirements-dev.lock
	touch $(STAMP)

PIP_COMPILE := $(BIN)/pip-compile --quiet --generate-hashes --allow-unsafe --strip-extras \
	--no-emit-index-url --no-emit-find-links
lock: $(STAMP)
	$(PIP_COMPILE) -o requirements.lock requirements.txt
	$(PIP_COMPILE) -o requirements-dev.lock requirements-dev.txt

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

# What the whole suite needs from the machine: PostgreSQL and Redis running (the broker tests),
# Debian's Chromium (browser tests, no browser download), gettext (the translations), Dovecot
# (the IMAP tests start their own; the package's service is never used) and ClamAV's daemon.
system:
	@pg_isready -h 127.0.0.1 -p 5432 -q || { $(PG_START) >/dev/null 2>&1; \
	  for i in $$(seq 30); do pg_isready -h 127.0.0.1 -p 5432 -q && break; sleep 1; done; \
	  pg_isready -h 127.0.0.1 -p 5432 -q; } || { echo "PostgreSQL is not running on 127.0.0.1:5432: run $(PG_START)"; exit 1; }
	@redis-cli -h 127.0.0.1 ping >/dev/null 2>&1 || $(REDIS_START) >/dev/null 2>&1 \
	  || { echo "Redis is not running on 127.0.0.1:6379: run $(REDIS_START)"; exit 1; }
	@# RabbitMQ, when installed: tests/deploy runs the processes with it as the broker too (and
	@# skips that run where it is not installed).
	@if command -v rabbitmq-server >/dev/null 2>&1 && ! (exec 3<>/dev/tcp/127.0.0.1/5672) 2>/dev/null; then \
	  rabbitmq-server -detached >/dev/null 2>&1; \
	  for i in $$(seq 60); do (exec 3<>/dev/tcp/127.0.0.1/5672) 2>/dev/null && break; sleep 1; done; fi
	@command -v chromium >/dev/null 2>&1 || { $(APT_INSTALL) chromium >/dev/null; } \
	  || { echo "Chromium is missing for the browser tests: run apt-get install chromium (as root)"; exit 1; }
	@command -v msgfmt >/dev/null 2>&1 || { $(APT_INSTALL) gettext >/dev/null; } \
	  || { echo "gettext is missing for the translations: run apt-get install gettext (as root)"; exit 1; }
	@test -x /usr/sbin/dovecot || { $(APT_INSTALL) dovecot-imapd >/dev/null; } || { echo "Dovecot is missing for the IMAP tests: run apt-get install dovecot-imapd (as root)"; exit 1; }
	@# ClamAV's daemon: the antivirus tests start their own (tests/clamd.py, a database holding the
	@# EICAR test signature only: no download); the package's services are never used.
	@test -x /usr/sbin/clamd || { $(APT_INSTALL) clamav-daemon >/dev/null; } || { echo "clamd is missing for the antivirus tests: run apt-get install clamav-daemon (as root)"; exit 1; }
	@# psql runs deploy/postgres/roles.sql: the tests run as the application's restricted role
	@# (guichet_app, created by tests/db_roles.py in the test database; see README, "Database roles").
	@command -v psql >/dev/null 2>&1 || { $(APT_INSTALL) postgresql-client >/dev/null; } \
	  || { echo "psql is missing for the database roles: run apt-get install postgresql-client (as root)"; exit 1; }

test: system lint typecheck imports migrations-check pytest

# The suite several times in a row while CPU-bound processes compete with it (issue 13: no test may
# depend on timing). `make test-busy RUNS=3 BURNERS=1`; the first failure stops it.
RUNS ?= 3
BURNERS ?= 1
test-busy: system $(STAMP)
	$(BIN)/python devtools/busy.py --runs $(RUNS) --burners $(BURNERS) -- $(MAKE) --no-print-directory pytest

messages: $(STAMP)
	$(RUN_ENV) $(BIN)/python manage.py makemessages -l fr --no-obsolete --ignore=.venv --ignore=var
	$(RUN_ENV) $(BIN)/python manage.py compilemessages --ignore=.venv

clean:
	rm -rf $(VENV) var
