"""OWASP API3:2023 Broken Object Property Level Authorization: no mass assignment (auth's PATCH me/ and registration
cannot make staff; customers' owner, id and timestamps are the server's) and no property leaks in responses."""

import json
import uuid

import jwt
import pytest
import requests

ESCALATION = {"is_staff": True, "is_superuser": True, "is_active": True, "groups": ["customers-readonly"],
              "scopes": ["customers:admin"], "username": "root", "id": str(uuid.uuid4()),
              "date_joined": "2000-01-01T00:00:00Z", "password": "pw-overwritten-1234"}


@pytest.mark.parametrize("version", ["v1", "v2"])
def test_patch_me_changes_the_email_and_nothing_else(new_user, version):
    user = new_user()
    before = user.request("GET", f"/{version}/auth/me/").json()
    response = user.request("PATCH", f"/{version}/auth/me/", json={**ESCALATION, "email": "new@example.com"})
    assert response.status_code == 200, response.text
    after = user.request("GET", f"/{version}/auth/me/").json()
    assert after == {**before, "email": "new@example.com"}
    tokens = user.login()  # the old password still works: "password" was ignored too
    claims = jwt.decode(tokens["access"], options={"verify_signature": False})
    assert "customers:admin" not in claims["scope"].split() and claims["sub"] == user.id


def test_registration_cannot_make_staff_or_choose_the_id(gateway, issued):
    username, password = f"mass-{uuid.uuid4().hex[:8]}", issued.add("password", f"pw-{uuid.uuid4().hex}")
    body = {**ESCALATION, "username": username, "password": password}
    response = requests.post(f"{gateway}/v2/auth/users/", json=body)
    assert response.status_code == 201, response.text
    created = response.json()
    assert created["is_staff"] is False and created["id"] != ESCALATION["id"]
    assert created["scopes"] == ["customers:read", "customers:write"] and "password" not in created
    tokens = issued.add_tokens(requests.post(f"{gateway}/v2/auth/token/",
                                             json={"username": username, "password": password}).json())
    assert "customers:admin" not in jwt.decode(tokens["access"], options={"verify_signature": False})["scope"]


SERVER_FIELDS = {"id": "01900000-0000-7000-8000-000000000000", "created_at": "2000-01-01T00:00:00Z",
                 "updated_at": "2000-01-01T00:00:00Z", "version": 999}


@pytest.mark.parametrize("version", ["v1", "v2"])
def test_a_create_cannot_choose_its_owner_id_or_timestamps(alice, bob, version):
    body = {"name": "Ada", "email": f"{uuid.uuid4().hex[:8]}@example.com", "owner": bob.id, **SERVER_FIELDS}
    response = alice.request("POST", f"/{version}/customers/", json=body)
    assert response.status_code == 201, response.text
    created = response.json()
    assert created["owner"] == alice.id
    assert created["id"] != SERVER_FIELDS["id"] and not created["created_at"].startswith("2000")
    assert "version" not in created
    assert bob.request("GET", f"/{version}/customers/{created['id']}/").status_code == 404


@pytest.mark.parametrize("version, method, content_type", [
    ("v1", "PUT", "application/json"), ("v1", "PATCH", "application/json"),
    ("v2", "PUT", "application/json"), ("v2", "PATCH", "application/json"),
    ("v2", "PATCH", "application/merge-patch+json"),
])
def test_a_change_cannot_move_a_customer_to_another_owner_or_rewrite_server_fields(alice, bob, version, method,
                                                                                   content_type):
    created = alice.create_customer(version)
    body = {"name": "Ada", "email": created["email"], "owner": bob.id, **SERVER_FIELDS}
    response = alice.request(method, f"/{version}/customers/{created['id']}/", data=json.dumps(body),
                             headers={"Content-Type": content_type})
    assert response.status_code == 200, response.text
    changed = response.json()
    assert changed["owner"] == alice.id and changed["id"] == created["id"]
    assert changed["created_at"] == created["created_at"] and not changed["updated_at"].startswith("2000")
    assert alice.request("GET", f"/{version}/customers/{created['id']}/").json()["owner"] == alice.id


def test_only_customers_admin_may_set_the_owner_on_create(admin, bob):
    """The documented exception (imports): the control for the test above."""
    body = {"name": "Imported", "email": f"{uuid.uuid4().hex[:8]}@example.com", "owner": bob.id}
    response = admin.request("POST", "/v2/customers/", json=body)
    assert response.status_code == 201 and response.json()["owner"] == bob.id


def test_responses_expose_no_internal_property(alice, admin):
    me = alice.request("GET", "/v2/auth/me/").json()
    assert set(me) == {"id", "username", "email", "is_staff", "is_active", "scopes", "date_joined"}
    listed = admin.request("GET", "/v2/auth/users/?page_size=100").json()["results"]
    assert all({"password", "is_superuser", "last_login"}.isdisjoint(user) for user in listed)
    customer = alice.create_customer()
    assert set(customer) == {"id", "name", "email", "phone", "company", "owner", "created_at", "updated_at"}
