# The fleet's commands. `make` alone lists them.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
DEVFLEET := PYTHONPATH=tools $(PY) -m devfleet
# No index or find-links lines from this machine's pip configuration end up in a lock file.
PIP_COMPILE_FLAGS := -q --generate-hashes --strip-extras --allow-unsafe --no-emit-index-url --no-emit-find-links
LOCKS := services/auth/requirements.txt services/customers/requirements.txt requirements-dev.txt
DOCKERFILES := $(wildcard services/*/Dockerfile) gateway/Dockerfile
COMPOSE ?= docker compose

.DEFAULT_GOAL := help
.PHONY: help dev test bench loadtest soak manage cassettes k8s-check schema lint-containers test-containers env up down up-podman down-podman lock clean

help: ## List the targets
	@grep -hE '^[a-z0-9-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-16s %s\n", $$1, $$2}'

$(VENV)/.installed: $(LOCKS) packages/fleet_common/pyproject.toml packages/fleet_client/pyproject.toml packages/fleet_testing/pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet --require-hashes $(addprefix -r ,$(LOCKS))
	$(PY) -m pip install --quiet --no-deps -e packages/fleet_common -e packages/fleet_client -e packages/fleet_testing
	touch $@

dev: $(VENV)/.installed ## Run the whole fleet as local processes (gateway on http://127.0.0.1:8080; TLS=1: https://127.0.0.1:8443)
	$(DEVFLEET) dev $(if $(filter 1 yes true,$(TLS)),--tls) $(if $(CUSTOMERS_INSTANCES),--customers-instances $(CUSTOMERS_INSTANCES))

test: $(VENV)/.installed ## Run every test suite against real Postgres, Redis and nginx, and lint-containers
	@status=0; \
	$(MAKE) --no-print-directory lint-containers || { status=1; echo "make test: lint-containers FAILED"; }; \
	$(DEVFLEET) test || status=1; \
	exit $$status

loadtest: $(VENV)/.installed ## Mixed CRUD through the gateway for 5 min, then 3x overload; p50/p99, errors, lost writes (var/loadtest/)
	PYTHONPATH=tools $(PY) tools/loadtest.py load

soak: $(VENV)/.installed ## Mixed CRUD for 30 min; memory (RSS, PSS) and open descriptors of every process (var/loadtest/)
	PYTHONPATH=tools $(PY) tools/loadtest.py soak

bench: $(VENV)/.installed ## Measure the fleet (production settings, wrk on loopback) against its ceilings; writes var/bench/results.json and docs/benchmarks.md
	PYTHONPATH=tools $(PY) -m bench --write-docs $(BENCH_ARGS)

lint-containers: $(VENV)/.installed ## Lint the Dockerfiles (hadolint) and check docker-compose.yml against the compose spec
	$(VENV)/bin/hadolint $(DOCKERFILES)
	$(VENV)/bin/check-jsonschema --builtin-schema vendor.compose-spec docker-compose.yml

test-containers: $(VENV)/.installed ## Build every image and run docker-compose.yml under podman, then remove it all (root)
	$(PY) tools/containers/harness.py

env: ## Write .env for docker compose from .env.example with fresh random secrets (adds new ones; never overwrites)
	$(PYTHON) tools/containers/write_env.py

.env:
	$(PYTHON) tools/containers/write_env.py

up: | .env ## Build and start the fleet in containers (docker compose); gateway on http://localhost:8080
	@$(COMPOSE) version >/dev/null 2>&1 || { echo "make up: no Docker Compose v2 ($(COMPOSE)) here; with podman and no Docker engine: make up-podman"; exit 1; }
	$(COMPOSE) up --build --detach --wait

down: ## Stop and remove the fleet's containers; the named volumes (data, keys) are kept
	@$(COMPOSE) version >/dev/null 2>&1 || { echo "make down: no Docker Compose v2 ($(COMPOSE)) here; after make up-podman: make down-podman"; exit 1; }
	$(COMPOSE) down

up-podman: $(VENV)/.installed ## The same containers under podman (no Docker engine; root): built, checked, left running on :8080
	$(PY) tools/containers/harness.py --keep

down-podman: $(VENV)/.installed ## Remove what up-podman left: its containers, network, volumes (their data too) and images
	$(PY) tools/containers/harness.py --down

manage: $(VENV)/.installed ## Run manage.py against the dev fleet: make manage ARGS="auth createsuperuser"
	$(DEVFLEET) manage $(ARGS)

cassettes: $(VENV)/.installed ## Record the Python client's vcrpy cassettes again, against a live test fleet
	RECORD_CASSETTES=1 DEVFLEET_STATE_DIR=$(CURDIR)/var/cassettes PYTHONPATH=tools $(PY) -m pytest -p no:cacheprovider -q tests/e2e/test_client_live.py

k8s-check: $(VENV)/.installed ## Render, validate and scan the Kubernetes manifests (the k8s suite of make test)
	$(PY) -m pytest -p no:cacheprovider tests/k8s

schema: $(VENV)/.installed ## Write the OpenAPI documents of both versions of both services into docs/openapi/
	$(PY) tools/openapi_documents.py

lock: ## Re-lock every dependency list with hashes (pip-compile)
	$(PY) -m pip install --quiet pip-tools
	cd services/auth && ../../$(VENV)/bin/pip-compile $(PIP_COMPILE_FLAGS) -o requirements.txt requirements.in
	cd services/customers && ../../$(VENV)/bin/pip-compile $(PIP_COMPILE_FLAGS) -o requirements.txt requirements.in
	$(VENV)/bin/pip-compile $(PIP_COMPILE_FLAGS) -o requirements-dev.txt requirements-dev.in
	cd tests/k8s && ../../$(VENV)/bin/pip-compile $(PIP_COMPILE_FLAGS) -o checkov-requirements.txt checkov-requirements.in

clean: ## Remove local state (databases, keys, logs) and the virtualenv
	rm -rf var $(VENV)
