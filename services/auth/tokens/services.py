"""Issue, rotate and revoke token pairs; refresh rotation is atomic and reuse revokes the family."""

import hashlib
import secrets
import uuid
from dataclasses import dataclass
from datetime import datetime

import structlog
from django.conf import settings
from django.contrib.auth import authenticate, get_user_model
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from rest_framework.exceptions import AuthenticationFailed

from accounts.hashers import hashing_slot
from accounts.scopes import in_read_only_group, scopes_for, scopes_of
from fleet_common.compiled_query import CompiledQuery

from .access import FleetAccessToken
from .login_guard import count_attempt, forgive_attempt, username_digest
from .models import RefreshToken

logger = structlog.get_logger("audit")
REFRESH_REJECTED = "The refresh token is invalid, expired or revoked."
LOGIN_FAILED = "No active account found with the given credentials."
PRUNE_ONE_LOGIN_IN = 100  # expired rows are pruned by a login now and then, and by `prune_refresh_tokens`
PRUNE_BATCH = 5000


@dataclass(frozen=True)
class TokenPair:
    access: str
    refresh: str
    expires_in: int

    def as_response(self) -> dict:
        return {"access": self.access, "refresh": self.refresh, "token_type": "Bearer",
                "expires_in": self.expires_in}


def hash_token(raw: str) -> str:
    """A refresh token carries 256 random bits, so one SHA-256 is enough to store it safely."""
    return hashlib.sha256(raw.encode()).hexdigest()


def token_pair_issue(*, user_id: uuid.UUID, username: str, scopes: list[str], family: uuid.UUID | None = None,
                     family_expires_at: datetime | None = None) -> TokenPair:
    """A new pair; without a family this is a fresh login, which starts one."""
    now = timezone.now()
    family_expires_at = family_expires_at or now + settings.REFRESH_TOKEN_ABSOLUTE_LIFETIME
    raw = secrets.token_urlsafe(32)
    RefreshToken.objects.create(
        user_id=user_id, family=family or uuid.uuid4(), token_hash=hash_token(raw),
        expires_at=min(now + settings.REFRESH_TOKEN_IDLE_LIFETIME, family_expires_at),
        family_expires_at=family_expires_at,
    )
    access = FleetAccessToken.for_subject(sub=str(user_id), username=username, scopes=scopes)
    return TokenPair(str(access), raw, int(settings.ACCESS_TOKEN_LIFETIME.total_seconds()))


def login(*, request, username: str, password: str) -> TokenPair:
    """Refuse a blocked username before hashing, check the password within the hashing slots, start a family."""
    count_attempt(request, username)
    try:
        with hashing_slot():
            user = authenticate(request, username=username, password=password)
    except BaseException:
        forgive_attempt(username)
        raise
    if user is None:
        logger.info("login_failed", username_sha256=username_digest(username))
        raise AuthenticationFailed(LOGIN_FAILED, code="invalid_credentials")
    forgive_attempt(username)
    logger.info("login_succeeded", user_id=str(user.pk))
    if secrets.randbelow(PRUNE_ONE_LOGIN_IN) == 0:
        refresh_tokens_prune()
    return token_pair_issue(user_id=user.pk, username=user.get_username(), scopes=scopes_for(user))


# The refresh's one read, compiled once (fleet_common.compiled_query): the user's row and the token's, both
# locked, in that order (the query starts from the user), which is the order every change that ends sessions
# takes too (`user_sessions_lock`), and the user's read-only membership.
_refresh_token_row = CompiledQuery(lambda token_hash: (
    get_user_model().objects.select_for_update().filter(refresh_tokens__token_hash=token_hash)
    .annotate(read_only=in_read_only_group("pk"))
    .values("username", "is_staff", "is_active", "read_only", user_id=F("pk"), token_id=F("refresh_tokens__pk"),
            family=F("refresh_tokens__family"), family_expires_at=F("refresh_tokens__family_expires_at"),
            expires_at=F("refresh_tokens__expires_at"), spent_at=F("refresh_tokens__spent_at"),
            revoked_at=F("refresh_tokens__revoked_at"))[:1]),
    token_hash=str)


def token_pair_refresh(*, raw: str) -> TokenPair:
    """Spend `raw` for a new pair; presenting a spent token after the grace period revokes its family.

    One query reads (and locks) the token's user's row, the token's and the user's read-only membership;
    one UPDATE spends it; one INSERT makes its successor.
    """
    with transaction.atomic():
        token = next(iter(_refresh_token_row.rows(token_hash=hash_token(raw))), None)  # unique: one row at most
        now = timezone.now()
        reused = token is not None and token["spent_at"] is not None
        if token is not None and not reused and token["revoked_at"] is None and token["expires_at"] > now \
                and token["is_active"]:
            RefreshToken.objects.filter(pk=token["token_id"]).update(spent_at=now)
            return token_pair_issue(
                user_id=token["user_id"], username=token["username"],
                scopes=scopes_of(read_only=token["read_only"], is_staff=token["is_staff"]),
                family=token["family"], family_expires_at=token["family_expires_at"])
    if reused and now - token["spent_at"] > settings.REFRESH_TOKEN_REUSE_GRACE:
        family_revoke(family=token["family"])
        logger.warning("refresh_token_reuse_detected", user_id=str(token["user_id"]), family=str(token["family"]))
    raise AuthenticationFailed(REFRESH_REJECTED, code="invalid_refresh_token")


def family_revoke(*, family: uuid.UUID) -> int:
    """End a session: every live token of one login's chain of refreshes, so a stolen one dies with it."""
    return RefreshToken.objects.filter(family=family, revoked_at=None).update(revoked_at=timezone.now())


@transaction.atomic
def refresh_token_revoke(*, raw: str) -> None:
    """Log out: the presented token's whole family ends; an unknown token is not an error (RFC 7009)."""
    token = RefreshToken.objects.filter(token_hash=hash_token(raw)).values("user_id", "family").first()
    if token is not None:
        user_sessions_lock(user_id=token["user_id"])  # a refresh in flight: its successor ends too
        family_revoke(family=token["family"])


def user_sessions_lock(*, user_id) -> None:
    """Lock the user's row, then the user's refresh tokens: a refresh's own order (its user, then its token).

    A change that ends sessions (logout, a new password, deactivation, deletion) takes it first, in its
    transaction: it then waits for a refresh in flight and sees the token that refresh made, a later refresh
    waits for the change, and the two never deadlock, since a refresh waiting for the user holds no token.
    """
    list(get_user_model().objects.select_for_update().filter(pk=user_id).values_list("pk", flat=True))
    list(RefreshToken.objects.select_for_update().filter(user_id=user_id).values_list("pk", flat=True))


def user_tokens_revoke(*, user) -> int:
    """End every session of `user`: after a password change or a deactivation, no old refresh token works."""
    return RefreshToken.objects.filter(user=user, revoked_at=None).update(revoked_at=timezone.now())


def refresh_tokens_prune() -> int:
    """Delete a batch of expired rows (a spent token must outlive its expiry only to detect reuse)."""
    expired = RefreshToken.objects.filter(expires_at__lt=timezone.now()).values("pk")[:PRUNE_BATCH]
    deleted, _ = RefreshToken.objects.filter(pk__in=expired).delete()
    return deleted
