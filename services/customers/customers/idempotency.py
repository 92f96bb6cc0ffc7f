"""`Idempotency-Key` on POST: a retried create replays the first response instead of making a second row.

Atomicity: the whole POST (claim, create, stored response) is one transaction. The claim is a
transaction-scoped advisory lock on (caller, key), taken with `pg_try_advisory_xact_lock`, so:

- a duplicate arriving while the first is running fails to take the lock and gets a 409 at once
  (no waiting on the first's uncommitted row);
- the stored response commits together with the customer row, or neither does: a failed or
  crashed request leaves nothing behind, and its lock dies with its transaction or connection
  (at most gunicorn's 20 s timeout, far under the 60 s a stored claim would need to expire);
- a duplicate arriving after the commit finds the stored response (the lock is released only after
  the commit is visible), which it replays, even while another duplicate holds the lock a moment.

Keys are per caller (sub). The fingerprint is sha256 over caller, method, path and the body as
canonical JSON (sorted keys), so the same key with another body is a 422. Responses are replayed for
`IDEMPOTENCY_KEY_TTL_HOURS` (24 h); older ones are ignored and then deleted by
`manage.py prune_idempotency_keys` (run it hourly, e.g. from cron or a Kubernetes CronJob).
"""

import hashlib
import json
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import timedelta

from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder
from django.db import connection, transaction
from django.db.models import Q
from django.utils import timezone
from rest_framework.exceptions import ValidationError
from rest_framework.response import Response

from fleet_common.exceptions import Conflict, UnprocessableContent

from .models import IdempotencyKey

HEADER = "Idempotency-Key"
REPLAYED_HEADER = "Idempotent-Replayed"
MAX_KEY_LENGTH = 255
PRUNE_BATCH = 10_000


@dataclass(frozen=True)
class StoredResponse:
    """What a create answered, as it is saved and replayed."""

    status: int
    body: dict
    headers: dict = field(default_factory=dict)

    def as_response(self, *, replayed: bool = False) -> Response:
        headers = {**self.headers, **({REPLAYED_HEADER: "true"} if replayed else {})}
        return Response(self.body, status=self.status, headers=headers)


def idempotency_key(request) -> str | None:
    """The header's value: 1 to 255 visible ASCII characters, or a 400."""
    key = request.headers.get(HEADER)
    if key is None:
        return None
    if not 1 <= len(key) <= MAX_KEY_LENGTH or not all("\x21" <= char <= "\x7e" for char in key):
        raise ValidationError({HEADER: [f"Must be 1 to {MAX_KEY_LENGTH} visible ASCII characters."]})
    return key


def request_fingerprint(*, caller: str, method: str, path: str, body) -> str:
    """sha256 of the request as canonical JSON: key order and whitespace do not matter."""
    canonical = json.dumps({"caller": caller, "method": method, "path": path, "body": body},
                           sort_keys=True, separators=(",", ":"), cls=DjangoJSONEncoder)
    return hashlib.sha256(canonical.encode()).hexdigest()


def ttl() -> timedelta:
    return timedelta(hours=settings.IDEMPOTENCY_KEY_TTL_HOURS)


@transaction.atomic
def run_idempotent(*, owner: str, key: str, fingerprint: str,
                   action: Callable[[], StoredResponse]) -> tuple[StoredResponse, bool]:
    """Run `action` once per (owner, key); returns its response and whether it is a replay."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_try_advisory_xact_lock(hashtextextended(%s, 0))", [f"{owner}\n{key}"])
        claimed = cursor.fetchone()[0]
    stored = IdempotencyKey.objects.filter(owner=owner, key=key).first()
    if stored is not None and stored.created_at < timezone.now() - ttl():
        if claimed:
            stored.delete()  # expired: the key is free again
        stored = None
    if stored is not None:  # committed, so the first is done: whoever holds the claim is another retry
        if stored.fingerprint != fingerprint:
            raise UnprocessableContent()
        return StoredResponse(stored.response_status, json.loads(stored.response_body), stored.response_headers), True
    if not claimed:
        raise Conflict()
    response = action()
    IdempotencyKey.objects.create(owner=owner, key=key, fingerprint=fingerprint, response_status=response.status,
                                  response_body=json.dumps(response.body, cls=DjangoJSONEncoder),
                                  response_headers=response.headers)
    return response, False


def respond_once(request, action: Callable[[], StoredResponse]) -> Response:
    """`action`'s response; with an `Idempotency-Key`, run once per caller and key, then replayed."""
    key = idempotency_key(request)
    if key is None:
        return action().as_response()
    fingerprint = request_fingerprint(caller=request.user.sub, method=request.method, path=request.path,
                                      body=request.data)
    stored, replayed = run_idempotent(owner=request.user.sub, key=key, fingerprint=fingerprint, action=action)
    return stored.as_response(replayed=replayed)


def forget_owner(owner: str) -> int:
    """Delete the stored responses an erased owner could replay, and those that show one of its customers
    (an admin's imports): its personal data must not outlive the erasure."""
    shows_owner = f'"owner": {json.dumps(owner)}'  # as run_idempotent stores the body (json.dumps' separators)
    deleted, _ = IdempotencyKey.objects.filter(Q(owner=owner) | Q(response_body__contains=shows_owner)).delete()
    return deleted


def prune_expired_keys(*, now=None) -> int:
    """Delete stored responses older than the TTL, in batches so no lock is held long; returns the count."""
    cutoff = (now or timezone.now()) - ttl()
    total = 0
    while True:
        with transaction.atomic():
            ids = list(IdempotencyKey.objects.filter(created_at__lt=cutoff).values_list("pk", flat=True)[:PRUNE_BATCH])
            if not ids:
                return total
            total += IdempotencyKey.objects.filter(pk__in=ids).delete()[0]
