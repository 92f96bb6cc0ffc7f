import pytest

pytestmark = pytest.mark.django_db


def test_register_creates_a_user_with_location_and_no_password_in_the_body(api):
    response = api.post("/v1/auth/users/", {"username": "bob", "password": "a long enough pass phrase"}, format="json")
    assert response.status_code == 201
    body = response.json()
    assert response["Location"].endswith(f"/v1/auth/users/{body['id']}/")
    assert "password" not in body
    assert body["username"] == "bob"


def test_weak_password_is_refused_with_a_field_error(api):
    response = api.post("/v1/auth/users/", {"username": "bob", "password": "123"}, format="json")
    assert response.status_code == 400
    assert "password" in response.json()


def test_taken_username_is_a_field_error(api, user):
    response = api.post("/v1/auth/users/", {"username": "alice", "password": "a long enough pass phrase"}, format="json")
    assert response.status_code == 400
    assert "username" in response.json()


def test_v2_errors_are_problem_details(api):
    response = api.post("/v2/auth/users/", {"username": "bob", "password": "123"}, format="json")
    assert response.status_code == 400
    assert response["Content-Type"] == "application/problem+json"
    assert "password" in response.json()["errors"]


def test_listing_users_needs_staff(api, user, login):
    assert api.get("/v1/auth/users/").status_code == 401
    api.credentials(HTTP_AUTHORIZATION=f"Bearer {login()['access']}")
    assert api.get("/v1/auth/users/").status_code == 403
