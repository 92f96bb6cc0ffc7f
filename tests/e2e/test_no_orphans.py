"""Deleting a user in auth removes their customers, even when customers is down at that moment."""

import time

import requests


def test_a_deleted_users_customers_are_erased_after_customers_comes_back(fleet, gateway, new_user, admin_headers):
    doomed, bystander = new_user(), new_user()
    for user, email in ((doomed, "one@example.com"), (doomed, "two@example.com"), (bystander, "keep@example.com")):
        assert user.request("POST", "/v1/customers/", json={"name": "c", "email": email}).status_code == 201

    customers = [instance.name for instance in fleet.instances() if instance.service == "customers"]
    for name in customers:
        fleet.stop_instance(name)
    try:
        deleted = requests.delete(f"{gateway}/v1/auth/users/{doomed.id}/", headers=admin_headers, timeout=10)
        assert deleted.status_code == 204
    finally:
        for name in customers:
            fleet.start_instance(name)

    # The doomed user's token still verifies until it expires, so it can look at its own (vanishing) rows.
    deadline = time.monotonic() + 40
    while time.monotonic() < deadline:
        if doomed.request("GET", "/v1/customers/").json()["count"] == 0:
            break
        time.sleep(0.5)
    assert doomed.request("GET", "/v1/customers/").json()["count"] == 0
    assert bystander.request("GET", "/v1/customers/").json()["count"] == 1
    # Nor can that token make a new orphan: customers remembers the owner as erased.
    refused = doomed.request("POST", "/v1/customers/", json={"name": "c", "email": "three@example.com"})
    assert refused.status_code == 403, refused.text
    assert doomed.request("GET", "/v1/customers/").json()["count"] == 0
