"""Rotation is decided by file names alone: publish, then sign, then retire."""

from datetime import UTC, datetime, timedelta

import jwt

from tokens.keyring import Keyring, generate_key_file, thumbprint

T0 = datetime(2026, 1, 1, tzinfo=UTC)


def make_keyring(tmp_path):
    return Keyring(tmp_path, publish_delay=timedelta(minutes=10), max_token_lifetime=timedelta(minutes=5))


def test_kid_is_the_rfc7638_thumbprint(tmp_path):
    generate_key_file(tmp_path, "RS256", now=T0)
    key = make_keyring(tmp_path).signing_key(T0)
    assert key.kid == thumbprint(key.public_jwk)
    assert key.public_jwk["kid"] == key.kid


def test_a_published_key_says_its_use_once(tmp_path):
    """`use` alone: RFC 7517 §4.3 says not to send `key_ops` beside it (PyJWT adds one)."""
    for algorithm in ("RS256", "ES256"):
        generate_key_file(tmp_path / algorithm, algorithm, now=T0)
        key = make_keyring(tmp_path / algorithm).signing_key(T0)
        assert (key.public_jwk["use"], key.public_jwk["alg"]) == ("sig", algorithm)
        assert "key_ops" not in key.public_jwk


def test_rfc7638_example_thumbprint():
    example = {"kty": "RSA", "e": "AQAB", "n": (
        "0vx7agoebGcQSuuPiLJXZptN9nndrQmbXEps2aiAFbWhM78LhWx4cbbfAAtVT86zwu1RK7aPFFxuhDR1L6tSoc_BJECPebWKRXjBZCiFV4n3oknjhMs"
        "tn64tZ_2W-5JsGY4Hc5n9yBXArwl93lqt7_RN5w6Cf0h4QyQ5v-65YGjQR0_FDW2QvzqY368QQMicAtaSqzs8KJZgnYb9c7d0zgdAZHzu6qMQvRL5hajrn"
        "1n91CbOpbISD08qNLyrdkt-bFTWhAI4vMQFh6WeZu0fM4lFd2NcRwr3XPksINHaQ-G_xBniIqbw0Ls1jF44-csFCur-kEgU8awapJzKnqDKgw")}
    assert thumbprint(example) == "NzbLsXh8uDCcd-6MNwXF4W_7noWXFZAfHkxZsRGC9Xs"


def test_a_new_key_is_published_at_once_but_signs_only_after_the_delay(tmp_path):
    generate_key_file(tmp_path, "RS256", now=T0)
    generate_key_file(tmp_path, "ES256", now=T0 + timedelta(hours=1))
    keyring = make_keyring(tmp_path)
    old, new = keyring.keys()
    at = T0 + timedelta(hours=1, minutes=1)
    assert keyring.signing_key(at) == old
    assert {key.kid for key in keyring.published_keys(at)} == {old.kid, new.kid}
    assert keyring.signing_key(T0 + timedelta(hours=1, minutes=10)) == new


def test_the_old_key_is_retired_after_the_longest_token_lifetime(tmp_path):
    generate_key_file(tmp_path, "RS256", now=T0)
    generate_key_file(tmp_path, "RS256", now=T0 + timedelta(hours=1))
    keyring = make_keyring(tmp_path)
    old, new = keyring.keys()
    still = T0 + timedelta(hours=1, minutes=14)
    gone = T0 + timedelta(hours=1, minutes=15)
    assert old in keyring.published_keys(still)
    assert keyring.published_keys(gone) == [new]
    assert keyring.retired_keys(gone) == [old]


def test_es256_keys_sign_verifiable_tokens(tmp_path):
    generate_key_file(tmp_path, "ES256", now=T0)
    key = make_keyring(tmp_path).signing_key(T0)
    token = jwt.encode({"sub": "x"}, key.private_key, algorithm="ES256", headers={"kid": key.kid})
    assert jwt.decode(token, key.verifying_key.key, algorithms=["ES256"])["sub"] == "x"
