"""OWASP API8:2023 Security Misconfiguration: Django's deployment checklist passes with production settings, no
error body carries a traceback or internals, TRACE is a 405, CORS allows no origin (the allow-list is empty:
docs/security.md), security headers are on every response, and no account exists that nobody created."""

import re
import sys
import uuid

import pytest
import requests

from helpers import ROOT, database, direct

sys.path.insert(0, str(ROOT / "tests" / "deploy"))
from test_check_deploy import check_deploy, production_env  # noqa: E402 - the deploy suite's own helpers

INTERNALS = re.compile(r"Traceback|File \"|site-packages|/usr/lib/|\.py\b|psycopg|django\.|"
                       r"OperationalError|IntegrityError|KeyError|TypeError|ValueError|SELECT |INSERT ")


@pytest.mark.parametrize("service", ["auth", "customers"])
def test_check_deploy_is_clean_with_production_settings(service, tmp_path):
    result = check_deploy(service, production_env(tmp_path))
    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues" in result.stdout


def error_probes(fleet, gateway, alice):
    """Requests each of which ends in an error, answered by the gateway or by a service."""
    auth, customers = direct(fleet, "auth"), direct(fleet, "customers")
    bearer = alice.headers
    json_ = {"Content-Type": "application/json"}
    for base in (gateway, auth, customers):
        yield "GET", f"{base}/nowhere", {}, None
        yield "GET", f"{base}/v2/nowhere/", bearer, None
        yield "GET", f"{base}/admin/", {}, None
        yield "GET", f"{base}/static/../../etc/passwd", {}, None
    for base in (gateway, customers):
        yield "PUT", f"{base}/v2/customers/", bearer, None
        yield "POST", f"{base}/v1/customers/", {**bearer, **json_}, b'{"name": '
        yield "POST", f"{base}/v2/customers/", {**bearer, "Content-Type": "text/plain"}, b"name=x"
        yield "GET", f"{base}/v2/customers/not-a-uuid/", bearer, None
        yield "GET", f"{base}/v2/customers/?ordering=password", bearer, None
        yield "GET", f"{base}/v1/customers/?page=99999", bearer, None
        yield "GET", f"{base}/v2/customers/", {"Authorization": "Bearer not.a.token"}, None
        yield "GET", f"{base}/v2/customers/", {**bearer, "Host": "evil.example"}, None
    for base in (gateway, auth):
        yield "POST", f"{base}/v2/auth/token/", json_, b"\xff\xfe{"
        yield "DELETE", f"{base}/v2/auth/token/", json_, None
        yield "POST", f"{base}/v1/auth/oauth/token/", json_, b"[1, 2"
        yield "GET", f"{base}/v2/auth/me/", {"Authorization": "Bearer " + "e" * 8000}, None  # gunicorn's limit: 8190
        yield "GET", f"{base}/v2/auth/users/{uuid.uuid4()}/", bearer, None


def test_no_error_body_carries_a_traceback_or_internals(fleet, gateway, alice, record):
    seen = {}
    for method, url, headers, body in error_probes(fleet, gateway, alice):
        response = requests.request(method, url, headers=headers, data=body, timeout=10)
        assert response.status_code >= 400, (method, url, response.status_code)
        assert response.status_code < 500, (method, url, response.text[:300])
        assert not INTERNALS.search(response.text), (method, url, response.text[:500])
        assert response.headers["Content-Type"].startswith(("application/json", "application/problem+json")), url
        seen[response.status_code] = seen.get(response.status_code, 0) + 1
    record(probes=sum(seen.values()), **{f"status_{status}": count for status, count in sorted(seen.items())})


def test_trace_is_a_405_everywhere_and_echoes_nothing(fleet, gateway, alice):
    customers, auth = direct(fleet, "customers"), direct(fleet, "auth")
    for base, path in ((gateway, "/v2/customers/"), (gateway, "/v1/auth/token/"), (gateway, "/.well-known/jwks.json"),
                       (customers, "/v2/customers/"), (auth, "/v1/auth/token/"), (auth, "/.well-known/jwks.json")):
        response = requests.request("TRACE", f"{base}{path}", headers=alice.headers)
        assert response.status_code == 405, (base, path)
        assert response.headers["Allow"] and "TRACE" not in response.headers["Allow"]
        assert alice.access not in response.text and "Authorization" not in response.text


CORS_HEADERS = ("Access-Control-Allow-Origin", "Access-Control-Allow-Credentials", "Access-Control-Allow-Methods",
                "Access-Control-Allow-Headers", "Access-Control-Expose-Headers")


@pytest.mark.parametrize("origin", ["https://evil.example", "null", "http://127.0.0.1", "http://localhost:8080"])
def test_cors_allows_no_origin(gateway, alice, origin, record):
    """No CORS middleware: the allow-list is empty, so a browser lets no page read a response (docs/security.md)."""
    preflight = {"Origin": origin, "Access-Control-Request-Method": "DELETE",
                 "Access-Control-Request-Headers": "authorization, content-type"}
    checked = 0
    for path in ("/v2/customers/", "/v1/auth/token/", "/v2/auth/me/", "/.well-known/jwks.json", "/nowhere"):
        for response in (requests.options(f"{gateway}{path}", headers=preflight),
                         requests.get(f"{gateway}{path}", headers={**alice.headers, "Origin": origin})):
            assert not set(CORS_HEADERS) & set(response.headers), (path, dict(response.headers))
            checked += 1
    record(responses=checked)


def test_security_headers_are_on_every_response_and_reveal_no_versions(gateway, alice):
    for response in (alice.request("GET", "/v2/customers/"), requests.get(f"{gateway}/nowhere"),
                     requests.post(f"{gateway}/v2/auth/token/", json={}), requests.get(f"{gateway}/healthz")):
        assert response.headers["X-Content-Type-Options"] == "nosniff"
        assert response.headers["X-Frame-Options"] == "DENY"
        assert response.headers["Content-Security-Policy"] == "default-src 'none'; frame-ancestors 'none'"
        assert response.headers["Referrer-Policy"] == "no-referrer"
        assert response.headers["Server"] == "nginx"  # no version, no gunicorn behind it
        assert "X-Powered-By" not in response.headers
        assert "Strict-Transport-Security" not in response.headers  # never over plain HTTP


def test_no_account_exists_that_nobody_created(fleet):
    """No default or seeded account: every user in auth's database was registered by this run."""
    with database(fleet, "auth") as connection:
        names = [row[0] for row in connection.execute("SELECT username FROM accounts_user")]
        superusers = connection.execute("SELECT count(*) FROM accounts_user WHERE is_superuser").fetchone()[0]
    assert not {"admin", "root", "test", "administrator", "demo", "user"} & set(names)
    assert superusers == 0
