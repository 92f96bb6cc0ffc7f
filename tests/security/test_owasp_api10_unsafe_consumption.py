"""OWASP API10:2023 Unsafe Consumption of APIs: what a service consumes from another (a token auth signed, the keys
auth publishes) is checked before use. Odd but validly signed claims are a 401 at auth's own endpoints and at
customers, never a 500; so are forged ones (tests/e2e/test_hostile_tokens.py covers customers' side in depth)."""

import base64
import hmac
import json
import time
import uuid
from hashlib import sha256

import jwt
import pytest
import requests
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

from helpers import DROP, direct, manage, token_signer


def b64(value) -> str:
    raw = json.dumps(value).encode() if isinstance(value, dict) else value
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()


@pytest.fixture(scope="module")
def sign(fleet, alice):
    return token_signer(fleet, alice.access)


@pytest.fixture(scope="module")
def gone_user(fleet, new_user, admin):
    """A user deleted by an admin, and one deactivated: their tokens are still validly signed."""
    deleted, deactivated = new_user(), new_user()
    assert admin.request("DELETE", f"/v2/auth/users/{deleted.id}/").status_code == 204
    assert admin.request("PATCH", f"/v2/auth/users/{deactivated.id}/", json={"is_active": False}).status_code == 200
    return deleted, deactivated


def odd_but_signed(sign, gone_user, service_client):
    """Tokens carrying auth's own valid signature, each with one thing wrong for auth's user endpoints."""
    now = int(time.time())
    deleted, deactivated = gone_user
    yield "sub not a UUID", sign(sub="not-a-uuid")
    yield "sub a path", sign(sub="../../etc/passwd")
    yield "sub of a service client", sign(sub=f"client:{service_client.client_id}")
    yield "sub names no user", sign(sub=str(uuid.uuid4()))
    yield "sub of a deleted user", sign(sub=deleted.id)
    yield "sub of a deactivated user", sign(sub=deactivated.id)
    yield "sub with a NUL", sign(sub=f"{deleted.id}\x00")
    yield "sub with a lone surrogate", sign(sub="\ud800")
    yield "sub of 256 characters", sign(sub="a" * 256)
    yield "sub empty", sign(sub="")
    yield "sub a number", sign(sub=12345)
    yield "sub a list", sign(sub=[deleted.id])
    yield "sub missing", sign(sub=DROP)
    yield "exp missing", sign(exp=DROP)
    yield "exp a string", sign(exp="tomorrow")
    yield "exp past", sign(exp=now - 300, iat=now - 600)
    yield "nbf future", sign(nbf=now + 600)
    yield "iat a string", sign(iat="now")
    yield "aud only customers", sign(aud=["customers"])
    yield "aud a number", sign(aud=7)
    yield "iss another", sign(iss="https://evil.example")
    yield "token_type refresh", sign(token_type="refresh")
    yield "token_type missing", sign(token_type=DROP)
    yield "jti a dict", sign(jti={"a": 1})
    yield "scope a list", sign(scope=["customers:admin"])
    yield "username a dict", sign(username={"is_staff": True})
    yield "username of 5,000 characters", sign(username="x" * 5000)
    yield "crit header naming an unknown extension", sign(headers={"crit": ["exp-ext"], "exp-ext": True})
    yield "kid unknown", sign(headers={"kid": "unknown-kid"})
    yield "kid a number", sign.raw({"kid": 7})
    yield "alg in the header other than the key's", sign.raw({"alg": "ES256" if sign.alg == "RS256" else "RS256"})


def forged(sign):
    claims = sign.claims
    public_pem = sign.key.public_key().public_bytes(serialization.Encoding.PEM,
                                                    serialization.PublicFormat.SubjectPublicKeyInfo)
    hs_input = f"{b64({'alg': 'HS256', 'kid': sign.kid})}.{b64(claims)}"
    head, body, signature = sign().split(".")
    yield "alg none", f"{b64({'alg': 'none', 'kid': sign.kid})}.{b64(claims)}."
    yield "HS256 with the public key", f"{hs_input}.{b64(hmac.new(public_pem, hs_input.encode(), sha256).digest())}"
    yield "payload changed", f"{head}.{b64({**claims, 'sub': str(uuid.uuid4())})}.{signature}"
    yield "signature cut", f"{head}.{body}.{signature[:20]}"
    yield "header not JSON", f"{b64(b'not json')}.{body}.{signature}"
    yield "payload not JSON", f"{head}.{b64(b'[1, 2')}.{signature}"
    yield "payload a list", f"{head}.{b64(b'[]')}.{signature}"
    yield "four segments", f"{head}.{body}.{signature}.{signature}"
    yield "not base64", "!!!.@@@.###"


