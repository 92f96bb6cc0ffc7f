"""OWASP API1:2023 Broken Object Level Authorization: another owner's customer does not exist for you, whatever the
method, and no list, filter, search, ordering or idempotency key shows or replays it."""

import uuid

import pytest

VERSIONS = ("v1", "v2")
WRITES = {"PUT": {"name": "Mallory", "email": "mallory@example.com"}, "PATCH": {"company": "Mallory Ltd"}}


def comparable(response) -> tuple:
    """Status and body, minus what differs per request (request id, the path in v2's `instance`)."""
    body = response.json() if response.content else None
    if isinstance(body, dict):
        body = {key: value for key, value in body.items() if key not in ("request_id", "instance")}
    return response.status_code, body


@pytest.mark.parametrize("version", VERSIONS)
def test_another_owners_customer_answers_as_if_it_did_not_exist_for_every_method(alice, bob, version, record):
    theirs = alice.create_customer(version)
    path = f"/{version}/customers/{theirs['id']}/"
    nowhere = f"/{version}/customers/{theirs['id'][:-12]}{uuid.uuid4().hex[:12]}/"  # same shape, no such row
    probes = 0
    for method in ("GET", "HEAD", "PUT", "PATCH", "DELETE", "OPTIONS"):
        for headers in ({}, {"If-Match": "*"}, {"If-None-Match": "*"}):
            response = bob.request(method, path, json=WRITES.get(method), headers=headers)
            absent = bob.request(method, nowhere, json=WRITES.get(method), headers=headers)
            probes += 2
            assert response.status_code == 404, (method, headers, response.text)
            if method != "HEAD":
                assert comparable(response) == comparable(absent), (method, headers)
    after = alice.request("GET", path)
    assert after.status_code == 200 and after.json() == theirs  # nothing changed, nothing deleted
    record(requests=probes)


def every_page(user, url: str) -> list[dict]:
    rows, pages = [], 0
    while url:
        response = user.request("GET", url.split(user.gateway, 1)[-1] if url.startswith("http") else url)
        assert response.status_code == 200, response.text
        rows += response.json()["results"]
        url, pages = response.json()["next"], pages + 1
        assert pages < 100
    return rows


@pytest.mark.parametrize("version", VERSIONS)
def test_lists_filters_search_and_orderings_show_only_the_callers_own(alice, bob, version, record):
    marker = f"bola{uuid.uuid4().hex[:8]}"
    hidden = {alice.create_customer(version, name=f"{marker} Alice", company=marker,
                                    email=f"{marker}-{i}@example.com")["id"] for i in range(3)}
    bob.create_customer(version, name=f"{marker} Bob", company=f"{marker}-bob")
    queries = ["", f"?search={marker}", f"?search={marker}%20Alice", f"?company={marker}",
               f"?email={marker}-0@example.com", f"?email={marker.upper()}-0@EXAMPLE.COM", f"?owner={alice.id}",
               f"?owner__in={alice.id}", "?ordering=-name", "?ordering=email", "?ordering=-created_at",
               "?ordering=updated_at", "?page_size=100"]
    rows_seen = 0
    for query in queries:
        rows = every_page(bob, f"/{version}/customers/{query}")
        rows_seen += len(rows)
        assert {row["owner"] for row in rows} <= {bob.id}, query
        assert not hidden & {row["id"] for row in rows}, query
    assert {row["id"] for row in every_page(alice, f"/{version}/customers/?company={marker}")} == hidden  # control
    record(queries=len(queries), rows_seen=rows_seen)


def test_an_idempotency_key_is_the_callers_own(alice, bob):
    """Bob reusing Alice's key gets his own create, never a replay of her response (which would show her row)."""
    key = f"bola-{uuid.uuid4().hex}"
    body = {"name": "Ada", "email": f"{uuid.uuid4().hex[:8]}@example.com"}
    first = alice.request("POST", "/v2/customers/", json=body, headers={"Idempotency-Key": key})
    again = bob.request("POST", "/v2/customers/", json=body, headers={"Idempotency-Key": key})
    assert first.status_code == again.status_code == 201
    assert "Idempotent-Replayed" not in again.headers
    assert again.json()["owner"] == bob.id and again.json()["id"] != first.json()["id"]


def test_another_users_account_is_staff_only_and_me_is_always_the_caller(alice, bob, record):
    for version in VERSIONS:
        for method in ("GET", "PATCH", "DELETE"):
            response = bob.request(method, f"/{version}/auth/users/{alice.id}/", json={"email": "m@example.com"})
            assert response.status_code == 403, (version, method)
        assert bob.request("GET", f"/{version}/auth/me/").json()["id"] == bob.id
    assert alice.request("GET", "/v2/auth/me/").json()["email"] != "m@example.com"
    record(requests=8)


def test_an_admin_does_see_other_owners_customers(alice, admin):
    """The control: the 404s above are ownership, not a broken route."""
    theirs = alice.create_customer()
    assert admin.request("GET", f"/v2/customers/{theirs['id']}/").status_code == 200
