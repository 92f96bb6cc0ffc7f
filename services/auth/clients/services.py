"""Create, rotate and disable service clients; grant them client-credentials tokens (RFC 6749 §4.4)."""

import hashlib
import hmac
import re
import secrets
from dataclasses import dataclass

import structlog
from django.db import transaction
from django.utils import timezone

from fleet_common.claims import client_subject
from tokens.access import FleetAccessToken
from tokens.lifetimes import service_token_lifetime

from .models import ServiceClient

logger = structlog.get_logger("audit")


class OAuthError(Exception):
    """An RFC 6749 §5.2 error: `error` is the code, `status` the HTTP status to answer with."""

    def __init__(self, error: str, description: str, status: int = 400):
        super().__init__(description)
        self.error, self.description, self.status = error, description, status


def hash_secret(secret: str) -> str:
    """Secrets are 256 random bits, so a single SHA-256 stores them safely (no slow hash needed)."""
    return hashlib.sha256(secret.encode()).hexdigest()


#: A client's name: its id is the name, a hyphen and 8 hex digits, in 64 characters; its tokens' subject is
#: `client:<id>`, which customers accepts as an owner (printable ASCII, no space or colon to confuse a header).
CLIENT_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,54}")


@transaction.atomic
def client_create(*, name: str, scopes: list[str], audience: list[str]) -> tuple[ServiceClient, str]:
    """Return the client and its secret, which is never stored and cannot be shown again."""
    if not CLIENT_NAME.fullmatch(name):
        raise ValueError(f"a client name is 1-55 letters, digits, '.', '_' or '-', starting with a letter or digit: "
                         f"{name!r}")
    secret = secrets.token_urlsafe(32)
    client = ServiceClient.objects.create(
        client_id=f"{name}-{secrets.token_hex(4)}", name=name, secret_hash=hash_secret(secret),
        allowed_scopes=" ".join(sorted(set(scopes))), audience=" ".join(audience),
    )
    logger.info("service_client_created", client_id=client.client_id, scope=client.allowed_scopes)
    return client, secret


@transaction.atomic
def client_rotate_secret(*, client: ServiceClient) -> str:
    """A new secret, shown once; the old one stops working at once (tokens already issued run out)."""
    secret = secrets.token_urlsafe(32)
    client.secret_hash, client.secret_rotated_at = hash_secret(secret), timezone.now()
    client.save(update_fields=["secret_hash", "secret_rotated_at"])
    logger.info("service_client_secret_rotated", client_id=client.client_id)
    return secret


@transaction.atomic
def client_disable(*, client: ServiceClient) -> None:
    """No more tokens for this client; those already issued run out within their lifetime."""
    client.is_active = False
    client.save(update_fields=["is_active"])
    logger.info("service_client_disabled", client_id=client.client_id)


def client_authenticate(*, client_id: str, client_secret: str) -> ServiceClient:
    """The active client whose secret matches, compared in constant time."""
    client = ServiceClient.objects.filter(client_id=client_id, is_active=True).first()
    expected = client.secret_hash if client else hash_secret(secrets.token_urlsafe(32))
    if not hmac.compare_digest(expected, hash_secret(client_secret)) or client is None:
        raise OAuthError("invalid_client", "Client authentication failed.", status=401)
    return client


@dataclass(frozen=True)
class ClientToken:
    access_token: str
    expires_in: int
    scope: str

    def as_response(self) -> dict:
        return {"access_token": self.access_token, "token_type": "Bearer", "expires_in": self.expires_in,
                "scope": self.scope}


def client_token_issue(*, client: ServiceClient, requested_scope: str | None) -> ClientToken:
    """Grant the requested scopes if the client may have them all; by default, all it may have."""
    # Space-delimited (RFC 6749 §3.3): str.split() would also split on tabs, newlines and U+3000.
    requested = {token for token in requested_scope.split(" ") if token} if requested_scope else client.scopes
    if not requested or not requested <= client.scopes:
        raise OAuthError("invalid_scope", "The requested scope is not allowed for this client.")
    scope = " ".join(sorted(requested))
    subject = client_subject(client.client_id)
    token = FleetAccessToken.for_subject(sub=subject, username=subject,
                                         scopes=sorted(requested), audience=client.audience.split(),
                                         lifetime=service_token_lifetime())
    logger.info("service_token_issued", client_id=client.client_id, scope=scope)
    return ClientToken(str(token), int(service_token_lifetime().total_seconds()), scope)
