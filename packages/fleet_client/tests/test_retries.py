"""Retries against a real flaky HTTP server on loopback: when they happen, and what stays the same."""

import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from fleet_client import FleetClient, NotFound, ServiceUnavailable, TransportError


class Flaky:
    """Answers `failures` 503s, then 201; records every request's headers."""

    def __init__(self, failures: int, status: int = 503):
        self.failures, self.status, self.seen = failures, status, []
        flaky = self

        class Handler(BaseHTTPRequestHandler):
            def _answer(self):
                length = int(self.headers.get("Content-Length") or 0)
                self.rfile.read(length)
                flaky.seen.append(dict(self.headers))
                code = flaky.status if len(flaky.seen) <= flaky.failures else 201
                body = json.dumps({"detail": "busy"} if code >= 400 else {"id": "x"}).encode()
                self.send_response(code)
                self.send_header("Content-Type", "application/json")
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
