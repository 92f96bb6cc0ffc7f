"""The fleet as docker-compose.yml runs it, spoken to through the gateway's published port.

Run by tools/containers/harness.py (`make test-containers`), which sets CONTAINERS_GATEWAY_URL and
CONTAINERS_STATE_FILE and runs these tests twice: `-m "not after_restart"` on a fresh stack, then
`-m after_restart` once the stack has been taken down (volumes kept) and brought up again.
"""

import os
import uuid

import pytest
import requests

GATEWAY = os.environ.get("CONTAINERS_GATEWAY_URL")


def pytest_configure(config):
    config.addinivalue_line("markers", "after_restart: runs after the stack was taken down and brought up again")


def pytest_collection_modifyitems(config, items):
    if not GATEWAY:
        skip = pytest.mark.skip(reason="needs a running compose stack: make test-containers")
        for item in items:
            item.add_marker(skip)


@pytest.fixture(scope="session")
def gateway() -> str:
    return GATEWAY.rstrip("/")


class User:
    """A registered, logged-in user talking HTTP to the gateway."""

    def __init__(self, gateway: str, username: str | None = None, password: str | None = None):
        self.gateway = gateway
        self.username = username or f"user-{uuid.uuid4().hex[:12]}"
        self.password = password or f"pw-{uuid.uuid4().hex}"
        self.tokens: dict = {}

    def register(self) -> "User":
        response = requests.post(f"{self.gateway}/v1/auth/users/",
                                 json={"username": self.username, "password": self.password}, timeout=10)
        assert response.status_code == 201, response.text
        self.id = response.json()["id"]
        return self

    def login(self) -> "User":
        response = requests.post(f"{self.gateway}/v1/auth/token/",
                                 json={"username": self.username, "password": self.password}, timeout=10)
        assert response.status_code == 200, response.text
        self.tokens = response.json()
        return self

    @property
    def headers(self) -> dict:
        return {"Authorization": f"Bearer {self.tokens['access']}"}

    def request(self, method: str, path: str, **kwargs) -> requests.Response:
        return requests.request(method, f"{self.gateway}{path}", headers=self.headers, timeout=10, **kwargs)


@pytest.fixture
def new_user(gateway):
    return lambda: User(gateway).register().login()


@pytest.fixture
def log_in(gateway):
    return lambda username, password: User(gateway, username, password).login()


@pytest.fixture(scope="session")
def state_file():
    path = os.environ.get("CONTAINERS_STATE_FILE")
    if not path:
        pytest.skip("CONTAINERS_STATE_FILE is not set")
    return path
