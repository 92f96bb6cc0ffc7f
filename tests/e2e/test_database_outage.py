"""Postgres goes away and comes back: customers and auth answer 503 meanwhile, then serve again without a restart."""

import time
import uuid

import requests


def test_a_database_outage_is_a_503_and_the_service_recovers_by_itself(fleet, gateway, new_user):
    alice = new_user()  # a token first: verifying it needs no database
    assert alice.request("POST", "/v2/customers/", json={"name": "Ada", "email": "ada@example.com"}).status_code == 201
    customers_pid = fleet.children[[c.name for c in fleet.children].index("customers")].pid
    fleet.infra.postgres.stop()
    try:
        for version in ("v2", "v1"):
            response = alice.request("GET", f"/{version}/customers/")
            assert response.status_code == 503, response.text
            assert "Traceback" not in response.text and response.headers["Retry-After"]
        assert response.json() == {"detail": "A dependency is unavailable; try again shortly."}
        problem = alice.request("POST", "/v2/customers/", json={"name": "B", "email": "b@example.com"})
        assert problem.status_code == 503
        assert problem.headers["Content-Type"] == "application/problem+json" and problem.json()["status"] == 503
        assert requests.get(f"http://127.0.0.1:{fleet.config.customers_port}/readyz").status_code == 503
        for _ in range(4):  # auth's workers find it gone too
            register = requests.post(f"{gateway}/v1/auth/users/",
                                     json={"username": "outage", "password": f"pw-{uuid.uuid4().hex}"})
            assert register.status_code == 503 and register.headers["Retry-After"], register.text
    finally:
        fleet.infra.postgres.start()
    new_user()  # the moment Postgres answers again, so does auth: a refusal moments ago starts no backoff
    # Each worker recovers on its own: a refused connection starts no backoff (fleet_common.postgresql.unreachable),
    # so its next request after Postgres answers is served. Each version is asked until it is, within 15 s.
    deadline = time.monotonic() + 15
    for version in ("v2", "v1"):
        while (response := alice.request("GET", f"/{version}/customers/")).status_code != 200:
            assert response.status_code == 503 and time.monotonic() < deadline, response.text
            time.sleep(0.2)
    assert response.json()["count"] == 1
    assert fleet.children[[c.name for c in fleet.children].index("customers")].pid == customers_pid
    assert fleet.children[[c.name for c in fleet.children].index("customers")].exited() is None
