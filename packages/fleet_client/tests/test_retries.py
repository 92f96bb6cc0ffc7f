"""Retries against a real flaky HTTP server on loopback: when they happen, and what stays the same."""

import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from fleet_client import ClientCredentials, FleetClient, NotFound, OAuthError, ServiceUnavailable, TransportError


TOKEN = {"access_token": "t-1", "token_type": "Bearer", "expires_in": 300}


class Flaky:
    """Answers `failures` times `status` (with `Retry-After: 0`), then `success`; records every request's headers."""

    def __init__(self, failures: int, status: int = 503, success: tuple[int, dict] = (201, {"id": "x"})):
        self.failures, self.status, self.success, self.seen = failures, status, success, []
        flaky = self

        class Handler(BaseHTTPRequestHandler):
            def _answer(self):
                length = int(self.headers.get("Content-Length") or 0)
                self.rfile.read(length)
                flaky.seen.append(dict(self.headers))
                failing = len(flaky.seen) <= flaky.failures
                code, body = (flaky.status, {"error": "temporarily_unavailable"}) if failing else flaky.success
                body = json.dumps(body).encode()
                self.send_response(code)
                self.send_header("Content-Type", "application/json")
                if failing:
                    self.send_header("Retry-After", "0")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            do_GET = do_POST = _answer

            def log_message(self, *args):
                pass

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.httpd.server_port}"
        threading.Thread(target=self.httpd.serve_forever, kwargs={"poll_interval": 0.01}, daemon=True).start()


@pytest.fixture
def flaky(request):
    server = Flaky(*getattr(request, "param", (2,)))
    yield server
    server.httpd.shutdown()
    server.httpd.server_close()


def test_a_post_with_an_idempotency_key_is_retried_with_the_same_key_and_request_id(flaky):
    response = FleetClient(flaky.url, backoff=0.01).request("POST", "/c/", json={}, idempotency_key="k-1")
    assert response.status_code == 201
    assert len(flaky.seen) == 3
    assert {seen["Idempotency-Key"] for seen in flaky.seen} == {"k-1"}
    assert len({seen["X-Request-ID"] for seen in flaky.seen}) == 1


def test_a_post_without_a_key_is_never_retried(flaky):
    with pytest.raises(ServiceUnavailable):
        FleetClient(flaky.url, backoff=0.01).request("POST", "/c/", json={})
    assert len(flaky.seen) == 1


def test_gets_are_retried(flaky):
    assert FleetClient(flaky.url, backoff=0.01).request("GET", "/c/").status_code == 201


@pytest.mark.parametrize("flaky", [(100,)], indirect=True)
def test_retries_stop_within_the_budget(flaky):
    started = time.monotonic()
    with pytest.raises(ServiceUnavailable):
        FleetClient(flaky.url, backoff=0.05, retry_budget=0.5).request("GET", "/c/")
    assert time.monotonic() - started < 1.5
    assert len(flaky.seen) >= 2


@pytest.mark.parametrize("flaky", [(5, 404)], indirect=True)
def test_client_errors_are_typed_and_not_retried(flaky):
    with pytest.raises(NotFound):
        FleetClient(flaky.url).request("GET", "/c/")
    assert len(flaky.seen) == 1


def test_an_unreachable_service_is_a_transport_error_after_the_budget():
    with pytest.raises(TransportError):
        FleetClient("http://127.0.0.1:9", backoff=0.01, retry_budget=0.2, timeout=(0.2, 0.2)).request("GET", "/")


@pytest.mark.parametrize("flaky", [(2, 429)], indirect=True)
def test_a_throttled_keyed_post_is_retried(flaky):
    response = FleetClient(flaky.url, backoff=0.01).request("POST", "/c/", json={}, idempotency_key="k-2")
    assert response.status_code == 201 and len(flaky.seen) == 3


@pytest.mark.parametrize("flaky", [(2, 429, (200, TOKEN)), (2, 503, (200, TOKEN))], indirect=True)
def test_a_throttled_or_unavailable_token_endpoint_is_asked_again(flaky):
    credentials = ClientCredentials(f"{flaky.url}/token/", "billing-1", "s3cret", backoff=0.01)
    assert credentials.token() == "t-1"
    assert len(flaky.seen) == 3


@pytest.mark.parametrize("flaky", [(5, 401, (200, TOKEN))], indirect=True)
def test_a_refused_client_is_not_asked_again(flaky):
    with pytest.raises(OAuthError) as refused:
        ClientCredentials(f"{flaky.url}/token/", "billing-1", "wrong", backoff=0.01).token()
    assert refused.value.status == 401 and len(flaky.seen) == 1


@pytest.mark.parametrize("flaky", [(100, 429, (200, TOKEN))], indirect=True)
def test_the_token_fetch_gives_up_within_its_budget(flaky):
    started = time.monotonic()
    with pytest.raises(OAuthError) as throttled:
        ClientCredentials(f"{flaky.url}/token/", "billing-1", "s3cret", backoff=0.05, retry_budget=0.5).token()
    assert throttled.value.status == 429 and throttled.value.error == "temporarily_unavailable"
    assert time.monotonic() - started < 1.5 and len(flaky.seen) >= 2


def test_an_unreachable_token_endpoint_is_a_transport_error_after_the_budget():
    with pytest.raises(TransportError):
        ClientCredentials("http://127.0.0.1:9/token/", "billing-1", "s3cret", backoff=0.01, retry_budget=0.2,
                          timeout=(0.2, 0.2)).token()
