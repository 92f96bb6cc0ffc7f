import base64

import pytest

pytestmark = pytest.mark.django_db


def test_me_returns_the_caller(api, user, login):
    api.credentials(HTTP_AUTHORIZATION=f"Bearer {login()['access']}")
    response = api.get("/v1/auth/me/")
    assert response.status_code == 200
    assert response.json()["id"] == str(user.id)


def test_me_without_a_token_is_401_with_bearer_challenge(api):
    response = api.get("/v1/auth/me/")
    assert response.status_code == 401
    assert response["WWW-Authenticate"].startswith("Bearer")


def test_http_basic_is_not_accepted(api, user):
    credentials = base64.b64encode(b"alice:correct horse battery").decode()
    api.credentials(HTTP_AUTHORIZATION=f"Basic {credentials}")
    assert api.get("/v1/auth/me/").status_code == 401


def test_a_deactivated_user_token_is_refused(api, user, login):
    access = login()["access"]
    user.is_active = False
    user.save()
    api.credentials(HTTP_AUTHORIZATION=f"Bearer {access}")
    assert api.get("/v1/auth/me/").status_code == 401
