"""Fixtures for auth's API tests: a real PostgreSQL (started by the harness), a signing key, fast hashing."""

import pytest
from django.conf import settings
from rest_framework.test import APIClient

from tokens.keyring import generate_key_file, get_keyring

pytest_plugins = ["fleet_testing.fixtures"]


@pytest.fixture(autouse=True)
def fast_hashing(settings):
    """Tests measure behaviour, not Argon2's cost."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def fresh_rate_limits():
    """Each test starts with empty counters (the harness's Redis is real and shared by the suite)."""
    from fleet_common.throttling import get_counter, outage

    get_counter().client.flushdb()
    outage.skip_until = 0.0
    yield


@pytest.fixture(scope="session", autouse=True)
def signing_key():
    keyring = get_keyring()
    if not keyring.keys():
        generate_key_file(keyring.directory, settings.AUTH_SIGNING_ALGORITHM)
        keyring.reload()
    return keyring.signing_key()


@pytest.fixture
def api():
    return APIClient()


@pytest.fixture
def user(django_user_model):
    return django_user_model.objects.create_user(username="alice", password="correct horse battery", email="a@example.com")


@pytest.fixture
def login(api):
    def _login(username="alice", password="correct horse battery"):
        response = api.post("/v1/auth/token/", {"username": username, "password": password}, format="json")
        assert response.status_code == 200, response.content
        return response.json()
    return _login


@pytest.fixture
def staff(django_user_model):
    return django_user_model.objects.create_user(username="root", password="correct horse battery", is_staff=True)


@pytest.fixture
def bearer(api):
    """An APIClient authenticated as `user` with a fresh access token."""
    def _bearer(username="alice", password="correct horse battery"):
        response = api.post("/v1/auth/token/", {"username": username, "password": password}, format="json")
        client = APIClient()
        client.credentials(HTTP_AUTHORIZATION=f"Bearer {response.json()['access']}")
        return client
    return _bearer
