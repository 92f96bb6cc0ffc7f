"""Every response the gateway makes itself is application/problem+json carrying the request id:
routing (404), methods (405), sizes (413, 414, 431), malformed requests (400), the edge rate limit
(429) and an unreachable service (502). The gateway suite (tests/gateway) covers 503 and 504 with
stand-in upstreams that can be made full or silent."""

import concurrent.futures
import http.client
import json
import socket
from urllib.parse import urlsplit

import pytest
import requests

PROBLEM = "application/problem+json"


def assert_gateway_problem(status: int, headers, body: bytes, expected: int) -> dict:
    assert status == expected, body
    assert headers["Content-Type"] == PROBLEM
    problem = json.loads(body)
    assert problem["status"] == expected and problem["title"] and problem["detail"]
    assert problem["request_id"] == headers["X-Request-ID"]
    return problem


def raw_exchange(gateway: str, data: bytes) -> tuple[int, dict, bytes]:
    """Send bytes as they are (requests would refuse to send a malformed request) and read the answer."""
    host, port = urlsplit(gateway).hostname, urlsplit(gateway).port
    with socket.create_connection((host, port), timeout=5) as sock:
        sock.sendall(data)
        received = b""
        while chunk := sock.recv(65536):
            received += chunk
    head, _, body = received.partition(b"\r\n\r\n")
    status_line, *lines = head.decode("latin-1").split("\r\n")
    headers = requests.structures.CaseInsensitiveDict(line.split(": ", 1) for line in lines)
    return int(status_line.split()[1]), headers, body


def test_404_keeps_the_clients_request_id(gateway):
    response = requests.get(f"{gateway}/nowhere", headers={"X-Request-ID": "e2e-404"})
    problem = assert_gateway_problem(response.status_code, response.headers, response.content, 404)
    assert problem["request_id"] == "e2e-404"


@pytest.mark.parametrize("request_bytes", [
    b"GET /v1/customers/ HTTP/1.1\r\nHost: a\r\nHost: b\r\nConnection: close\r\n\r\n",  # two Host headers
    b"GET /v1/customers/ HTTP/1.1\r\nConnection: close\r\n\r\n",  # HTTP/1.1 without Host
    b"GET /v1/cust\x01omers/ HTTP/1.1\r\nHost: a\r\n\r\n",  # a control character in the request line
    b"NOT A REQUEST\r\n\r\n",
], ids=["duplicate-host", "no-host", "control-character", "garbage"])
def test_a_malformed_request_is_a_problem_json_400(gateway, request_bytes):
    assert_gateway_problem(*raw_exchange(gateway, request_bytes), 400)


def test_a_method_the_gateway_does_not_allow_is_a_problem_json_405(gateway):
    response = requests.post(f"{gateway}/healthz")
    assert_gateway_problem(response.status_code, response.headers, response.content, 405)
    assert response.headers["Allow"] == "GET, HEAD"
    status, headers, body = raw_exchange(gateway, b"TRACE /v1/customers/ HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n")
    assert_gateway_problem(status, headers, body, 405)  # nginx refuses TRACE itself


def test_a_body_over_1_mib_is_a_problem_json_413(gateway):
    response = requests.post(f"{gateway}/v1/customers/", data=b"x" * (1024 * 1024 + 1),
                             headers={"Content-Type": "application/json", "X-Request-ID": "e2e-413"})
    problem = assert_gateway_problem(response.status_code, response.headers, response.content, 413)
    assert problem["request_id"] == "e2e-413"


def test_a_uri_over_8_kib_is_a_problem_json_414(gateway):
    response = requests.get(f"{gateway}/v1/customers/?q=" + "a" * 9000)
    assert_gateway_problem(response.status_code, response.headers, response.content, 414)


def test_a_header_over_8_kib_is_a_problem_json_431(gateway):
    response = requests.get(f"{gateway}/v1/customers/", headers={"X-Padding": "a" * 9000})
    assert_gateway_problem(response.status_code, response.headers, response.content, 431)


def test_too_many_credential_posts_from_one_client_get_a_429(gateway, fleet, new_user):
    """From its own loopback address (127.0.0.2), so it spends a budget no other test shares."""
    host, port = urlsplit(gateway).hostname, urlsplit(gateway).port
    burst = fleet.config.gateway_auth_burst

    def post_token() -> tuple[int, dict, bytes]:
        connection = http.client.HTTPConnection(host, port, source_address=("127.0.0.2", 0), timeout=5)
        connection.request("POST", "/v1/auth/token/", body=b"{}", headers={"Content-Type": "application/json"})
        response = connection.getresponse()
        result = response.status, requests.structures.CaseInsensitiveDict(response.getheaders()), response.read()
        connection.close()
        return result

    with concurrent.futures.ThreadPoolExecutor(10) as pool:  # at once: the rate refills nothing meanwhile
        results = list(pool.map(lambda _: post_token(), range(3 * burst)))
    statuses = [status for status, _, _ in results]
    assert set(statuses) == {400, 429}, statuses  # auth's own 400 (empty body), or the gateway's 429
    assert statuses.count(400) >= burst + 1  # the burst passes at once
    status, headers, body = results[statuses.index(429)]
    assert_gateway_problem(status, headers, body, 429)
    assert headers["Retry-After"] == "1"
    new_user()  # meanwhile, 127.0.0.1 registers and logs in: the limit is per client address


def test_an_unreachable_service_is_a_problem_json_502(gateway, fleet):
    """auth runs once: with it stopped, the gateway has nowhere to send /.well-known/."""
    fleet.stop_instance("auth")
    try:
        response = requests.get(f"{gateway}/.well-known/jwks.json", headers={"X-Request-ID": "e2e-502"})
        problem = assert_gateway_problem(response.status_code, response.headers, response.content, 502)
        assert problem["request_id"] == "e2e-502"
    finally:
        fleet.start_instance("auth")
    assert requests.get(f"{gateway}/.well-known/jwks.json").status_code == 200
