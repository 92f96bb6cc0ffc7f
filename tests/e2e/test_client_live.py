"""The Python client's flows, live against the fleet; `make cassettes` records them for fast replays."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "packages" / "fleet_client" / "tests"))
from client_flows import FLOWS, cassette  # noqa: E402

RECORD = os.environ.get("RECORD_CASSETTES") == "1"


@pytest.fixture(scope="module")
def service_client(fleet) -> tuple[str, str]:
    result = subprocess.run(
        [sys.executable, "manage.py", "service_client", "create", "e2e-client",
         "--scope", "customers:read", "customers:write"],
        cwd=fleet.config.service_dir("auth"), env=fleet.env_for("auth"), capture_output=True, text=True, check=True)
    values = dict(line.split("=", 1) for line in result.stdout.splitlines() if "=" in line)
    return values["client_id"], values["client_secret"]


@pytest.mark.parametrize("name", sorted(FLOWS))
def test_client_flow_live(name, gateway, service_client):
    client_id, secret = service_client
    if RECORD:
        with cassette(name, record=True):
            FLOWS[name](gateway, client_id, secret)
    else:
        FLOWS[name](gateway, client_id, secret)
