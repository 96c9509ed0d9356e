# The two commands a newcomer needs: `make run` and `make test`.
# Any Python from 3.11 to 3.13 (pyproject's requires-python), the first one found.
PYTHON ?= $(or $(shell for p in python3.11 python3.12 python3.13; do command -v $$p && break; done),python3)
VENV := .venv
BIN := $(VENV)/bin
DATABASE_URL ?= postgres://postgres@127.0.0.1:5432/peken
export DATABASE_URL_TEST := $(DATABASE_URL)

.PHONY: run test install install-test pango system-deps demo lint bench bench-reports races

$(BIN)/python:
	$(PYTHON) -c 'import sys; sys.exit(not (3, 11) <= sys.version_info[:2] <= (3, 13))' || \
	  { echo "Peken needs Python 3.11, 3.12 or 3.13 (make PYTHON=/path/to/python3.x)"; exit 1; }
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

# The dev extra is localstripe, the fake Stripe server `make run` talks to.
# Installed again only when the dependencies change, so a second `make run` starts at once.
install: $(VENV)/.installed-dev
$(VENV)/.installed-dev: pyproject.toml constraints.txt | $(BIN)/python
	$(BIN)/pip install --quiet -c constraints.txt ".[dev]"
	touch $@

install-test: $(VENV)/.installed-test
$(VENV)/.installed-test: pyproject.toml constraints.txt | $(BIN)/python
	$(BIN)/pip install --quiet -c constraints.txt ".[test]"
	touch $@

# pango is what WeasyPrint draws the purchase documents with (`make run` needs it too);
# Debian's chromium drives the browser tests (Playwright's own download cannot work here) and
# poppler-utils is what they read the documents with.
APT_INSTALL = SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
  $$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq
pango:
	@ldconfig -p | grep -q libpangoft2 || { $(APT_INSTALL) libpango-1.0-0 libpangoft2-1.0-0 fonts-dejavu-core; }
system-deps: pango
	@{ command -v chromium && command -v pdftoppm; } >/dev/null 2>&1 || { \
	  $(APT_INSTALL) chromium fonts-dejavu-core poppler-utils; }

# Zero-setup local run: SQLite, eager background tasks, demo data (only what is missing is
# loaded, so prices, stock and anything else changed since are kept).
# Card payments go to localstripe on port 8420 (started here, stopped with the server),
# which delivers its signed webhooks back to the dev server.
LOCALSTRIPE_PORT ?= 8420
run: install pango
	$(BIN)/python manage.py peken_demo --migrate
	$(BIN)/python -m payments.localstripe_server --port $(LOCALSTRIPE_PORT) \
	  --webhook-url http://127.0.0.1:8000/pembayaran/stripe/webhook/ \
	  --webhook-secret "$${STRIPE_WEBHOOK_SECRET:-whsec_peken_localstripe}" & LOCALSTRIPE=$$!; \
	  trap 'kill $$LOCALSTRIPE 2>/dev/null' EXIT INT TERM; \
	  STRIPE_API_BASE=http://127.0.0.1:$(LOCALSTRIPE_PORT) \
	  STRIPE_JS_URL=http://127.0.0.1:$(LOCALSTRIPE_PORT)/js.stripe.com/v3/ \
	  $(BIN)/python manage.py runserver 127.0.0.1:8000

# The whole suite on PostgreSQL and Redis, browser tests included.
test: install-test system-deps
	DATABASE_URL=$(DATABASE_URL) $(BIN)/python -m pytest

# ruff's lint rules and its formatter (line length 110, pyproject.toml); CI runs this first.
lint: install-test
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

# Peken, stock django-oscar and a trivial Django view under gunicorn, interleaved (bench/RESULTS.md);
# for instance `make bench BENCH_ARGS="--only peken --rounds 1"`.
bench: install-test
	@command -v wrk >/dev/null 2>&1 || { \
	  SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
	  $$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq wrk; }
	$(BIN)/python bench/run.py $(BENCH_ARGS)

# `make bench` is the storefront under load; this is the reports': every page and export of the
# "reports" namespace, city-wide and for one agency, on the synthetic city that
# `manage.py peken_synthetic --requisitions 100000` fills (bench/reports.py says how; it refuses
# a database without it). Prints the table for bench/RESULTS.md; for instance
# `make bench-reports BENCH_REPORTS_ARGS="--runs 3 --fresh"`.
BENCH_REPORTS_DATABASE_URL ?= postgres://postgres@127.0.0.1:5432/peken_synth
bench-reports: install-test
	$(BIN)/python bench/reports.py --database-url $(BENCH_REPORTS_DATABASE_URL) $(BENCH_REPORTS_ARGS)

# Double clicks, two tabs and checkout against approval, raced against gunicorn on PostgreSQL
# (a database of its own, made afresh: RACES_DATABASE_URL); prints the counts for bench/RESULTS.md.
races: install-test
	$(BIN)/python bench/races.py
