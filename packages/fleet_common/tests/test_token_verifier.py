"""Each way a token can lie is refused as invalid (401), never as an error (500)."""

import base64
import json
import time

import jwt
import pytest

from fleet_common.jwks import JWKSClient
from fleet_common.tokens import InvalidToken, TokenVerifier

from fleet_testing import ISSUER


@pytest.fixture
def check(key_server):
    return TokenVerifier(JWKSClient(key_server.url), issuer=ISSUER, audience="customers")


def b64(data: dict) -> str:
    return base64.urlsafe_b64encode(json.dumps(data).encode()).rstrip(b"=").decode()


def test_a_good_token_verifies(check, key_server):
    assert check.verify(key_server.token(scope="customers:read"))["scope"] == "customers:read"


@pytest.mark.parametrize("alg", ["none", "None", "NONE", "nOnE"])
def test_alg_none_in_any_case_is_refused(check, key_server, alg):
    payload = jwt.decode(key_server.token(), options={"verify_signature": False})
    with pytest.raises(InvalidToken):
        check.verify(f"{b64({'alg': alg, 'kid': key_server.kid})}.{b64(payload)}.")


def test_hs256_signed_with_the_public_key_is_refused(check, key_server):
    import hmac
    from hashlib import sha256

    from cryptography.hazmat.primitives import serialization

    public_pem = key_server.private_key.public_key().public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
    payload = jwt.decode(key_server.token(), options={"verify_signature": False})
    signing_input = f"{b64({'alg': 'HS256', 'kid': key_server.kid, 'typ': 'JWT'})}.{b64(payload)}"
    signature = base64.urlsafe_b64encode(hmac.new(public_pem, signing_input.encode(), sha256).digest()).rstrip(b"=")
    with pytest.raises(InvalidToken):
        check.verify(f"{signing_input}.{signature.decode()}")


@pytest.mark.parametrize("overrides", [
    {"exp": int(time.time()) - 60},
    {"nbf": int(time.time()) + 300},
    {"iss": "https://evil.test"},
    {"aud": ["auth"]},
    {"token_type": "refresh"},
    {"sub": 42},
    {"username": "x" * 5000},
    {"scope": ["customers:read"]},
    {"kid": "not-published"},
    {"sub": "a\x00b"},
    {"sub": "a\ud800"},
    {"sub": ""},
    {"sub": "x" * 256},
    {"username": "nul\x00"},
    {"jti": "\udfff"},
])
def test_bad_claims_and_headers_are_refused(check, key_server, overrides):
    with pytest.raises(InvalidToken):
        check.verify(key_server.token(**overrides))


def test_jku_x5u_and_embedded_jwk_headers_are_never_followed(check, key_server):
    token = jwt.encode({"sub": "x"}, key_server.private_key, algorithm="RS256",
                       headers={"kid": "evil", "jku": "http://127.0.0.1:9/jwks", "x5u": "http://127.0.0.1:9/x",
                                "jwk": key_server.document["keys"][0]})
    before = key_server.requests
    with pytest.raises(InvalidToken):
        check.verify(token)
    assert key_server.requests - before <= 1  # at most our own JWKS URL, never the header's


@pytest.mark.parametrize("mangle", [
    lambda t: t[:-10],
    lambda t: t + "A",
    lambda t: t.split(".")[0] + "." + b64({"sub": "admin"}) + "." + t.split(".")[2],
    lambda t: "not.a.jwt",
    lambda t: "x" * 10000,
])
def test_changed_or_cut_tokens_are_refused(check, key_server, mangle):
    with pytest.raises(InvalidToken):
        check.verify(mangle(key_server.token()))


# --- verified tokens are remembered, and what still ends them -----------------------------------

class PublishedKeys:
    """A key source whose keys the test publishes and withdraws."""

    def __init__(self, key_server):
        self.keys = {key_server.kid: jwt.PyJWK(key_server.document["keys"][0])}

    def key_for(self, kid):
        return self.keys.get(kid)

    def has_keys(self):
        return bool(self.keys)


class CountingVerifier(TokenVerifier):
    full_verifications = 0

    def _verify_fully(self, raw):
        self.full_verifications += 1
        return super()._verify_fully(raw)


def counting(keys, **options) -> CountingVerifier:
    return CountingVerifier(keys, issuer=ISSUER, audience="customers", **options)


def test_a_token_is_verified_in_full_once_then_remembered(key_server):
    check = counting(PublishedKeys(key_server))
    token = key_server.token()
    claims = [check.verify(token) for _ in range(5)]
    assert check.full_verifications == 1
    assert all(c == claims[0] for c in claims) and claims[0]["token_type"] == "access"
    claims[0]["scope"] = "admin"  # a caller changing its copy changes nothing remembered
    assert check.verify(token)["scope"] != "admin"


def test_a_remembered_token_still_expires(key_server):
    check = counting(PublishedKeys(key_server), leeway=0)
    token = key_server.token(exp=int(time.time()) + 1)
    check.verify(token)
    time.sleep(1.1)
    with pytest.raises(InvalidToken):
        check.verify(token)


def test_a_remembered_token_is_refused_once_its_key_is_withdrawn(key_server):
    keys = PublishedKeys(key_server)
    check = counting(keys)
    token = key_server.token()
    check.verify(token)
    keys.keys = {"k2": keys.keys.pop(key_server.kid)}
    with pytest.raises(InvalidToken):
        check.verify(token)


def test_a_remembered_signature_does_not_vouch_for_another_payload(key_server):
    check = counting(PublishedKeys(key_server))
    token = key_server.token(scope="customers:read")
    check.verify(token)
    header, payload, signature = token.split(".")
    claims = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
    forged = f"{header}.{b64({**claims, 'scope': 'customers:read customers:write'})}.{signature}"
    with pytest.raises(InvalidToken):
        check.verify(forged)


def test_the_memory_is_bounded(key_server):
    check = counting(PublishedKeys(key_server), cache_size=3)
    tokens = [key_server.token() for _ in range(5)]
    for token in tokens:
        check.verify(token)
    check.verify(tokens[-1])
    check.verify(tokens[0])  # forgotten: the oldest went first
    assert len(check._verified) == 3 and check.full_verifications == 6