AUTH_ENDPOINTS = [("GET", "/v2/auth/me/"), ("PATCH", "/v1/auth/me/"), ("POST", "/v2/auth/me/password/"),
                  ("GET", "/v1/auth/users/")]


def test_odd_but_validly_signed_claims_are_401_at_auths_own_endpoints(fleet, gateway, sign, gone_user,
                                                                      service_client, record):
    results = {}
    for name, token in [*odd_but_signed(sign, gone_user, service_client), *forged(sign)]:
        for method, path in AUTH_ENDPOINTS:
            for base in (gateway, direct(fleet, "auth")):
                response = requests.request(method, f"{base}{path}", headers={"Authorization": f"Bearer {token}"},
                                            json={"email": "x@example.com"})
                results[(name, method, path, base == gateway)] = response.status_code
    wrong = {key: status for key, status in results.items() if status != 401}
    record(tokens=len({key[0] for key in results}), requests=len(results))
    assert not wrong, wrong


def test_odd_claims_are_401_at_customers_where_they_matter(fleet, gateway, sign, record):
    """Customers has no user table: any subject is an owner, but never one a database cannot hold."""
    results = {}
    for name, token in [("sub with a NUL", sign(sub="a\x00")), ("sub with a lone surrogate", sign(sub="a\ud800")),
                        ("sub of 256 characters", sign(sub="a" * 256)), ("aud only auth", sign(aud=["auth"])),
                        ("scope a list", sign(scope=["customers:admin"])), ("exp a string", sign(exp="soon")),
                        ("crit header", sign(headers={"crit": ["exp-ext"], "exp-ext": True}))]:
        headers = {"Authorization": f"Bearer {token}"}
        for base in (gateway, direct(fleet, "customers")):
            results[(name, "GET", base)] = requests.get(f"{base}/v2/customers/", headers=headers).status_code
            results[(name, "POST", base)] = requests.post(f"{base}/v2/customers/", headers=headers,
                                                          json={"name": "x", "email": "x@example.com"}).status_code
        results[(name, "internal")] = requests.delete(f"{direct(fleet, 'customers')}/internal/v1/owners/x/customers/",
                                                      headers=headers).status_code
    record(requests=len(results))
    assert all(status == 401 for status in results.values()), results


def test_the_signer_itself_is_accepted(gateway, sign, alice):
    """The control: the 401s above are the claims, not the signature."""
    token = sign()
    assert requests.get(f"{gateway}/v2/auth/me/", headers={"Authorization": f"Bearer {token}"}).json()["id"] == alice.id
    assert requests.get(f"{gateway}/v2/customers/", headers={"Authorization": f"Bearer {token}"}).status_code == 200


def test_customers_takes_keys_only_from_auths_published_set(fleet, gateway, alice):
    """The JWKS customers consumes is auth's own, fetched from its configured internal URL: a token naming a key
    that auth never published is a 401 however it is signed."""
    rogue = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    claims = jwt.decode(alice.access, options={"verify_signature": False})
    for kid in (jwt.get_unverified_header(alice.access)["kid"], "rogue"):
        token = jwt.encode(claims, rogue, algorithm="RS256", headers={"kid": kid})
        assert requests.get(f"{gateway}/v2/customers/", headers={"Authorization": f"Bearer {token}"}).status_code == 401
    published = requests.get(f"{gateway}/.well-known/jwks.json").json()["keys"]
    assert all(set(key) >= {"kid", "kty", "alg", "use"} and "d" not in key for key in published)  # no private part
    assert manage(fleet, "customers", "shell", "-c", "from django.conf import settings; "
                  "print(settings.FLEET_JWT['JWKS_URL'])").strip().splitlines()[-1].startswith("http://127.0.0.1:")
