"""The gateway terminating TLS in front of the real services (devfleet's self-signed pair, as in
`make dev TLS=1`): the services learn the client used https, plain HTTP is redirected."""

import uuid

import requests

from conftest import User


def test_over_tls_the_services_build_https_links(tls_gateway):
    user = User(tls_gateway.url, verify=tls_gateway.cafile)
    created = user.request("POST", "/v1/customers/", json={"name": "Ada", "email": f"{uuid.uuid4().hex}@example.com"})
    assert created.status_code == 201
    # X-Forwarded-Proto: https reached customers and was trusted: request.is_secure() is true.
    assert created.headers["Location"].startswith(f"{tls_gateway.url}/v1/customers/")
    assert created.headers["Strict-Transport-Security"] == "max-age=31536000"
    fetched = user.request("GET", created.headers["Location"].removeprefix(tls_gateway.url))
    assert fetched.status_code == 200


def test_with_tls_plain_http_is_redirected_and_never_reaches_a_service(tls_gateway):
    response = requests.post(f"{tls_gateway.plain_url}/v1/auth/token/", json={}, allow_redirects=False)
    assert response.status_code == 308
    assert response.headers["Location"] == f"{tls_gateway.url}/v1/auth/token/"
    assert "Strict-Transport-Security" not in response.headers
    response = requests.get(f"{tls_gateway.plain_url}/v1/customers/?page=2", allow_redirects=False)
    assert response.status_code == 301
    assert response.headers["Location"] == f"{tls_gateway.url}/v1/customers/?page=2"
