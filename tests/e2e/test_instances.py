"""Several customers instances behind one upstream: with one stopped, every request still succeeds,
because a connection the stopped one refuses is passed to the other."""

import json
import uuid

import requests


def test_with_one_customers_instance_stopped_every_request_succeeds(fleet, new_user):
    instances = fleet.config.instances("customers")
    assert len(instances) >= 2
    stopped = instances[-1]
    user = new_user()
    created = user.request("POST", "/v1/customers/", json={"name": "Ada", "email": f"{uuid.uuid4().hex}@example.com"})
    assert created.status_code == 201
    detail = created.headers["Location"].removeprefix(user.gateway)

    log = fleet.config.log_path("gateway")
    log_offset = log.stat().st_size
    fleet.stop_instance(stopped.name)
    try:
        statuses = []
        for i in range(10):
            statuses.append(user.request("GET", "/v1/customers/").status_code)
            statuses.append(user.request("GET", detail).status_code)
            statuses.append(user.request("PATCH", detail, json={"phone": f"+44 20 7946 {i:04d}"}).status_code)
            statuses.append(user.request("POST", "/v1/customers/",
                                         json={"name": "Bob", "email": f"{uuid.uuid4().hex}@example.com"}).status_code)
        assert statuses == [200, 200, 200, 201] * 10
    finally:
        fleet.start_instance(stopped.name)

    # nginx did try the stopped instance, and passed those requests on to a live one.
    with open(log) as handle:
        handle.seek(log_offset)
        lines = [json.loads(line) for line in handle if line.startswith('{"time"')]
    dead = f"127.0.0.1:{stopped.port}"
    retried = [line for line in lines if line["upstream_addr"].startswith(f"{dead}, ")]
    assert retried, "no request was tried on the stopped instance first"
    assert all(line["status"] in (200, 201) for line in retried)
    # Back in the upstream once restarted (nginx retries a failed server after fail_timeout).
    assert requests.get(f"http://127.0.0.1:{stopped.port}/readyz").status_code == 200
    assert user.request("GET", "/v1/customers/").status_code == 200
