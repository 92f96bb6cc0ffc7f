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


@pytest.mark.parametrize("password", ["123", "password", "short"])
def test_an_invalid_registration_answers_the_same_for_an_existing_and_an_unknown_username(api, user, password):
    existing = api.post("/v2/auth/users/", {"username": "alice", "password": password}, format="json")
    unknown = api.post("/v2/auth/users/", {"username": "nobody", "password": password}, format="json")
    assert existing.status_code == unknown.status_code == 400
    assert existing.json()["errors"] == unknown.json()["errors"]
    assert "username" not in existing.json()["errors"]


def test_a_username_differing_only_in_case_is_taken(api, user):
    response = api.post("/v1/auth/users/", {"username": "ALICE", "password": "a long enough pass phrase"}, format="json")
    assert response.status_code == 400
    assert list(response.json()) == ["username"]


def test_a_registration_racing_past_the_check_is_a_field_error_not_a_500(user):
    from rest_framework.exceptions import ValidationError

    from accounts.services import user_create

    with pytest.raises(ValidationError) as error:
        user_create(username="alice", password="a long enough pass phrase")  # the check ran elsewhere, first
    assert "username" in error.value.detail
