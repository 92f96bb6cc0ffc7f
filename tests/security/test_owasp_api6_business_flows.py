"""OWASP API6:2023 Unrestricted Access to Sensitive Business Flows: creating customers in bulk stops at the per-user
write quota however many connections share the work, and registering accounts in bulk stops at the gateway's
edge limit on registration."""

import concurrent.futures
import time
import uuid

import requests

WRITE_QUOTA = 120  # customers-write, per user and minute (the shipped default)


def test_bulk_creation_over_many_connections_stops_at_the_quota(production_limits, new_user, record):
    """16 threads cannot beat the counter: it is one atomic Redis key, shared by every worker."""
    bulk = new_user()

    def create(_):
        body = {"name": "Bulk", "email": f"{uuid.uuid4().hex[:10]}@example.com"}
        return bulk.request("POST", "/v2/customers/", base=production_limits, json=body).status_code

    with concurrent.futures.ThreadPoolExecutor(max_workers=16) as pool:
        statuses = list(pool.map(create, range(WRITE_QUOTA + 40)))
    record(sent=len(statuses), created=statuses.count(201), throttled=statuses.count(429))
    assert set(statuses) <= {201, 429}
    assert statuses.count(201) == WRITE_QUOTA
    stored = bulk.request("GET", "/v2/customers/?page_size=100", base=production_limits).json()
    assert len(stored["results"]) == 100 and stored["next"]  # the rows are there: 120 of them, no more


def test_an_idempotent_replay_does_not_make_a_second_row(alice):
    key, body = f"flow-{uuid.uuid4().hex}", {"name": "Once", "email": f"{uuid.uuid4().hex[:8]}@example.com"}
    first = alice.request("POST", "/v2/customers/", json=body, headers={"Idempotency-Key": key})
    again = alice.request("POST", "/v2/customers/", json=body, headers={"Idempotency-Key": key})
    assert first.status_code == again.status_code == 201
    assert again.headers["Idempotent-Replayed"] == "true" and again.json()["id"] == first.json()["id"]


def test_bulk_registration_from_one_address_stops_at_the_gateways_edge_limit(production_limits, issued, record):
    """The shipped limit: 10 credential POSTs a second per address, a burst of 20, then 429s."""
    time.sleep(3)  # a bucket another test of this gateway drained has refilled (20 at 10/s)

    def register(_):
        password = issued.add("password", f"pw-{uuid.uuid4().hex}")
        response = requests.post(f"{production_limits}/v2/auth/users/", timeout=30,
                                 json={"username": f"bulk-{uuid.uuid4().hex[:10]}", "password": password})
        return response.status_code, response.headers.get("Retry-After")

    started = time.monotonic()
    with concurrent.futures.ThreadPoolExecutor(max_workers=30) as pool:
        results = list(pool.map(register, range(60)))
    elapsed = time.monotonic() - started
    statuses = [status for status, _ in results]
    record(sent=len(results), registered=statuses.count(201), throttled=statuses.count(429),
           seconds=round(elapsed, 1))
    assert set(statuses) <= {201, 429, 503}, statuses
    assert statuses.count(201) <= 20 + 10 * elapsed + 1  # the burst plus the rate over the elapsed time
    assert statuses.count(429) >= 20
    assert all(int(retry) >= 1 for status, retry in results if status == 429)
