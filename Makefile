# Glabella. `make run` serves the demo; `make test` is what CI runs.
SHELL := /bin/bash
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
MANAGE := $(BIN)/python manage.py
HOST ?= 127.0.0.1
PORT ?= 8000
# Links, QR codes and credentials in the demo name the address `make run` serves on
# (HOST and PORT), unless SITE_URL is set in the environment or in .env.
SITE_URL ?= $(or $(shell sed -n 's/^SITE_URL=//p' .env 2>/dev/null),http://$(if $(filter 0.0.0.0,$(HOST)),127.0.0.1,$(HOST)):$(PORT))

.PHONY: install install-test install-tooling run test worker beat lint format migrations-check totp bench bench-check \
	check-system backup restore

PIP := $(BIN)/pip install --quiet --disable-pip-version-check

# What production needs (requirements.txt): all that `make run`, the worker and beat install.
$(BIN)/.installed: requirements.txt
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(PIP) -r requirements.txt
	touch $@

# The test packages (requirements-test.txt), resolved together with the production pins so
# that neither moves the other.
$(BIN)/.test-installed: requirements.txt requirements-test.txt $(BIN)/.installed
	$(PIP) -r requirements.txt -r requirements-test.txt
	touch $@

# Lint and format tools (requirements-tooling.txt), over the test environment: pip-audit
# then audits every pinned package, not only the production ones.
$(BIN)/.tooling-installed: requirements-tooling.txt $(BIN)/.test-installed
	$(PIP) -r requirements.txt -r requirements-test.txt -r requirements-tooling.txt
	touch $@

# The independent checkers the tests run with Node (package.json): Digital Bazaar's
# credential verifier, axe-core, the Nu HTML checker. Pinned by package-lock.json;
# --ignore-scripts: vnu-jar's install script would download a Java runtime, and
# none of these needs a script to work.
node_modules/.installed: package.json package-lock.json
	npm ci --no-audit --no-fund --ignore-scripts
	touch $@

install: $(BIN)/.installed
install-test: $(BIN)/.test-installed
install-tooling: $(BIN)/.tooling-installed

# System packages the app needs at run time (PDF fonts, QR decoding); installed if missing
# and we may (root with apt). Everything else lives in the virtual environment.
check-system:
	@bash scripts/system-deps.sh

# The demo: SQLite and eager Celery by default; with DATABASE_URL and REDIS_URL set,
# PostgreSQL, Redis, a Celery worker and beat. Certificate PDFs are signed with a
# self-signed key of the demo's own (var/demo-signing/) unless PDF_SIGNING_KEY_FILE is set.
DEMO_SIGNING := var/demo-signing
run: export SITE_URL := $(SITE_URL)
run: export PDF_SIGNING_KEY_FILE ?= $(DEMO_SIGNING)/pdf-signing.key
run: export PDF_SIGNING_CERT_FILE ?= $(DEMO_SIGNING)/pdf-signing.crt
run: install check-system
	DJANGO_DEBUG=1 $(MANAGE) ensure_database
	@test "$$PDF_SIGNING_KEY_FILE" != "$(DEMO_SIGNING)/pdf-signing.key" || \
	  DJANGO_DEBUG=1 $(MANAGE) pdf_signing_key $(DEMO_SIGNING) --if-missing
# Checks after the development key exists (runserver runs them): before, they warn that
# no key signs credentials, which the next line fixes.
	DJANGO_DEBUG=1 $(MANAGE) migrate --noinput --skip-checks
	DJANGO_DEBUG=1 $(MANAGE) credential_keys generate --if-missing
	DJANGO_DEBUG=1 $(MANAGE) seed_demo
	@if [ -n "$$REDIS_URL" ]; then \
	  echo "Starting a Celery worker and beat on $$REDIS_URL"; \
	  DJANGO_DEBUG=1 $(BIN)/celery -A config worker --loglevel=INFO --concurrency=2 & worker=$$!; \
	  DJANGO_DEBUG=1 $(BIN)/celery -A config beat --loglevel=INFO --schedule=var/celerybeat-schedule & beat=$$!; \
	  trap "kill $$worker $$beat 2>/dev/null" EXIT INT TERM; \
	  DJANGO_DEBUG=1 $(MANAGE) runserver $(HOST):$(PORT); \
	else \
	  DJANGO_DEBUG=1 $(MANAGE) runserver $(HOST):$(PORT); \
	fi

test: install-test check-system node_modules/.installed
	$(BIN)/pytest

worker: install
	$(BIN)/celery -A config worker --loglevel=INFO

beat: install
	mkdir -p var && $(BIN)/celery -A config beat --loglevel=INFO --schedule=var/celerybeat-schedule

# Style, migrations, bandit (config in pyproject.toml) and pip-audit over the installed
# packages (scripts/audit_deps.py: says SKIPPED when no vulnerability database answers).
lint: install-tooling
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	DJANGO_DEBUG=1 $(MANAGE) makemigrations --check --dry-run
	$(BIN)/bandit -c pyproject.toml -r . -q
	$(BIN)/python scripts/audit_deps.py

format: install-tooling
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

migrations-check: install
	DJANGO_DEBUG=1 $(MANAGE) makemigrations --check --dry-run

totp: install
	@DJANGO_DEBUG=1 $(MANAGE) totp_code

# Backups (README: Backups): the database (pg_dump custom format, or the SQLite file) and
# the private media (tar) into $(BACKUP_DIR)/<UTC time>/, default var/backups; DEST=folder
# to put it elsewhere. Uses the same DATABASE_URL / PRIVATE_MEDIA_ROOT as the site.
backup: install
	$(MANAGE) backup $(if $(DEST),--dest "$(DEST)")

# make restore BACKUP=var/backups/<UTC time>: checks the hashes, asks, then replaces the
# database and the private media (the old ones are kept as *.pre-restore-<time>).
restore: install
	@test -n "$(BACKUP)" || { echo "usage: make restore BACKUP=var/backups/<UTC time>" >&2; exit 2; }
	$(MANAGE) restore "$(BACKUP)"

# The exam-day benchmark (bench/README.md): a scratch PostgreSQL database, gunicorn and a
# load generator on this machine; needs PostgreSQL and Redis on 127.0.0.1. About 5½ minutes.
bench: install check-system
	$(PIP) -r bench/requirements.txt
	$(BIN)/python bench/run.py

# The newest result in bench/results/ against the committed bench/baseline.json: exits 1
# if a figure is more than 15 % worse. Run it after `make bench`, before a change lands.
bench-check: install
	$(BIN)/python bench/check.py
