"""What the gateway itself promises: its health, JSON 404s, request ids, versions."""

import requests


def test_gateway_health(gateway):
    assert requests.get(f"{gateway}/healthz").status_code == 200


def test_unknown_path_is_a_problem_json_404(gateway):
    response = requests.get(f"{gateway}/nothing/here")
    assert response.status_code == 404
    assert response.headers["Content-Type"].startswith("application/problem+json")
    assert response.json()["status"] == 404


def test_unknown_version_is_404(gateway):
    assert requests.get(f"{gateway}/v3/customers/").status_code == 404


def test_a_well_formed_request_id_is_kept_and_returned(gateway):
    response = requests.get(f"{gateway}/v1/customers/", headers={"X-Request-ID": "trace-abc.123"})
    assert response.headers["X-Request-ID"] == "trace-abc.123"


def test_a_malformed_request_id_is_replaced(gateway):
    response = requests.get(f"{gateway}/v1/customers/", headers={"X-Request-ID": "bad id with spaces"})
    assert response.headers["X-Request-ID"] != "bad id with spaces"
    assert response.headers["X-Request-ID"]


def test_service_internals_are_not_routed(gateway):
    for path in ("/readyz", "/admin/", "/metrics"):
        assert requests.get(f"{gateway}{path}").status_code == 404, path


def test_v2_errors_pass_through_as_problem_json(gateway):
    response = requests.get(f"{gateway}/v2/customers/")
    assert response.status_code == 401
    assert response.headers["Content-Type"] == "application/problem+json"
