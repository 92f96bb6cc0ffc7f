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


def test_an_idle_token_past_its_expiry_is_refused(api, user, login):
    from datetime import timedelta

    from django.utils import timezone

    from tokens.models import RefreshToken

    pair = login()
    RefreshToken.objects.update(expires_at=timezone.now() - timedelta(seconds=1))
    assert refresh(api, pair["refresh"]).status_code == 401


def test_rotation_never_extends_past_the_absolute_lifetime(api, user, login):
    from datetime import timedelta

    from django.utils import timezone

    from tokens.models import RefreshToken

    pair = login()
    cap = timezone.now() + timedelta(seconds=30)
    RefreshToken.objects.update(family_expires_at=cap)
    refresh(api, pair["refresh"])
    newest = RefreshToken.objects.latest("created_at")
    assert newest.expires_at <= cap and newest.family_expires_at == cap


def test_reuse_within_the_grace_period_does_not_revoke_the_family(api, user, login, settings):
    from datetime import timedelta

    settings.REFRESH_TOKEN_REUSE_GRACE = timedelta(seconds=60)
    first = login()
    second = refresh(api, first["refresh"]).json()
    assert refresh(api, first["refresh"]).status_code == 401
    assert refresh(api, second["refresh"]).status_code == 200


def test_prune_deletes_only_expired_rows(api, user, login):
    from datetime import timedelta

    from django.core.management import call_command
    from django.utils import timezone

    from tokens.models import RefreshToken

    login()
    live = login()
    RefreshToken.objects.exclude(pk=RefreshToken.objects.latest("created_at").pk).update(
        expires_at=timezone.now() - timedelta(days=1))
    call_command("prune_refresh_tokens")
    assert RefreshToken.objects.count() == 1
    assert refresh(api, live["refresh"]).status_code == 200


def test_a_user_deactivated_without_revoking_cannot_refresh(api, user, login, django_user_model):
    pair = login()
    django_user_model.objects.filter(pk=user.pk).update(is_active=False)
    assert refresh(api, pair["refresh"]).status_code == 401


def test_a_refreshed_access_token_keeps_the_users_claims(api, staff, login):
    import jwt

    access = refresh(api, login("root")["refresh"]).json()["access"]
    claims = jwt.decode(access, options={"verify_signature": False})
    assert (claims["sub"], claims["username"]) == (str(staff.pk), "root")
    assert claims["scope"].split() == ["customers:read", "customers:write", "customers:admin"]
