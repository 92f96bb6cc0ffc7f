"""End-to-end fixtures: the whole fleet started the way `make dev` starts it, spoken to through nginx."""

import os
import subprocess
import sys
import uuid
from pathlib import Path
from types import SimpleNamespace

import pytest
import requests

from devfleet import Fleet, test_config
from devfleet.tls import self_signed_pair
from fleet_testing import free_port

ROOT = Path(__file__).resolve().parents[2]


# Short key-rotation timings so a rotation completes within a test; the ordering is production's:
# publish delay (8 s) > auth's key re-read (5 s) + customers' JWKS refresh (2 s).
FAST_ROTATION = {
    "auth": {"AUTH_KEY_PUBLISH_DELAY_SECONDS": "8"},
    "customers": {"JWKS_REFRESH_INTERVAL_SECONDS": "2", "JWKS_MIN_REFETCH_INTERVAL_SECONDS": "1"},
}


@pytest.fixture(scope="session")
def fleet():
    state_dir = Path(os.environ.get("DEVFLEET_STATE_DIR", ROOT / "var" / "test-e2e"))
    config = test_config(ROOT, state_dir)
    for service, overrides in FAST_ROTATION.items():
        config.service_env.setdefault(service, {}).update(overrides)
    with Fleet(config) as running:
        yield running


@pytest.fixture(scope="session")
def gateway(fleet) -> str:
    return f"http://127.0.0.1:{fleet.config.gateway_port}"


class User:
    """A registered, logged-in user talking HTTP to the gateway (`verify`: the CA file of a TLS gateway)."""

    def __init__(self, gateway: str, verify: bool | str = True):
        self.gateway, self.verify = gateway, verify
        self.username = f"user-{uuid.uuid4().hex[:12]}"
        self.password = f"pw-{uuid.uuid4().hex}"
        response = requests.post(f"{gateway}/v1/auth/users/", json={"username": self.username, "password": self.password},
                                 verify=verify, timeout=10)
        assert response.status_code == 201, response.text
        self.id = response.json()["id"]
        self.tokens = self.login()

    def login(self) -> dict:
        response = requests.post(f"{self.gateway}/v1/auth/token/", verify=self.verify, timeout=10,
                                 json={"username": self.username, "password": self.password})
        assert response.status_code == 200, response.text
        return response.json()

    @property
    def headers(self) -> dict:
        return {"Authorization": f"Bearer {self.tokens['access']}"}

    def request(self, method: str, path: str, **kwargs) -> requests.Response:
        headers = {**self.headers, **(kwargs.pop("headers", None) or {})}
        return requests.request(method, f"{self.gateway}{path}", headers=headers, verify=self.verify, timeout=10,
                                **kwargs)


@pytest.fixture(scope="session")
def new_user(gateway):
    return lambda: User(gateway)


@pytest.fixture
def admin_headers(fleet, gateway) -> dict:
    """A fresh superuser's bearer header, made as README makes one (`manage.py createsuperuser`)."""
    password, username = f"admin-{uuid.uuid4().hex}", f"admin-{uuid.uuid4().hex[:8]}"
    subprocess.run([sys.executable, "manage.py", "createsuperuser", "--noinput", "--username", username,
                    "--email", "admin@example.com"], cwd=fleet.config.service_dir("auth"),
                   env={**fleet.env_for("auth"), "DJANGO_SUPERUSER_PASSWORD": password}, check=True,
                   capture_output=True)
    token = requests.post(f"{gateway}/v1/auth/token/", json={"username": username, "password": password},
                          timeout=10).json()
    return {"Authorization": f"Bearer {token['access']}"}


@pytest.fixture(scope="session")
def tls_gateway(fleet):
    """A second gateway in front of the same services, terminating TLS with devfleet's self-signed pair
    (what `make dev TLS=1` runs): https on one port, redirects on another."""
    config = fleet.config
    cert, key = self_signed_pair(config.tls_dir)
    port, tls_port = free_port(), free_port()
    fleet.start_gateway("gateway-tls", directory=config.state_dir / "gateway-tls", port=port, tls_port=tls_port,
                        tls_pair=(cert, key))
    yield SimpleNamespace(url=f"https://127.0.0.1:{tls_port}", plain_url=f"http://127.0.0.1:{port}", cafile=str(cert))
    fleet.stop_instance("gateway-tls")
