"""The README's story through the real gateway: register, log in, own customers, and nobody else's."""

import requests


def test_register_login_create_fetch_isolate_delete(gateway, new_user):
    alice, bob = new_user(), new_user()
    created = alice.request("POST", "/v1/customers/", json={"name": "Ada", "email": "ada@example.com"})
    assert created.status_code == 201, created.text
    location = created.headers["Location"]
    assert location.startswith(f"{gateway}/v1/customers/")  # Host and port survive the gateway
    path = location.removeprefix(gateway)

    fetched = alice.request("GET", path)
    assert fetched.status_code == 200
    assert fetched.json()["owner"] == alice.id

    assert bob.request("GET", path).status_code == 404
    assert alice.request("DELETE", path).status_code == 204
    assert alice.request("GET", path).status_code == 404


def test_no_token_is_401_with_a_bearer_challenge(gateway):
    response = requests.get(f"{gateway}/v1/customers/")
    assert response.status_code == 401
    assert response.headers["WWW-Authenticate"].startswith("Bearer")


def test_a_token_with_one_changed_byte_is_401(gateway, new_user):
    token = new_user().tokens["access"]
    header, payload, signature = token.split(".")
    changed = signature[:-5] + ("A" if signature[-5] != "A" else "B") + signature[-4:]
    response = requests.get(f"{gateway}/v1/customers/", headers={"Authorization": f"Bearer {header}.{payload}.{changed}"})
    assert response.status_code == 401


def test_refresh_and_me_through_the_gateway(gateway, new_user):
    alice = new_user()
    refreshed = requests.post(f"{gateway}/v2/auth/token/refresh/", json={"refresh": alice.tokens["refresh"]})
    assert refreshed.status_code == 200
    alice.tokens = refreshed.json()
    me = alice.request("GET", "/v2/auth/me/")
    assert me.status_code == 200 and me.json()["id"] == alice.id


def test_jwks_is_public_through_the_gateway(gateway):
    keys = requests.get(f"{gateway}/.well-known/jwks.json").json()["keys"]
    assert keys and all("kid" in key and "d" not in key for key in keys)
