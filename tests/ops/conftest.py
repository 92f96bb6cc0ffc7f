"""The harness PostgreSQL (devfleet Infra, test ports shifted by DEVFLEET_PORT_OFFSET) with customers migrated."""

import os
import subprocess
from pathlib import Path

import pytest

from devfleet import Infra, test_config
from devfleet.infra import base_env

ROOT = Path(__file__).resolve().parents[2]
SERVICE = "customers"


@pytest.fixture(scope="session")
def infra():
    state_dir = Path(os.environ.get("DEVFLEET_STATE_DIR", ROOT / "var" / "test-ops"))
    with Infra(test_config(ROOT, state_dir)) as running:
        yield running


@pytest.fixture(scope="session")
def service_env(infra) -> dict[str, str]:
    return {**infra.env_for(SERVICE), "DJANGO_ENV": "test"}


def run_manage(env: dict, *args: str) -> subprocess.CompletedProcess:
    result = subprocess.run([str(ROOT / ".venv" / "bin" / "python"), "manage.py", *args],
                            cwd=ROOT / "services" / SERVICE, env=env, capture_output=True, text=True)
    assert result.returncode == 0, f"manage.py {' '.join(args)}:\n{result.stdout}\n{result.stderr}"
    return result


@pytest.fixture(scope="session")
def migrated(service_env) -> dict[str, str]:
    """customers' real schema, migrated the way the Kubernetes init container does it."""
    run_manage(service_env, "migrate_locked")
    return service_env


@pytest.fixture
def tool_env(infra) -> dict[str, str]:
    """What an operator's shell has: the tools' folder of the harness Postgres, no PG* variables."""
    return {**base_env(), "PG_BIN": str(infra.postgres.bin)}


@pytest.fixture
def manage():
    """`manage.py ARGS` of the service, asserting success."""
    return run_manage
