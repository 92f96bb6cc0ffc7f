"""OWASP API7:2023 Server Side Request Forgery: no header, token or input makes a service open a connection
anywhere a client names. A listener on loopback counts every connection; after every probe it has seen none."""

import base64
import json
import socket
import threading
import time
import uuid

import pytest
import requests

from helpers import direct, token_signer


class Listener:
    """Counts every TCP connection to it, whatever protocol follows (HTTP, TLS, anything)."""

    def __init__(self):
        self.sock = socket.socket()
        self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(64)
        self.port = self.sock.getsockname()[1]
        self.url = f"http://127.0.0.1:{self.port}"
        self.connections: list[bytes] = []
        self.closed = False
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self):
        while not self.closed:
            try:
                conn, _ = self.sock.accept()
            except OSError:
                return
            with conn:
                conn.settimeout(0.5)
                try:
                    self.connections.append(conn.recv(4096))
                except OSError:
                    self.connections.append(b"")

    def close(self):
        self.closed = True
        self.sock.close()


@pytest.fixture(scope="module")
def listener():
    listening = Listener()
    yield listening
    listening.close()


@pytest.fixture(scope="module")
def sign(fleet, alice):
    return token_signer(fleet, alice.access)


def test_no_token_header_makes_a_service_fetch_a_key(fleet, gateway, listener, sign, record):
    """jku, x5u, an embedded jwk or x5c, a kid that is a URL: keys come only from auth's own JWKS (by kid)."""
    url = f"{listener.url}/jwks.json"
    headers = [{"jku": url}, {"x5u": url}, {"jku": url, "kid": url}, {"kid": url}, {"kid": "../../jwks.json"},
               {"jwk": {"kty": "RSA", "kid": "x", "n": "AQAB", "e": "AQAB", "x5u": url}},
               {"x5c": [base64.b64encode(url.encode()).decode()]}, {"jku": url, "kid": "unknown-kid"}]
    probes = 0
    for extra in headers:
        token = sign(headers=extra)
        for base in (gateway, direct(fleet, "customers")):
            status = requests.get(f"{base}/v2/customers/", headers={"Authorization": f"Bearer {token}"}).status_code
            assert status in (200, 401), (extra, status)
            probes += 1
        for base in (gateway, direct(fleet, "auth")):
            status = requests.get(f"{base}/v2/auth/me/", headers={"Authorization": f"Bearer {token}"}).status_code
            assert status in (200, 401), (extra, status)
            probes += 1
    record(probes=probes)
    assert_untouched(listener)


SPOOFED_HEADERS = {
    "Host": "{netloc}", "X-Forwarded-Host": "{netloc}", "Forwarded": "host={netloc};proto=http",
    "X-Original-URL": "{url}/x", "X-Rewrite-URL": "{url}/x", "Referer": "{url}/", "Origin": "{url}",
    "X-Forwarded-Server": "{netloc}", "X-Host": "{netloc}", "X-HTTP-Host-Override": "{netloc}",
    "X-Request-ID": "{url}", "Idempotency-Key": "{url}", "If-Match": '"{url}"', "Contact": "{url}",
}


def test_no_forwarding_or_host_header_makes_a_service_fetch_anything(gateway, alice, listener, record):
    netloc = f"127.0.0.1:{listener.port}"
    probes = 0
    for name, template in SPOOFED_HEADERS.items():
        value = template.format(netloc=netloc, url=listener.url)
        body = {"name": "SSRF", "email": f"{uuid.uuid4().hex[:8]}@example.com"}
        for method, path in (("POST", "/v2/customers/"), ("GET", "/v1/customers/"), ("GET", "/v2/auth/me/")):
            response = alice.request(method, path, json=body if method == "POST" else None, headers={name: value})
            assert response.status_code < 500, (name, response.status_code)
            probes += 1
    metadata = requests.get(f"{gateway}/.well-known/oauth-authorization-server", headers={"Host": netloc}).json()
    assert str(listener.port) not in json.dumps(metadata)  # the issuer is configured, never taken from Host
    record(probes=probes)
    assert_untouched(listener)


def test_no_url_in_a_field_or_a_parameter_is_fetched(gateway, alice, admin, listener, record):
    url = f"{listener.url}/callback"
    customer = {"name": url, "company": url, "phone": "+1", "email": "ssrf@127.0.0.1"}
    probes = [
        alice.request("POST", "/v2/customers/", json=customer),
        alice.request("POST", "/v2/customers/", json={**customer, "email": "x@example.com", "webhook": url,
                                                       "callback_url": url, "avatar": url}),
        alice.request("PATCH", "/v2/auth/me/", json={"email": f"ssrf@{listener.url[7:]}"}),
        alice.request("GET", f"/v2/customers/?search={url}&next={url}&redirect={url}"),
        alice.request("GET", "/v2/customers/?cursor=" + base64.urlsafe_b64encode(url.encode()).decode()),
        requests.post(f"{gateway}/v2/auth/token/refresh/", json={"refresh": url}),
        requests.post(f"{gateway}/v2/auth/token/revoke/", json={"refresh": url}),
        requests.post(f"{gateway}/v2/auth/oauth/token/",
                      data={"grant_type": "client_credentials", "client_id": url, "client_secret": "x",
                            "jwks_uri": url, "redirect_uri": url, "client_assertion_type":
                            "urn:ietf:params:oauth:client-assertion-type:jwt-bearer", "client_assertion": url}),
        requests.post(f"{gateway}/v2/auth/users/", json={"username": f"ssrf-{uuid.uuid4().hex[:6]}",
                                                         "password": "123", "email": f"a@{listener.url[7:]}"}),
        admin.request("PATCH", f"/v2/auth/users/{alice.id}/", json={"groups": [url]}),
    ]
    assert all(response.status_code < 500 for response in probes), [r.status_code for r in probes]
    record(probes=len(probes))
    assert_untouched(listener)


def assert_untouched(listener: Listener, wait: float = 1.0) -> None:
    time.sleep(wait)  # a fetch made after the response (a background thread, say) has had time to connect
    assert listener.connections == [], listener.connections
