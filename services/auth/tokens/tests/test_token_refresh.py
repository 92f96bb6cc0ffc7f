import pytest

pytestmark = pytest.mark.django_db


def refresh(api, token):
    return api.post("/v1/auth/token/refresh/", {"refresh": token}, format="json")


def test_refresh_spends_the_token_and_returns_a_new_pair(api, user, login):
    first = login()
    response = refresh(api, first["refresh"])
    assert response.status_code == 200
    assert response.json()["refresh"] != first["refresh"]


def test_reusing_a_spent_token_revokes_the_whole_family(api, user, login):
    first = login()
    second = refresh(api, first["refresh"]).json()
    assert refresh(api, first["refresh"]).status_code == 401
    assert refresh(api, second["refresh"]).status_code == 401


def test_revoke_logs_out(api, user, login):
    pair = login()
    assert api.post("/v1/auth/token/revoke/", {"refresh": pair["refresh"]}, format="json").status_code == 204
    assert refresh(api, pair["refresh"]).status_code == 401


def test_unknown_refresh_token_is_401(api):
    assert refresh(api, "not-a-token").status_code == 401


def test_refresh_tokens_are_stored_hashed(api, user, login):
    from tokens.models import RefreshToken

    raw = login()["refresh"]
    assert not RefreshToken.objects.filter(token_hash=raw).exists()
    assert RefreshToken.objects.count() == 1
