"""Hostile strings in the path, the query, the body and the headers of every endpoint family, through the gateway
(and the internal endpoint on customers' own port): never a 5xx. Text no database can hold (NUL, a lone surrogate as
a JSON escape, raw invalid UTF-8) and 100,000 characters are a 4xx wherever the input is used; right-to-left text
and emoji are text like any other, accepted where the field takes text and given back exactly."""

import http.client
import json
import uuid
from collections import Counter
from urllib.parse import quote, urlsplit

import pytest

from helpers import direct

RAW_BYTES = "\udcff"  # stands for raw invalid UTF-8 (b"\xed\xa0\x80\xff") where the wire allows bytes
STRINGS = {
    "nul": "a\x00b",
    "lone surrogate": "a\ud800b",
    "invalid utf-8": RAW_BYTES,
    "100,000 characters": "A" * 100_000,
    "right-to-left": "\u202eevil\u202c שלום مرحبا",
    "emoji": "🦄 👩‍👩‍👧 ✨",
}
INVALID = {"nul", "lone surrogate", "invalid utf-8", "100,000 characters"}
INVALID_BYTES = b"a\xed\xa0\x80\xffb"


def as_json(body: dict, field: str, value: str) -> bytes:
    """The body as a hostile client sends it: NUL and lone surrogates as \\u escapes, or raw invalid bytes."""
    if value == RAW_BYTES:
        marker = f"@@{uuid.uuid4().hex}@@"
        return json.dumps({**body, field: marker}).encode().replace(marker.encode(), INVALID_BYTES)
    return json.dumps({**body, field: value}).encode()


class Client:
    """Raw HTTP/1.1 with http.client: it sends NUL and arbitrary bytes where requests would refuse to."""

    def __init__(self, base: str):
        self.host, self.port = urlsplit(base).hostname, urlsplit(base).port

    def send(self, method: str, path: bytes | str, headers: dict, body: bytes | None = None) -> tuple[int, bytes]:
        connection = http.client.HTTPConnection(self.host, self.port, timeout=30)
        try:
            connection.putrequest(method, path if isinstance(path, str) else path.decode("latin-1"),
                                  skip_accept_encoding=True)
            for name, value in headers.items():
                connection.putheader(name, value if isinstance(value, bytes) else value.encode("latin-1"))
            if body is not None:
                connection.putheader("Content-Length", str(len(body)))
            connection.endheaders(body)
            response = connection.getresponse()
            return response.status, response.read()
        except (ConnectionResetError, BrokenPipeError, http.client.RemoteDisconnected):
            return 0, b""  # closed on us: recorded, and never counted as an answer
        finally:
            connection.close()


@pytest.fixture(scope="module")
def targets(alice, admin, bob):
    """One object of each kind to aim at, and the body each endpoint family takes."""
    customer = {version: alice.create_customer(version) for version in ("v1", "v2")}
    return {"customer": customer, "user": bob.id}


