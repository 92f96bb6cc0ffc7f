"""One request id from the client (or the gateway) to every log line of that request: the gateway's
JSON access log and the service's JSON log lines, in the fleet's log files."""

import json
import time
import uuid

import requests


def log_lines_with(fleet, names: list[str], request_id: str, *, wait: float = 3.0,
                   until=lambda found: all(found.values())) -> dict[str, list[dict]]:
    """The JSON lines of each named log (logs/<name>.log) that mention the id, once `until` holds of them
    (by default: once every log has one) or `wait` seconds have passed."""
    deadline = time.monotonic() + wait
    while True:
        found = {}
        for name in names:
            text = fleet.config.log_path(name).read_text(errors="replace")
            found[name] = [json.loads(line) for line in text.splitlines() if request_id in line]
        if until(found) or time.monotonic() > deadline:
            return found
        time.sleep(0.1)


def customers_logs(fleet) -> list[str]:
    return [instance.name for instance in fleet.config.instances("customers")]


def test_a_clients_request_id_is_in_the_gateway_log_and_every_service_line(fleet, new_user):
    user = new_user()
    request_id = f"e2e-{uuid.uuid4().hex}"
    response = user.request("GET", "/v1/customers/", headers={"X-Request-ID": request_id})
    assert response.status_code == 200
    assert response.headers["X-Request-ID"] == request_id

    gateway_lines = log_lines_with(fleet, ["gateway"], request_id)["gateway"]
    assert len(gateway_lines) == 1
    assert gateway_lines[0]["request_id"] == request_id
    assert (gateway_lines[0]["uri"], gateway_lines[0]["status"]) == ("/v1/customers/", 200)

    service_lines = [line for lines in log_lines_with(fleet, customers_logs(fleet), request_id, wait=0).values()
                     for line in lines]
    if not service_lines:  # the first search may have raced the write
        service_lines = [line for lines in log_lines_with(fleet, customers_logs(fleet), request_id).values()
                         for line in lines]
    assert service_lines, "no customers log line carries the request id"
    assert all(line["request_id"] == request_id and line["service"] == "customers" for line in service_lines)
    access = [line for line in service_lines if line["event"] == "request"]
    assert [(line["path"], line["status"]) for line in access] == [("/v1/customers/", 200)]


def test_the_gateways_own_request_id_reaches_the_service(fleet, gateway):
    response = requests.post(f"{gateway}/v1/auth/token/", json={"username": "nobody", "password": "wrong"})
    assert response.status_code in (400, 401)
    request_id = response.headers["X-Request-ID"]
    assert len(request_id) == 32  # nginx's $request_id

    found = log_lines_with(fleet, ["gateway", "auth"], request_id)
    assert [line["request_id"] for line in found["gateway"]] == [request_id]
    assert found["auth"], "no auth log line carries the gateway's request id"
    assert all(line["request_id"] == request_id and line["service"] == "auth" for line in found["auth"])


def test_a_deletions_request_id_follows_its_erasure_into_customers(fleet, gateway, new_user, admin_headers):
    """auth's outbox calls customers after the request has ended, under that request's id."""
    doomed = new_user()
    assert doomed.request("POST", "/v1/customers/", json={"name": "c", "email": "c@example.com"}).status_code == 201
    request_id = f"e2e-{uuid.uuid4().hex}"
    deleted = requests.delete(f"{gateway}/v1/auth/users/{doomed.id}/", timeout=10,
                              headers={**admin_headers, "X-Request-ID": request_id})
    assert deleted.status_code == 204

    def delivered(found):
        return [line for line in found["auth"] if line["event"] == "outbox_delivered"]

    def erasures(found):
        return [(line["method"], line["path"], line["status"]) for name in customers_logs(fleet)
                for line in found[name] if line["event"] == "request"]

    # The outbox delivers after the deletion commits, on a thread of its own.
    found = log_lines_with(fleet, ["auth", *customers_logs(fleet)], request_id, wait=10,
                           until=lambda found: delivered(found) and erasures(found))
    assert len(delivered(found)) == 1
    assert erasures(found) == [("DELETE", f"/internal/v1/owners/{doomed.id}/customers/", 204)]


def test_a_head_writes_no_line_without_a_request_id(fleet, new_user):
    """gunicorn warns of (and drops) a body sent on a HEAD response, on a line no request id ties to anything."""
    def warnings() -> int:
        return sum(fleet.config.log_path(name).read_text(errors="replace").count("no-body response")
                   for name in customers_logs(fleet))

    user, before = new_user(), warnings()
    request_id = f"e2e-{uuid.uuid4().hex}"
    response = user.request("HEAD", "/v2/customers/", headers={"X-Request-ID": request_id})
    assert response.status_code == 200 and int(response.headers["Content-Length"]) > 0
    assert any(log_lines_with(fleet, customers_logs(fleet), request_id).values())  # served and logged
    assert warnings() == before
