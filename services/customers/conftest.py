"""Fixtures for customers' API tests: a real PostgreSQL, and a real JWKS served over HTTP like auth's."""

import json
import threading
import time
import uuid
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import jwt
import pytest
from cryptography.hazmat.primitives.asymmetric import rsa
from django.conf import settings
from rest_framework.test import APIClient

from fleet_common.authentication import get_verifier

ISSUER = "http://testserver-issuer"


class KeyServer:
    """A stand-in for auth's JWKS endpoint: a real HTTP server with a real key pair."""

    def __init__(self):
        self.private_key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        jwk = json.loads(jwt.algorithms.RSAAlgorithm.to_jwk(self.private_key.public_key()))
        self.kid = "test-key-1"
        self.document = {"keys": [{**jwk, "kid": self.kid, "alg": "RS256", "use": "sig"}]}
        self.requests = 0
        server = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self):
                server.requests += 1
                body = json.dumps(server.document).encode()
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args):
                pass

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.httpd.server_port}/.well-known/jwks.json"
        threading.Thread(target=self.httpd.serve_forever, daemon=True).start()

    def token(self, *, sub: str, scopes=("customers:read", "customers:write"), **overrides) -> str:
        now = int(time.time())
        claims = {"iss": ISSUER, "aud": ["customers"], "sub": sub, "exp": now + 300, "iat": now,
                  "jti": uuid.uuid4().hex, "token_type": "access", "scope": " ".join(scopes), "username": "u"}
        claims.update(overrides)
        return jwt.encode(claims, self.private_key, algorithm="RS256", headers={"kid": self.kid})


@pytest.fixture(scope="session")
def key_server():
    server = KeyServer()
    settings.FLEET_JWT = {**settings.FLEET_JWT, "ISSUER": ISSUER, "JWKS_URL": server.url, "JWKS_CACHE_PATH": None}
    get_verifier.cache_clear()
    yield server
    server.httpd.shutdown()


@pytest.fixture
def client_for(key_server):
    def _client(sub: str | None = None, scopes=("customers:read", "customers:write")) -> APIClient:
        client = APIClient()
        client.credentials(HTTP_AUTHORIZATION=f"Bearer {key_server.token(sub=sub or str(uuid.uuid4()), scopes=scopes)}")
        client.sub = sub
        return client
    return _client


@pytest.fixture
def alice(client_for):
    return client_for(str(uuid.uuid4()))


@pytest.fixture
def bob(client_for):
    return client_for(str(uuid.uuid4()))


@pytest.fixture
def admin(client_for):
    return client_for(str(uuid.uuid4()), scopes=("customers:admin",))


@pytest.fixture
def make_customers():
    """Rows straight into the database (not through the API, so no throttle counts them)."""
    from customers.models import Customer

    def _make(owner: str, count: int, **fields) -> list:
        return [Customer.objects.create(owner=owner, **{"name": f"Customer {i:03d}", "email": f"c{i}@example.com",
                                                        **fields})
                for i in range(count)]
    return _make

