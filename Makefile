# Agora — one command to run, one to test (see README.md).
PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python
PIP := $(VENV)/bin/pip
HOST ?= 127.0.0.1
PORT ?= 8000
export DJANGO_SETTINGS_MODULE ?= portal.settings.dev

.PHONY: run test install install-dev migrate seed serve worker lint format messages check-migrations check-deploy bench clean api-fuzz form-fuzz

$(VENV)/.installed: pyproject.toml
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PIP) install --quiet --upgrade pip
	$(PIP) install --quiet -e .
	touch $@

$(VENV)/.installed-dev: $(VENV)/.installed pyproject.toml
	$(PIP) install --quiet -e ".[dev]"
	touch $@

install: $(VENV)/.installed
install-dev: $(VENV)/.installed-dev

migrate: install
	$(PY) manage.py migrate --noinput

seed: migrate
	$(PY) manage.py seed_demo

## run: install, migrate, seed demo data (idempotent), then serve with daphne + the worker
run: seed
	@echo "Agora is starting at http://$(HOST):$(PORT)/ (sign in as sales1 / agora-demo)"
	@trap 'kill 0' INT TERM EXIT; \
	  $(PY) manage.py run_worker & \
	  $(VENV)/bin/daphne -b $(HOST) -p $(PORT) portal.asgi:application

## test: install the dev extra and run the whole suite
test: install-dev
	DJANGO_SETTINGS_MODULE=portal.settings.test $(VENV)/bin/pytest -m "not fuzz" $(PYTEST_ARGS)

## api-fuzz: schemathesis against a live daphne, as sales1 and as admin (ADR 0802)
API_FUZZ_PORT ?= 8190
api-fuzz: install-dev
	API_FUZZ_PORT=$(API_FUZZ_PORT) $(PY) scripts/api_fuzz.py $(API_FUZZ_ARGS)

## form-fuzz: every HTML form × hostile values, as every demo role (ADR 0802)
form-fuzz: install-dev
	DJANGO_SETTINGS_MODULE=portal.settings.test $(VENV)/bin/pytest tests/fuzz -m fuzz -q -rxX $(PYTEST_ARGS)

lint: install-dev
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check portal tests bench

format: install-dev
	$(VENV)/bin/ruff check --fix .
	$(VENV)/bin/ruff format portal tests bench

check-migrations: install
	$(PY) manage.py makemigrations --check --dry-run

check-deploy: install
	DJANGO_SETTINGS_MODULE=portal.settings.production \
	  SECRET_KEY="$$($(PY) -c 'import secrets; print(secrets.token_urlsafe(64))')" \
	  ALLOWED_HOSTS=agora.example.com \
	  $(PY) manage.py check --deploy --fail-level WARNING

## messages: refresh and compile the zh-hans catalogues (needs GNU gettext's xgettext)
messages: install-dev
	$(PY) scripts/messages.py

bench: install-dev
	$(PY) bench/run.py $(BENCH_ARGS)

clean:
	rm -rf $(VENV) var staticfiles .pytest_cache .ruff_cache
