"""OWASP API5:2023 Broken Function Level Authorization: every admin route refuses a user (403) and an anonymous
caller (401); customers' internal erase endpoint refuses every token but auth's own, on its own port too, and
the gateway does not route to it at all."""

import re
import time

import pytest
import requests

from helpers import direct, manage

ADMIN_ROUTES = [(method, f"/{version}/auth/{path}") for version in ("v1", "v2")
                for method, path in (("GET", "users/"), ("GET", "users/{id}/"), ("PATCH", "users/{id}/"),
                                     ("DELETE", "users/{id}/"))]


@pytest.mark.parametrize("method, route", ADMIN_ROUTES)
def test_every_admin_route_refuses_users_and_anonymous_callers(gateway, alice, bob, admin, method, route, record):
    path = route.format(id=bob.id)
    body = {"is_staff": True, "is_active": False}
    assert requests.request(method, f"{gateway}{path}", json=body).status_code == 401
    assert alice.request(method, path, json=body).status_code == 403
    garbage = {"Authorization": "Bearer " + "x" * 40}
    assert requests.request(method, f"{gateway}{path}", json=body, headers=garbage).status_code == 401
    me = admin.request("GET", f"/v2/auth/users/{bob.id}/").json()
    assert me["is_staff"] is False and me["is_active"] is True  # nothing was changed, nothing deleted
    record(requests=3)


@pytest.mark.parametrize("method", ["GET", "PATCH"])
def test_the_control_an_admin_is_let_in(admin, bob, method):
    response = admin.request(method, f"/v2/auth/users/{bob.id}/", json={})
    assert response.status_code == 200


def test_a_user_token_cannot_erase_an_owners_customers_on_the_services_own_port(fleet, alice, bob):
    bob.create_customer()
    internal = f"/internal/v1/owners/{bob.id}/customers/"
    for user in (alice, bob):
        response = user.request("DELETE", internal, base=direct(fleet, "customers"))
        assert response.status_code == 403, response.text
    assert requests.delete(f"{direct(fleet, 'customers')}{internal}").status_code == 401
    assert len(bob.request("GET", "/v2/customers/").json()["results"]) >= 1  # nothing was erased


def test_the_gateway_does_not_route_the_internal_endpoint_even_for_an_admin(gateway, admin, service_client, bob):
    for token in (admin.access, service_client.token):
        for path in (f"/internal/v1/owners/{bob.id}/customers/", f"/v1/../internal/v1/owners/{bob.id}/customers/",
                     f"/v2/customers/../../internal/v1/owners/{bob.id}/customers/"):
            response = requests.delete(f"{gateway}{path}", headers={"Authorization": f"Bearer {token}"})
            assert response.status_code == 404, path
            assert response.headers["Content-Type"] == "application/problem+json"  # the gateway's, not a service's


def test_a_service_with_customers_admin_cannot_erase_only_auth_does_when_a_user_is_deleted(
        fleet, new_user, admin, service_client):
    carol = new_user(prefix="carol")
    carol.create_customer()
    response = requests.delete(f"{direct(fleet, 'customers')}/internal/v1/owners/{carol.id}/customers/",
                               headers={"Authorization": f"Bearer {service_client.token}"})
    assert response.status_code == 403, response.text
    assert len(carol.request("GET", "/v2/customers/").json()["results"]) == 1
    # The control: auth's outbox, with its own service token, erases them once an admin deletes carol
    # (her access token stays valid for minutes, so it can still look).
    assert admin.request("DELETE", f"/v2/auth/users/{carol.id}/").status_code == 204
    deadline = time.monotonic() + 15
    while carol.request("GET", "/v2/customers/").json()["results"] and time.monotonic() < deadline:
        time.sleep(0.2)
    assert carol.request("GET", "/v2/customers/").json()["results"] == []


def test_a_read_only_service_client_cannot_write(fleet, gateway, issued):
    out = manage(fleet, "auth", "service_client", "create", "reader", "--scope", "customers:read")
    values = dict(re.findall(r"^(client_id|client_secret)=(\S+)$", out, re.M))
    issued.add("client_secret", values["client_secret"])
    token = issued.add_tokens(requests.post(f"{gateway}/v2/auth/oauth/token/", data={"grant_type": "client_credentials"},
                                            auth=(values["client_id"], values["client_secret"])).json())["access_token"]
    headers = {"Authorization": f"Bearer {token}"}
    assert requests.get(f"{gateway}/v2/customers/", headers=headers).status_code == 200
    response = requests.post(f"{gateway}/v2/customers/", headers=headers, json={"name": "x", "email": "x@example.com"})
    assert response.status_code == 403 and "customers:write" in response.json()["detail"]
    escalate = requests.post(f"{gateway}/v2/auth/oauth/token/", auth=(values["client_id"], values["client_secret"]),
                             data={"grant_type": "client_credentials", "scope": "customers:admin"})
    assert escalate.status_code == 400 and escalate.json()["error"] == "invalid_scope"
