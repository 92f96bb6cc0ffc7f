"""End-to-end fixtures: the whole fleet started the way `make dev` starts it, spoken to through nginx."""

import os
import uuid
from pathlib import Path

import pytest
import requests

from devfleet import Fleet, test_config

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="session")
def fleet():
    state_dir = Path(os.environ.get("DEVFLEET_STATE_DIR", ROOT / "var" / "test-e2e"))
    with Fleet(test_config(ROOT, state_dir)) as running:
        yield running


@pytest.fixture(scope="session")
def gateway(fleet) -> str:
    return f"http://127.0.0.1:{fleet.config.gateway_port}"


class User:
    """A registered, logged-in user talking HTTP to the gateway."""

    def __init__(self, gateway: str):
        self.gateway = gateway
        self.username = f"user-{uuid.uuid4().hex[:12]}"
        self.password = f"pw-{uuid.uuid4().hex}"
        response = requests.post(f"{gateway}/v1/auth/users/", json={"username": self.username, "password": self.password})
        assert response.status_code == 201, response.text
        self.id = response.json()["id"]
        self.tokens = self.login()

    def login(self) -> dict:
        response = requests.post(f"{self.gateway}/v1/auth/token/",
                                 json={"username": self.username, "password": self.password})
        assert response.status_code == 200, response.text
        return response.json()

    @property
    def headers(self) -> dict:
        return {"Authorization": f"Bearer {self.tokens['access']}"}

    def request(self, method: str, path: str, **kwargs) -> requests.Response:
        headers = {**self.headers, **kwargs.pop("headers", {})}
        return requests.request(method, f"{self.gateway}{path}", headers=headers, timeout=10, **kwargs)


@pytest.fixture
def new_user(gateway):
    return lambda: User(gateway)