def body_cases(alice, admin, targets):
    """(who, method, path, content type, base body, fields the view uses)."""
    for version in ("v1", "v2"):
        customer = targets["customer"][version]["id"]
        person = {"name": "Ada", "email": f"{uuid.uuid4().hex[:8]}@example.com"}
        yield alice, "POST", f"/{version}/customers/", "application/json", person, \
            ["name", "email", "phone", "company", "owner"]
        yield alice, "PUT", f"/{version}/customers/{customer}/", "application/json", \
            {"name": "Ada", "email": targets["customer"][version]["email"]}, ["name", "phone", "company"]
        yield alice, "PATCH", f"/{version}/customers/{customer}/", "application/json", {}, ["name", "email"]
        yield None, "POST", f"/{version}/auth/users/", "application/json", \
            {"username": f"h-{uuid.uuid4().hex[:8]}", "password": f"pw-{uuid.uuid4().hex}"}, \
            ["username", "password", "email"]
        yield alice, "PATCH", f"/{version}/auth/me/", "application/json", {}, ["email"]
        yield alice, "POST", f"/{version}/auth/me/password/", "application/json", \
            {"current_password": "not-the-password", "new_password": f"pw-{uuid.uuid4().hex}"}, \
            ["current_password", "new_password"]
        yield None, "POST", f"/{version}/auth/token/", "application/json", {"username": "u", "password": "p"}, \
            ["username", "password"]
        for endpoint in ("token/refresh/", "token/revoke/"):
            yield None, "POST", f"/{version}/auth/{endpoint}", "application/json", {"refresh": "r"}, ["refresh"]
        yield None, "POST", f"/{version}/auth/oauth/token/", "application/json", \
            {"grant_type": "client_credentials", "client_id": "c", "client_secret": "s"}, \
            ["grant_type", "client_id", "client_secret", "scope"]
        yield admin, "PATCH", f"/{version}/auth/users/{targets['user']}/", "application/json", {}, ["email"]
    yield alice, "PATCH", f"/v2/customers/{targets['customer']['v2']['id']}/", "application/merge-patch+json", {}, \
        ["name", "company"]


