"""Enqueue inside the caller's transaction; the dispatcher delivers after commit."""

from django.db import transaction

from fleet_common.request_id import current_request_id

from .models import OutboxMessage


def outbox_enqueue(*, topic: str, payload: dict) -> OutboxMessage:
    """Must run inside the transaction of the change, so the message exists if and only if it does."""
    message = OutboxMessage.objects.create(topic=topic, payload=payload, request_id=current_request_id.get())
    transaction.on_commit(_wake_dispatcher)
    return message


def _wake_dispatcher() -> None:
    from .dispatcher import wake

    wake()
