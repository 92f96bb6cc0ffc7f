import uuid

import jwt
import pytest

pytestmark = pytest.mark.django_db


def test_login_returns_a_pair_signed_with_a_published_kid(api, user, login):
    body = login()
    assert set(body) == {"access", "refresh", "token_type", "expires_in"}
    assert body["token_type"] == "Bearer"
    header = jwt.get_unverified_header(body["access"])
    jwks = api.get("/.well-known/jwks.json").json()
    assert header["alg"] == "RS256"
    assert header["kid"] in {key["kid"] for key in jwks["keys"]}


def test_access_token_claims_follow_the_contract(api, user, login):
    claims = jwt.decode(login()["access"], options={"verify_signature": False})
    assert uuid.UUID(claims["sub"]) == user.id
    assert claims["token_type"] == "access"
    assert claims["username"] == "alice"
    assert set(claims["scope"].split()) == {"customers:read", "customers:write"}
    assert set(claims["aud"]) >= {"customers"}
    assert {"iss", "exp", "iat", "jti"} <= set(claims)


def test_wrong_password_and_unknown_user_get_the_same_answer(api, user):
    wrong = api.post("/v1/auth/token/", {"username": "alice", "password": "nope"}, format="json")
    unknown = api.post("/v1/auth/token/", {"username": "nobody", "password": "nope"}, format="json")
    assert wrong.status_code == unknown.status_code == 401
    assert wrong.json() == unknown.json()


def test_login_body_must_be_strings(api, user):
    response = api.post("/v1/auth/token/", {"username": "alice"}, format="json")
    assert response.status_code == 400
