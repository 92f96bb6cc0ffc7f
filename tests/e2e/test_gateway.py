"""What the gateway itself promises: its health, JSON 404s, request ids, versions, and that the
services' internals are unreachable through it."""

import http.client
from urllib.parse import urlsplit

import pytest
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


def get_raw(gateway: str, path: str) -> tuple[int, bytes]:
    """GET the path exactly as written: no client-side removal of `..` or decoding of `%xx`."""
    connection = http.client.HTTPConnection(urlsplit(gateway).netloc, timeout=5)
    connection.request("GET", path)
    response = connection.getresponse()
    status, body = response.status, response.read()
    connection.close()
    return status, body


@pytest.mark.parametrize("path", [
    "/healthz/../readyz", "/readyz", "/admin/", "/metrics", "//metrics", "/metrics/",
    "/v1/customers/../../metrics", "/v1/customers/../../readyz", "/v2/customers/%2e%2e/%2e%2e/metrics",
    "/v1/customers/..%2f..%2fmetrics", "/v1/auth/../../admin/", "/%61dmin/", "/%6detrics",
    "/.well-known/../metrics",
])
def test_service_internals_are_not_routed(gateway, path):
    status, body = get_raw(gateway, path)
    assert status == 404, path
    assert b"django_http" not in body and b'"database"' not in body  # neither metrics nor a service's readyz


def test_v2_errors_pass_through_as_problem_json(gateway):
    response = requests.get(f"{gateway}/v2/customers/")
    assert response.status_code == 401
    assert response.headers["Content-Type"] == "application/problem+json"


def test_responses_carry_the_security_headers(gateway):
    for response in (requests.get(f"{gateway}/v2/customers/"), requests.get(f"{gateway}/nowhere")):
        assert response.headers["Content-Security-Policy"] == "default-src 'none'; frame-ancestors 'none'"
        assert response.headers["X-Content-Type-Options"] == "nosniff"
        assert response.headers["X-Frame-Options"] == "DENY"
        assert response.headers["Referrer-Policy"] == "no-referrer"
        assert "Strict-Transport-Security" not in response.headers  # plain HTTP
