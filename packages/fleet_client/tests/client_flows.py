"""Client flows run two ways: live against the fleet (tests/e2e) and replayed from cassettes (here)."""

import json
import re
import uuid
from pathlib import Path

import vcr

from fleet_client import BadRequest, ClientCredentials, CustomersAPI, FleetClient, NotFound, OAuthError

CASSETTES = Path(__file__).parent / "cassettes"
SECRET_FIELDS = re.compile(r'"(access_token|access|refresh)"\s*:\s*"[^"]*"')


def _scrub_request(request):
    request.headers.pop("Authorization", None)
    return request


def _scrub_response(response):
    """No token that could still work is written to a cassette."""
    body = response["body"].get("string")
    if isinstance(body, bytes):
        response["body"]["string"] = SECRET_FIELDS.sub(r'"\1": "scrubbed"', body.decode()).encode()
    return response


def cassette(name: str, *, record: bool):
    """Record (`make cassettes`) or replay strictly; requests match on method and path only."""
    recorder = vcr.VCR(record_mode="all" if record else "none", match_on=["method", "path"],
                       before_record_request=_scrub_request, before_record_response=_scrub_response,
                       decode_compressed_response=True)
    return recorder.use_cassette(str(CASSETTES / f"{name}.yaml"))


def service_token_crud(base_url: str, client_id: str, client_secret: str) -> None:
    """A service token, then create (idempotent), read, change, list and delete one customer."""
    credentials = ClientCredentials(f"{base_url}/v2/auth/oauth/token/", client_id, client_secret,
                                    scope="customers:read customers:write")
    customers = CustomersAPI(FleetClient(base_url, credentials))
    created = customers.create({"name": "Ada Lovelace", "email": f"ada-{uuid.uuid4().hex[:8]}@example.com"},
                               idempotency_key="flow-create-1")
    assert customers.get(created["id"])["name"] == "Ada Lovelace"
    assert customers.update(created["id"], {"company": "Engines"})["company"] == "Engines"
    assert created["id"] in {customer["id"] for customer in customers.iterate()}
    customers.delete(created["id"])
    try:
        customers.get(created["id"])
    except NotFound as error:
        assert error.status == 404
    else:
        raise AssertionError("a deleted customer was still found")


def typed_errors(base_url: str, client_id: str, client_secret: str) -> None:
    """RFC 6749 and problem+json errors arrive as typed exceptions."""
    try:
        ClientCredentials(f"{base_url}/v2/auth/oauth/token/", client_id, "wrong-secret").token()
    except OAuthError as error:
        assert (error.status, error.error) == (401, "invalid_client")
    else:
        raise AssertionError("a wrong secret got a token")
    credentials = ClientCredentials(f"{base_url}/v2/auth/oauth/token/", client_id, client_secret)
    try:
        CustomersAPI(FleetClient(base_url, credentials)).create({"name": 42, "email": "not-an-email"})
    except BadRequest as error:
        assert {"name", "email"} <= set(error.field_errors), json.dumps(error.problem)
    else:
        raise AssertionError("an invalid customer was created")


FLOWS = {"service_token_crud": service_token_crud, "typed_errors": typed_errors}