def test_hostile_strings_in_bodies(gateway, alice, admin, targets, issued, record):
    client, outcomes, wrong = Client(gateway), Counter(), []
    for who, method, path, content_type, base, fields in body_cases(alice, admin, targets):
        for field in fields:
            for name, value in STRINGS.items():
                headers = {"Content-Type": content_type, **(who.headers if who else {})}
                if path.endswith("/users/") and method == "POST":
                    base = {**base, "username": f"h-{uuid.uuid4().hex[:8]}"}  # each registration its own name
                if field == "password" and name not in INVALID:
                    value = issued.add("password", f"{value} {uuid.uuid4().hex}")  # it may register: a secret now
                status, answer = client.send(method, path, headers, as_json(base, field, value))
                outcomes[status // 100] += 1
                if status >= 500 or status == 0 or (name in INVALID and not 400 <= status < 500):
                    wrong.append((method, path, field, name, status, answer[:200]))
                if name not in INVALID and field in ("name", "company") and 200 <= status < 300:
                    assert json.loads(answer)[field] == value  # given back exactly, bidi marks and all
    record(requests=sum(outcomes.values()), **{f"{k}xx": v for k, v in sorted(outcomes.items())})
    assert not wrong, wrong


#: (who, path, parameter, whether the view reads it).
def query_cases(alice, admin):
    for version in ("v1", "v2"):
        for parameter in ("search", "email", "company", "ordering", "cursor", "page_size", "unknown"):
            yield alice, f"/{version}/customers/", parameter, parameter != "unknown" and \
                not (parameter == "cursor" and version == "v1")
        yield alice, f"/{version}/customers/", "page", version == "v1"
        yield alice, f"/{version}/auth/me/", "unknown", False
    for parameter in ("cursor", "page_size", "unknown"):
        yield admin, "/v2/auth/users/", parameter, parameter != "unknown"


def quoted(value: str) -> str:
    if value == RAW_BYTES:
        return "a%ED%A0%80%FFb"
    return quote(value.encode("utf-8", "surrogatepass"), safe="")


def test_hostile_strings_in_query_parameters(gateway, alice, admin, record):
    """A query string that is not UTF-8 is refused whether a view reads it or not (fleet_common.querystring)."""
    client, outcomes, wrong = Client(gateway), Counter(), []
    for who, path, parameter, used in query_cases(alice, admin):
        for name, value in STRINGS.items():
            status, answer = client.send("GET", f"{path}?{parameter}={quoted(value)}", who.headers)
            outcomes[status // 100] += 1
            if status >= 500 or status == 0 or (name in INVALID and used and not 400 <= status < 500):
                wrong.append((path, parameter, name, status, answer[:200]))
    record(requests=sum(outcomes.values()), **{f"{k}xx": v for k, v in sorted(outcomes.items())})
    assert not wrong, wrong


def test_hostile_strings_in_paths(fleet, gateway, alice, service_client, record):
    client, internal, outcomes, wrong = Client(gateway), Client(direct(fleet, "customers")), Counter(), []
    for name, value in STRINGS.items():
        segment = quoted(value)
        for version in ("v1", "v2"):
            for path, who in ((f"/{version}/customers/{segment}/", alice.headers),
                              (f"/{version}/auth/users/{segment}/", alice.headers),
                              (f"/{version}/{segment}/", {}), (f"/{segment}", {})):
                for method in ("GET", "DELETE"):
                    status, answer = client.send(method, path, who)
                    outcomes[status // 100] += 1
                    if not 400 <= status < 500:  # no such object, or no such route: used or not, a 4xx
                        wrong.append((method, path[:80], name, status, answer[:200]))
        # Only auth's own token passes this endpoint's permission (customers' suite sends it NULs): any
        # other caller, even with customers:admin, is a 4xx whatever the path holds.
        status, answer = internal.send("DELETE", f"/internal/v1/owners/{segment}/customers/",
                                       {"Authorization": f"Bearer {service_client.token}"})
        outcomes[status // 100] += 1
        if not 400 <= status < 500:
            wrong.append(("DELETE", "internal", name, status, answer[:200]))
    record(requests=sum(outcomes.values()), **{f"{k}xx": v for k, v in sorted(outcomes.items())})
    assert not wrong, wrong


#: Header -> the methods whose view reads it (the token is read by every one).
HEADERS = {"Authorization": {"GET", "POST", "PATCH"}, "Idempotency-Key": {"POST"}, "If-Match": {"PATCH"},
           "Content-Type": {"POST", "PATCH"}, "If-None-Match": set(), "X-Request-ID": set(),
           "Accept-Language": set(), "User-Agent": set(), "X-Forwarded-For": set(), "Cookie": set()}


def header_value(value: str) -> bytes:
    if value == RAW_BYTES:
        return INVALID_BYTES
    return value.encode("utf-8", "surrogatepass")


def test_hostile_strings_in_headers(gateway, alice, targets, record):
    """A header a view reads (the token, Idempotency-Key, If-Match, Content-Type) refuses what it cannot read with a
    4xx (a token anything but valid: 401); the others are ignored or replaced (X-Request-ID), never a 5xx."""
    client, outcomes, wrong = Client(gateway), Counter(), []
    customer = targets["customer"]["v2"]
    for header, reading_methods in HEADERS.items():
        for name, value in STRINGS.items():
            for method, path in (("POST", "/v2/customers/"), ("PATCH", f"/v2/customers/{customer['id']}/"),
                                 ("GET", f"/v2/customers/{customer['id']}/"), ("GET", "/v2/auth/me/")):
                headers = {"Content-Type": "application/json", **alice.headers}
                headers[header] = (b"Bearer " if header == "Authorization" else b"") + header_value(value)
                body = json.dumps({"name": "Hostile header", "email": f"{uuid.uuid4().hex[:8]}@example.com"}).encode()
                status, answer = client.send(method, path, headers, body if method != "GET" else None)
                outcomes[status // 100] += 1
                too_long = name == "100,000 characters"
                refused = 400 <= status < 500 or (status == 0 and too_long)  # nginx may close on 100 KB of header
                if status >= 500 or (status == 0 and not too_long):
                    wrong.append((header, method, path, name, status, answer[:200]))
                elif header == "Authorization" and not (refused and status in (0, 400, 401, 431)):
                    wrong.append((header, method, path, name, status, answer[:200]))
                elif name in INVALID and method in reading_methods and not refused:
                    wrong.append((header, method, path, name, status, answer[:200]))
    record(requests=sum(outcomes.values()), **{f"{k}xx": v for k, v in sorted(outcomes.items())})
    assert not wrong, wrong
