# The fleet's commands. `make` alone lists them.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
DEVFLEET := PYTHONPATH=tools $(PY) -m devfleet
LOCKS := services/auth/requirements.txt services/customers/requirements.txt requirements-dev.txt
DOCKERFILES := $(wildcard services/*/Dockerfile) gateway/Dockerfile
COMPOSE ?= docker compose

.DEFAULT_GOAL := help
.PHONY: help dev test lint-containers test-containers env up down lock clean

help: ## List the targets
	@grep -hE '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-16s %s\n", $$1, $$2}'

$(VENV)/.installed: $(LOCKS) packages/fleet_common/pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet --require-hashes $(addprefix -r ,$(LOCKS))
	$(PY) -m pip install --quiet --no-deps -e packages/fleet_common
	touch $@

dev: $(VENV)/.installed ## Run the whole fleet as local processes (gateway on http://127.0.0.1:8080)
	$(DEVFLEET) dev

test: $(VENV)/.installed ## Run every test suite against real Postgres, Redis and nginx, and lint-containers
	@status=0; \
	$(MAKE) --no-print-directory lint-containers || { status=1; echo "make test: lint-containers FAILED"; }; \
	$(DEVFLEET) test || status=1; \
	exit $$status

lint-containers: $(VENV)/.installed ## Lint the Dockerfiles (hadolint) and check docker-compose.yml against the compose spec
	$(VENV)/bin/hadolint $(DOCKERFILES)
	$(VENV)/bin/check-jsonschema --builtin-schema vendor.compose-spec docker-compose.yml

test-containers: $(VENV)/.installed ## Build every image and run docker-compose.yml under podman, then remove it all (root)
	$(PY) tools/containers/harness.py

env: ## Write .env for docker compose from .env.example with fresh random secrets (never overwrites)
	$(PYTHON) tools/containers/write_env.py

.env:
	$(PYTHON) tools/containers/write_env.py

up: | .env ## Build and start the fleet in containers (docker compose); gateway on http://localhost:8080
	$(COMPOSE) up --build --detach --wait

down: ## Stop and remove the fleet's containers; the named volumes (data, keys) are kept
	$(COMPOSE) down

lock: ## Re-lock every dependency list with hashes (pip-compile)
	$(PY) -m pip install --quiet pip-tools
	cd services/auth && ../../$(VENV)/bin/pip-compile -q --generate-hashes --strip-extras --allow-unsafe -o requirements.txt requirements.in
	cd services/customers && ../../$(VENV)/bin/pip-compile -q --generate-hashes --strip-extras --allow-unsafe -o requirements.txt requirements.in
	$(VENV)/bin/pip-compile -q --generate-hashes --strip-extras --allow-unsafe -o requirements-dev.txt requirements-dev.in

clean: ## Remove local state (databases, keys, logs) and the virtualenv
	rm -rf var $(VENV)
