import pytest
from django.contrib.auth.models import Group

from accounts.scopes import READ_ONLY_GROUP

pytestmark = pytest.mark.django_db


def refresh(api, token):
    return api.post("/v1/auth/token/refresh/", {"refresh": token}, format="json")


def test_staff_list_users_and_others_cannot(api, user, staff, bearer):
    assert bearer("root").get("/v1/auth/users/").status_code == 200
    assert bearer().get("/v1/auth/users/").status_code == 403
    assert bearer().get(f"/v1/auth/users/{staff.id}/").status_code == 403
    assert bearer().delete(f"/v1/auth/users/{staff.id}/").status_code == 403


@pytest.mark.parametrize("version", ["v1", "v2"])
def test_an_unknown_user_is_404_for_every_method(staff, bearer, version):
    url, root = f"/{version}/auth/users/0190d3f0-0000-7000-8000-000000000000/", bearer("root")
    for request in (root.get, root.head, root.patch, root.delete, root.options):
        assert request(url).status_code == 404, request
    assert root.options(f"/{version}/auth/users/{staff.id}/").status_code == 200


def test_a_user_id_is_found_in_either_case(user, staff, bearer):
    """RFC 9562 §4: a UUID's hex digits are case-insensitive on input."""
    response = bearer("root").get(f"/v1/auth/users/{str(user.id).upper()}/")
    assert response.status_code == 200
    assert response.json()["id"] == str(user.id)


def test_deactivating_a_user_revokes_their_refresh_tokens(api, user, staff, login, bearer):
    pair = login()
    response = bearer("root").patch(f"/v1/auth/users/{user.id}/", {"is_active": False}, format="json")
    assert response.status_code == 200
    assert refresh(api, pair["refresh"]).status_code == 401


@pytest.mark.parametrize("value", ["yes", "false", 1, 0, "on", None])
def test_a_flag_is_json_true_or_false_and_nothing_else(user, staff, bearer, value):
    flags = {"is_active": value, "is_staff": value}
    response = bearer("root").patch(f"/v2/auth/users/{user.id}/", flags, format="json")
    assert response.status_code == 400
    assert set(response.json()["errors"]) == {"is_active", "is_staff"}
    user.refresh_from_db()
    assert user.is_active and not user.is_staff


def test_deleting_a_user_is_204_and_ends_their_sessions(api, user, staff, login, bearer):
    pair = login()
    assert bearer("root").delete(f"/v1/auth/users/{user.id}/").status_code == 204
    assert refresh(api, pair["refresh"]).status_code == 401


def test_the_read_only_group_exists_on_a_fresh_database():
    assert Group.objects.filter(name=READ_ONLY_GROUP).exists()  # created by a migration: admins can grant it at once


def test_a_group_change_shows_in_the_next_refresh(api, user, staff, login, bearer):
    import jwt

    pair = login()
    bearer("root").patch(f"/v1/auth/users/{user.id}/", {"groups": [READ_ONLY_GROUP]}, format="json")
    access = refresh(api, pair["refresh"]).json()["access"]
    assert jwt.decode(access, options={"verify_signature": False})["scope"] == "customers:read"


def test_staff_tokens_carry_customers_admin(staff, login):
    import jwt

    access = login("root")["access"]
    assert "customers:admin" in jwt.decode(access, options={"verify_signature": False})["scope"].split()


def test_me_patch_changes_only_the_email(user, bearer):
    client = bearer()
    response = client.patch("/v1/auth/me/", {"email": "new@example.com", "is_staff": True}, format="json")
    assert response.status_code == 200
    user.refresh_from_db()
    assert user.email == "new@example.com" and not user.is_staff


def test_password_change_revokes_every_refresh_token(api, user, login, bearer):
    pair = login()
    response = bearer().post("/v1/auth/me/password/", {"current_password": "correct horse battery",
                                                        "new_password": "another good pass phrase"}, format="json")
    assert response.status_code == 204
    assert refresh(api, pair["refresh"]).status_code == 401
    assert login(password="another good pass phrase")["access"]


def test_password_change_checks_the_current_password_and_validators(user, bearer):
    client = bearer()
    wrong = client.post("/v1/auth/me/password/", {"current_password": "nope", "new_password": "another good pass phrase"},
                        format="json")
    weak = client.post("/v1/auth/me/password/", {"current_password": "correct horse battery", "new_password": "123"},
                       format="json")
    assert wrong.status_code == 400 and "current_password" in wrong.json()
    assert weak.status_code == 400 and "new_password" in weak.json()


def test_the_user_list_is_paged_by_number_in_v1_and_by_cursor_in_v2(user, staff, bearer, django_user_model):
    for index in range(3):
        django_user_model.objects.create_user(username=f"extra{index}", password="x" * 12)
    client = bearer("root")
    v1 = client.get("/v1/auth/users/?page_size=2").json()
    assert v1["count"] == 5 and len(v1["results"]) == 2 and v1["next"]
    first = client.get("/v2/auth/users/?page_size=2")
    assert "count" not in first.json() and len(first.json()["results"]) == 2
    seen = [row["id"] for row in first.json()["results"]]
    following = client.get(first.json()["next"]).json()
    seen += [row["id"] for row in following["results"]]
    assert len(set(seen)) == 4
    assert client.get("/v1/auth/users/?page_size=101").status_code == 400
