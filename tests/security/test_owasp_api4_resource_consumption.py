"""OWASP API4:2023 Unrestricted Resource Consumption: page sizes are capped, a body over 1 MiB stops at the
gateway, huge arrays, strings and nesting are 400s answered quickly, and each user has a quota on creates."""

import json
import time
import uuid

import pytest
import requests

PROBLEM = "application/problem+json"
TWO_MB = b"x" * (2 * 1024 * 1024)


@pytest.mark.parametrize("path", ["/v1/customers/", "/v2/customers/", "/v2/auth/users/"])
def test_a_page_is_at_most_100_rows(alice, admin, path):
    caller = admin if "auth" in path else alice
    assert caller.request("GET", f"{path}?page_size=101").status_code == 400
    assert caller.request("GET", f"{path}?page_size=100000000000000000000").status_code == 400
    response = caller.request("GET", f"{path}?page_size=100")
    assert response.status_code == 200 and len(response.json()["results"]) <= 100


def test_without_page_size_a_page_is_20_rows(alice):
    for _ in range(21 - len(alice.request("GET", "/v2/customers/?page_size=100").json()["results"])):
        alice.create_customer()
    assert len(alice.request("GET", "/v2/customers/").json()["results"]) == 20


@pytest.mark.parametrize("method, path", [("POST", "/v2/customers/"), ("POST", "/v1/auth/token/"),
                                          ("PATCH", "/v2/auth/me/"), ("POST", "/v2/auth/oauth/token/")])
def test_a_2_mb_body_stops_at_the_gateway_with_413(alice, method, path):
    response = alice.request(method, path, data=TWO_MB, headers={"Content-Type": "application/json"})
    assert response.status_code == 413
    oauth = path.endswith("/oauth/token/")  # whose errors are RFC 6749 bodies, the gateway's own too (DESIGN.md)
    assert response.headers["Content-Type"] == ("application/json" if oauth else PROBLEM)
    assert ("error" if oauth else "detail") in response.json()


HUGE_INPUTS = {
    "array of 100,000 as a field": {"name": [0] * 100_000, "email": "a@example.com"},
    "array of 20,000 objects as the body": [{"name": "Ada", "email": "a@example.com"}] * 20_000,
    "string of 100,000 characters": {"name": "A" * 100_000, "email": "a@example.com"},
    "email of 100,000 characters": {"name": "Ada", "email": "a" * 100_000 + "@example.com"},
    "object of 20,000 members": {f"k{i}": i for i in range(20_000)} | {"name": "Ada", "email": "a@example.com"},
}


@pytest.mark.parametrize("shape", HUGE_INPUTS)
@pytest.mark.parametrize("version", ["v1", "v2"])
def test_huge_arrays_strings_and_objects_are_400s_answered_quickly(alice, shape, version, record):
    body = json.dumps(HUGE_INPUTS[shape]).replace("a@example.com", f"{uuid.uuid4().hex[:10]}@example.com")
    assert len(body) < 1024 * 1024  # under the gateway's limit: the service itself must refuse it
    started = time.monotonic()
    response = alice.request("POST", f"/{version}/customers/", data=body, headers={"Content-Type": "application/json"})
    elapsed = time.monotonic() - started
    record(bytes=len(body), ms=round(elapsed * 1000))
    if shape.startswith("object"):
        assert response.status_code == 201  # unknown members are ignored, and cost nothing stored
    else:
        assert response.status_code == 400, response.text[:300]
    assert elapsed < 2.0


def test_nesting_past_the_recursion_limit_is_a_400(alice):
    response = alice.request("POST", "/v2/customers/", data=b"[" * 100_000 + b"]" * 100_000,
                             headers={"Content-Type": "application/json"})
    assert response.status_code == 400


@pytest.mark.parametrize("query", ["search=" + "a" * 101, "email=" + "a" * 255, "company=" + "a" * 201,
                                   "cursor=" + "a" * 3000])
def test_oversized_query_parameters_are_400s(alice, query):
    assert alice.request("GET", f"/v2/customers/?{query}").status_code == 400


def test_a_url_or_a_header_over_8_kib_stops_at_the_gateway(alice):
    assert alice.request("GET", "/v2/customers/?search=" + "a" * 9000).status_code == 414
    assert alice.request("GET", "/v2/customers/", headers={"X-Padding": "a" * 9000}).status_code == 431


def test_each_user_has_a_quota_on_creates(production_limits, new_user, record):
    """The shipped write throttle (customers-write, 120/min per user) behind the shipped gateway."""
    hasty, patient = new_user(), new_user()
    statuses = []
    for _ in range(130):
        body = {"name": "Bulk", "email": f"{uuid.uuid4().hex[:10]}@example.com"}
        statuses.append(hasty.request("POST", "/v2/customers/", base=production_limits, json=body))
    created = sum(r.status_code == 201 for r in statuses)
    limited = [r for r in statuses if r.status_code == 429]
    record(sent=len(statuses), created=created, throttled=len(limited))
    assert created == 120 and len(limited) == 10, {r.status_code for r in statuses}
    assert int(limited[0].headers["Retry-After"]) >= 1 and limited[0].headers["X-RateLimit-Remaining"] == "0"
    assert limited[0].headers["Content-Type"] == PROBLEM
    assert patient.request("POST", "/v2/customers/", base=production_limits,
                           json={"name": "Own quota", "email": "own@example.com"}).status_code == 201
    assert hasty.request("GET", "/v2/customers/", base=production_limits).status_code == 200  # reads still pass


def test_the_gateway_forwards_no_more_than_it_must(gateway):
    """A request the gateway cannot route never reaches a service (no work spent upstream)."""
    response = requests.get(f"{gateway}/v3/customers/")
    assert response.status_code == 404 and response.headers["Content-Type"] == PROBLEM
