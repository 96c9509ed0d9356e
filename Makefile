# The two commands a newcomer needs: `make run` and `make test`.
PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
DATABASE_URL ?= postgres://postgres@127.0.0.1:5432/peken
export DATABASE_URL_TEST := $(DATABASE_URL)

.PHONY: run test install install-test system-deps demo lint bench

$(BIN)/python:
	$(PYTHON) -m venv $(VENV) || python3 -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

install: $(BIN)/python
	$(BIN)/pip install --quiet -c constraints.txt .

install-test: $(BIN)/python
	$(BIN)/pip install --quiet -c constraints.txt ".[test]"

# Debian's chromium drives the browser tests (Playwright's own download cannot work here).
system-deps:
	@command -v chromium >/dev/null 2>&1 || { \
	  SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
	  $$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq chromium fonts-dejavu-core; }

# Zero-setup local run: SQLite, eager background tasks, demo data.
run: install
	$(BIN)/python manage.py migrate --noinput
	$(BIN)/python manage.py peken_demo
	$(BIN)/python manage.py runserver 127.0.0.1:8000

# The whole suite on PostgreSQL and Redis, browser tests included.
test: install-test system-deps
	DATABASE_URL=$(DATABASE_URL) $(BIN)/python -m pytest

lint: install-test
	$(BIN)/ruff check .

bench: install-test
	@command -v wrk >/dev/null 2>&1 || { \
	  SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
	  $$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq wrk; }
	$(BIN)/python bench/run.py
