"""Fixtures for customers' API tests: a real PostgreSQL, and a real JWKS served over HTTP like auth's."""

import uuid

import pytest
from django.conf import settings
from rest_framework.test import APIClient

from fleet_common.authentication import get_verifier
from fleet_testing import ISSUER, KeyServer

pytest_plugins = ["fleet_testing.fixtures"]


@pytest.fixture(scope="session")
def key_server():
    server = KeyServer()
    settings.FLEET_JWT = {**settings.FLEET_JWT, "ISSUER": ISSUER, "JWKS_URL": server.url, "JWKS_CACHE_PATH": None}
    get_verifier.cache_clear()
    yield server
    server.stop()


@pytest.fixture
def client_for(key_server):
    def _client(sub: str | None = None, scopes=("customers:read", "customers:write")) -> APIClient:
        client = APIClient()
        client.credentials(HTTP_AUTHORIZATION=f"Bearer {key_server.token(sub=sub or str(uuid.uuid4()), scopes=scopes)}")
        client.sub = sub
        return client
    return _client


@pytest.fixture
def alice(client_for):
    return client_for(str(uuid.uuid4()))


@pytest.fixture
def bob(client_for):
    return client_for(str(uuid.uuid4()))


@pytest.fixture
def admin(client_for):
    return client_for(str(uuid.uuid4()), scopes=("customers:admin",))


@pytest.fixture
def make_customers():
    """Rows straight into the database (not through the API, so no throttle counts them)."""
    from customers.models import Customer

    def _make(owner: str, count: int, **fields) -> list:
        return [Customer.objects.create(owner=owner, **{"name": f"Customer {i:03d}", "email": f"c{i}@example.com",
                                                        **fields})
                for i in range(count)]
    return _make
