# The fleet's commands. `make` alone lists them.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
DEVFLEET := PYTHONPATH=tools $(PY) -m devfleet
LOCKS := services/auth/requirements.txt services/customers/requirements.txt requirements-dev.txt

.DEFAULT_GOAL := help
.PHONY: help dev test schema lock clean

help: ## List the targets
	@grep -hE '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-10s %s\n", $$1, $$2}'

$(VENV)/.installed: $(LOCKS) packages/fleet_common/pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet --require-hashes $(addprefix -r ,$(LOCKS))
	$(PY) -m pip install --quiet --no-deps -e packages/fleet_common
	touch $@

dev: $(VENV)/.installed ## Run the whole fleet as local processes (gateway on http://127.0.0.1:8080)
	$(DEVFLEET) dev

test: $(VENV)/.installed ## Run every test suite against real Postgres, Redis and nginx
	$(DEVFLEET) test

schema: $(VENV)/.installed ## Write the OpenAPI documents of both versions of both services into docs/openapi/
	$(PY) tools/schema.py

lock: ## Re-lock every dependency list with hashes (pip-compile)
	$(PY) -m pip install --quiet pip-tools
	cd services/auth && ../../$(VENV)/bin/pip-compile -q --generate-hashes --strip-extras --allow-unsafe -o requirements.txt requirements.in
	cd services/customers && ../../$(VENV)/bin/pip-compile -q --generate-hashes --strip-extras --allow-unsafe -o requirements.txt requirements.in
	$(VENV)/bin/pip-compile -q --generate-hashes --strip-extras --allow-unsafe -o requirements-dev.txt requirements-dev.in

clean: ## Remove local state (databases, keys, logs) and the virtualenv
	rm -rf var $(VENV)
