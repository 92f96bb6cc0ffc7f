"""Hostile tokens against the live customers service through the gateway: each is a 401, never a 500."""

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


def b64(value: bytes | dict) -> str:
    raw = json.dumps(value).encode() if isinstance(value, dict) else value
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()


@pytest.fixture(scope="module")
def signer(fleet, gateway, new_user):
    """auth's current private key (read from its key directory, as only a test may) and a template."""
    access = new_user().tokens["access"]
    kid = jwt.get_unverified_header(access)["kid"]
    claims = jwt.decode(access, options={"verify_signature": False})
    for pem in (fleet.config.state_dir / "auth" / "keys").glob("*.pem"):
        key = serialization.load_pem_private_key(pem.read_bytes(), password=None)
        try:
            jwt.decode(access, key.public_key(), algorithms=["RS256", "ES256"], options={"verify_aud": False})
        except jwt.InvalidSignatureError:
            continue
        alg = jwt.get_unverified_header(access)["alg"]

        def sign(headers=None, **overrides):
            payload = {**claims, "jti": uuid.uuid4().hex, **overrides}
            return jwt.encode(payload, key, algorithm=alg, headers={"kid": kid, **(headers or {})})
        sign.claims, sign.kid, sign.key = claims, kid, key
        return sign
    raise AssertionError("no key in auth's directory signed a fresh token")


def status_of(gateway: str, token: str) -> int:
    return requests.get(f"{gateway}/v2/customers/", headers={"Authorization": f"Bearer {token}"}, timeout=5).status_code


def test_the_signer_itself_is_accepted(gateway, signer):
    assert status_of(gateway, signer()) == 200


def hostile_tokens(signer, new_user):
    now = int(time.time())
    claims = signer.claims
    public_pem = signer.key.public_key().public_bytes(serialization.Encoding.PEM,
                                                      serialization.PublicFormat.SubjectPublicKeyInfo)
    hs_input = f"{b64({'alg': 'HS256', 'kid': signer.kid})}.{b64(claims)}"
    good = signer()
    head, body, signature = good.split(".")
    yield "alg none", f"{b64({'alg': 'none', 'kid': signer.kid})}.{b64(claims)}."
    yield "alg NoNe", f"{b64({'alg': 'NoNe', 'kid': signer.kid})}.{b64(claims)}."
    yield "HS256 with the public key", f"{hs_input}.{b64(hmac.new(public_pem, hs_input.encode(), sha256).digest())}"
    yield "unknown kid", signer(headers={"kid": "unknown-kid"})
    yield "jku header", signer(headers={"kid": "attacker", "jku": "http://127.0.0.1:9/jwks.json"})
    yield "x5u header", signer(headers={"kid": "attacker", "x5u": "http://127.0.0.1:9/cert.pem"})
    yield "embedded jwk", signer(headers={"kid": "attacker", "jwk": {"kty": "oct", "k": "c2VjcmV0"}})
    yield "expired", signer(exp=now - 120, iat=now - 400)
    yield "nbf in the future", signer(nbf=now + 600)
    yield "wrong iss", signer(iss="https://evil.example")
    yield "wrong aud", signer(aud=["billing"])
    yield "refresh type", signer(token_type="refresh")
    yield "opaque refresh token", new_user().tokens["refresh"]
    yield "changed payload", f"{head}.{b64({**claims, 'sub': str(uuid.uuid4())})}.{signature}"
    yield "cut signature", f"{head}.{body}.{signature[:20]}"
    yield "no signature", f"{head}.{body}."
    yield "non-string sub", signer(sub=12345)
    yield "list scope", signer(scope=["customers:admin"])
    yield "string exp", signer(exp="tomorrow")
    yield "oversized claim", signer(username="x" * 2000)
    yield "garbage", "not-a-token"


def test_every_hostile_token_is_401_never_500(gateway, signer, new_user):
    results = {name: status_of(gateway, token) for name, token in hostile_tokens(signer, new_user)}
    assert all(code == 401 for code in results.values()), results
    assert len(results) >= 20
