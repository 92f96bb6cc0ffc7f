import time

import pytest
from rest_framework.test import APIClient

pytestmark = pytest.mark.django_db
URL = "/v1/customers/"


def call(token: str):
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {token}")
    return client.get(URL)


def test_no_token_is_401_with_a_bearer_challenge_and_no_error_code():
    response = APIClient().get(URL)
    assert response.status_code == 401
    assert response["WWW-Authenticate"] == 'Bearer realm="api"'  # RFC 6750 §3.1: nothing was tried


def test_a_bad_token_is_401_whose_challenge_says_invalid_token(key_server):
    for response in (call("not.a.token"), call(key_server.token(sub="s1", exp=int(time.time()) - 120))):
        assert response.status_code == 401
        assert response["WWW-Authenticate"] == 'Bearer realm="api", error="invalid_token"'


def test_a_valid_token_is_accepted(key_server):
    assert call(key_server.token(sub="s1")).status_code == 200


@pytest.mark.parametrize("overrides", [
    {"exp": int(time.time()) - 120},
    {"iss": "https://evil.example"},
    {"aud": ["auth"]},
    {"token_type": "refresh"},
    {"sub": 42},
    {"scope": ["customers:read"]},
])
def test_bad_claims_are_401(key_server, overrides):
    assert call(key_server.token(**{"sub": "s1", **overrides})).status_code == 401


def test_a_changed_byte_is_401(key_server):
    token = key_server.token(sub="s1")
    header, payload, signature = token.split(".")
    flipped = payload[:10] + ("A" if payload[10] != "A" else "B") + payload[11:]
    assert call(".".join([header, flipped, signature])).status_code == 401


def test_keys_are_fetched_once_not_per_request(key_server):
    before = key_server.requests
    for _ in range(5):
        call(key_server.token(sub="s1"))
    assert key_server.requests - before <= 1


def test_v2_401_is_a_problem(key_server):
    client = APIClient()
    response = client.get("/v2/customers/")
    assert response.status_code == 401
    assert response["Content-Type"] == "application/problem+json"
