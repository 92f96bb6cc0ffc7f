"""Test helpers both services and the suites use: schema generation, a free port, a real JWKS served over loopback
HTTP, a database this process loses for a while, and an action on a thread with its own connection.

A package of its own, installed in the development virtualenv only: its throwaway signing key never reaches an image.
"""

import json
import socket
import threading
import time
import uuid
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import jwt
from cryptography.hazmat.primitives.asymmetric import rsa

ISSUER = "https://issuer.test"


def generate_schema(version: str, tmp_path) -> str:
    """Generate one version's OpenAPI document; any drf-spectacular warning or error fails."""
    from django.core.management import call_command

    path = tmp_path / f"schema-{version}.yaml"
    call_command("spectacular", "--api-version", version, "--fail-on-warn", "--validate", "--file", str(path))
    return path.read_text()


def free_port() -> int:
    """A port nothing listens on now (the kernel's choice): never one of another fleet's."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@contextmanager
def database_at(port: int, connect_timeout: int | None = None):
    """This process's connection pointed at another port meanwhile: to its requests, the database is lost."""
    from django.db import connection

    saved = connection.settings_dict["PORT"], connection.settings_dict["OPTIONS"].get("connect_timeout")
    connection.close()
    connection.settings_dict["PORT"] = str(port)
    if connect_timeout is not None:
        connection.settings_dict["OPTIONS"]["connect_timeout"] = connect_timeout
    try:
        yield
    finally:
        connection.close()
        connection.settings_dict["PORT"], connection.settings_dict["OPTIONS"]["connect_timeout"] = saved


def in_thread(action) -> tuple[threading.Thread, list[Exception]]:
    """Start `action` on a thread of its own, with its own database connection: the thread, and what it raised."""
    from django.db import connection

    raised = []

    def run():
        try:
            action()
        except Exception as error:  # noqa: BLE001 - the caller asserts on it
            raised.append(error)
        finally:
            connection.close()

    thread = threading.Thread(target=run)
    thread.start()
    return thread, raised


class KeyServer:
    """Serves `document` at any path; `up = False` makes it answer 503, `delay` (seconds) makes it slow,
    `stop()` closes the port."""

    def __init__(self):
        self.private_key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        jwk = json.loads(jwt.algorithms.RSAAlgorithm.to_jwk(self.private_key.public_key()))
        self.kid = "k1"
        self.document = {"keys": [{**jwk, "kid": self.kid, "alg": "RS256", "use": "sig"}]}
        self.requests, self.up, self.delay = 0, True, 0.0
        server = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self):
                server.requests += 1
                time.sleep(server.delay)
                body = json.dumps(server.document).encode() if server.up else b"down"
                self.send_response(200 if server.up else 503)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args):
                pass

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.httpd.server_port}/.well-known/jwks.json"
        threading.Thread(target=self.httpd.serve_forever, kwargs={"poll_interval": 0.01}, daemon=True).start()

    def token(self, *, scopes=("customers:read", "customers:write"), **overrides) -> str:
        """A valid access token for customers; any claim (or `kid`) can be overridden."""
        now = int(time.time())
        claims = {"iss": ISSUER, "aud": ["customers"], "sub": str(uuid.uuid4()), "exp": now + 300, "iat": now,
                  "jti": uuid.uuid4().hex, "token_type": "access", "scope": " ".join(scopes), "username": "u"}
        headers = {"kid": overrides.pop("kid", self.kid)}
        return jwt.encode({**claims, **overrides}, self.private_key, algorithm="RS256", headers=headers)

    def stop(self):
        self.httpd.shutdown()
        self.httpd.server_close()
