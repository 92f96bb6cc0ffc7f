"""Deliver due outbox messages; every auth worker runs one dispatcher thread, and SKIP LOCKED shares the work."""

import threading
from contextlib import contextmanager
from datetime import timedelta

import structlog
from django.db import close_old_connections, transaction
from django.utils import timezone

from fleet_client.client import request_id_var

from .handlers import HANDLERS
from .models import OutboxMessage

logger = structlog.get_logger(__name__)
POLL_SECONDS = 2.0
MAX_BACKOFF = timedelta(minutes=5)
# Longer than one delivery can take: connect 2 s + read 5 s, within a retry budget of 2 s (handlers.py).
LEASE = timedelta(seconds=60)
_wakeup = threading.Event()


def backoff(attempts: int) -> timedelta:
    return min(timedelta(seconds=2 ** min(attempts, 12)), MAX_BACKOFF)


def _claim_next() -> OutboxMessage | None:
    """Lease the next due message in a short transaction: no transaction stays open across a delivery."""
    with transaction.atomic():
        message = (OutboxMessage.objects.select_for_update(skip_locked=True)
                   .filter(delivered_at=None, next_attempt_at__lte=timezone.now())
                   .order_by("next_attempt_at").first())
        if message is not None:  # every dispatcher skips it until the lease ends (or a crash is retried then)
            OutboxMessage.objects.filter(pk=message.pk).update(next_attempt_at=timezone.now() + LEASE)
    return message


def dispatch_due(*, limit: int = 20) -> int:
    """Try every due message once, up to `limit`; a failure schedules the next attempt. Returns how many were tried."""
    tried = 0
    while tried < limit and (message := _claim_next()) is not None:
        tried += 1
        with request_id_of(message):
            _deliver(message)
    return tried


@contextmanager
def request_id_of(message: OutboxMessage):
    """Log and call under the id of the request that made the change, so its trace runs on into the receiver."""
    if not message.request_id:  # a change made outside any request (a management command): the call gets its own
        yield
        return
    token = request_id_var.set(message.request_id)
    try:
        with structlog.contextvars.bound_contextvars(request_id=message.request_id):
            yield
    finally:
        request_id_var.reset(token)


def _deliver(message: OutboxMessage) -> None:
    """One attempt: delivered, or scheduled again after a backoff."""
    try:
        HANDLERS[message.topic](message.payload)
    except Exception as error:  # noqa: BLE001 - any failure is retried later
        message.attempts += 1
        message.next_attempt_at = timezone.now() + backoff(message.attempts)
        message.last_error = f"{type(error).__name__}: {error}"[:500]
        logger.warning("outbox_delivery_failed", message_id=str(message.id), topic=message.topic,
                       attempts=message.attempts, error=type(error).__name__)
    else:
        message.delivered_at = timezone.now()
        logger.info("outbox_delivered", message_id=str(message.id), topic=message.topic)
    message.save(update_fields=["attempts", "next_attempt_at", "last_error", "delivered_at"])


def wake() -> None:
    """A message was just committed: deliver now rather than at the next poll."""
    _wakeup.set()


def _run_forever() -> None:
    while True:
        _wakeup.wait(POLL_SECONDS)
        _wakeup.clear()
        close_old_connections()
        try:
            while dispatch_due():
                pass
        except Exception as error:  # noqa: BLE001 - the database may be down; try again later
            logger.warning("outbox_dispatch_failed", error=type(error).__name__)


_started = False


def start_in_background() -> None:
    """One daemon thread per process (each gunicorn worker), started once."""
    global _started
    if not _started:
        _started = True
        threading.Thread(target=_run_forever, name="outbox-dispatcher", daemon=True).start()
