# Agora — one command to run, one to test (see README.md).
PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python
PIP := $(VENV)/bin/pip
HOST ?= 127.0.0.1
PORT ?= 8000
export DJANGO_SETTINGS_MODULE ?= portal.settings.dev


.PHONY: run test authz-matrix install install-dev migrate seed serve worker lint format messages check-migrations check-deploy bench clean es-contract prod-up prod-smoke prod-down api-fuzz form-fuzz

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
	DJANGO_SETTINGS_MODULE=portal.settings.test $(VENV)/bin/pytest -m "not fuzz and not authz_matrix" $(PYTEST_ARGS)

## authz-matrix: every URL pattern × every demo role (tests/access/test_matrix*.py, ADR 0140);
## slow, so `make test` deselects it
authz-matrix: install-dev
	DJANGO_SETTINGS_MODULE=portal.settings.test $(VENV)/bin/pytest tests/access -m authz_matrix -q -s -ra $(PYTEST_ARGS)

## api-fuzz: schemathesis against a live daphne, as sales1 and as admin (ADR 0802)
API_FUZZ_PORT ?= 8190
api-fuzz: install-dev
	API_FUZZ_PORT=$(API_FUZZ_PORT) $(PY) scripts/api_fuzz.py $(API_FUZZ_ARGS)

## form-fuzz: every HTML form × hostile values, as every demo role (ADR 0802)
form-fuzz: install-dev
	DJANGO_SETTINGS_MODULE=portal.settings.test $(VENV)/bin/pytest tests/fuzz -m fuzz -q -rxX $(PYTEST_ARGS)

lint: install-dev
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check portal tests bench deploy

format: install-dev
	$(VENV)/bin/ruff check --fix .
	$(VENV)/bin/ruff format portal tests bench deploy

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

## es-contract: type-check every Elasticsearch request body against the official ES 8 request
## types (npm @elastic/elasticsearch, pinned in tests/search/es_types/package-lock.json)
ES_TYPES := tests/search/es_types
es-contract: install-dev
	@command -v node >/dev/null && command -v npm >/dev/null || { \
	  if [ "$$(id -u)" = 0 ]; then SUDO=""; else SUDO="sudo"; fi; \
	  $$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq nodejs npm >/dev/null; }
	cd $(ES_TYPES) && npm ci --no-audit --no-fund --loglevel=error
	AGORA_REQUIRE_TSC=1 DJANGO_SETTINGS_MODULE=portal.settings.test \
	  $(VENV)/bin/pytest -q tests/search/test_es_request_types.py

bench: install-dev
	$(PY) bench/run.py $(BENCH_ARGS)

## prod-up / prod-smoke / prod-down: the production topology on loopback ports (deploy/):
## nginx :8130 (TLS) → 2 daphne, 2 workers, PostgreSQL + Redis, a scratch database.
AGORA_RUN ?= /tmp/agora-deploy
prod-up: install
	AGORA_RUN=$(AGORA_RUN) deploy/local-up

prod-smoke: install-dev
	AGORA_RUN=$(AGORA_RUN) DJANGO_SETTINGS_MODULE=portal.settings.test \
	  $(VENV)/bin/pytest tests/deploy/test_smoke.py -p no:cacheprovider -q $(PYTEST_ARGS)

prod-down:
	AGORA_RUN=$(AGORA_RUN) deploy/local-down

clean:
	rm -rf $(VENV) var staticfiles .pytest_cache .ruff_cache
