"""A user's deletion and the message that erases their customers commit together, and retry until delivered."""

import pytest
from django.db import transaction
from django.utils import timezone
from structlog.contextvars import get_contextvars, merge_contextvars
from structlog.testing import capture_logs

from fleet_client.client import request_id_var

from accounts.services import user_delete
from outbox import handlers
from outbox.dispatcher import dispatch_due
from outbox.models import OutboxMessage

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def customers_unreachable(settings):
    settings.CUSTOMERS_INTERNAL_URL = "http://127.0.0.1:9"  # nothing listens on the discard port
    handlers._customers = None
    yield
    handlers._customers = None


def test_deleting_a_user_writes_the_message_in_the_same_transaction(user):
    user_id = str(user.pk)
    user_delete(user=user)
    message = OutboxMessage.objects.get()
    assert message.topic == "user.deleted" and message.payload == {"user_id": user_id}


def test_a_rolled_back_deletion_leaves_no_message(user):
    with pytest.raises(RuntimeError), transaction.atomic():
        user_delete(user=user)
        raise RuntimeError("the surrounding transaction fails")
    assert not OutboxMessage.objects.exists()


def test_an_undeliverable_message_is_kept_and_retried_later(user):
    user_delete(user=user)
    assert dispatch_due() == 1
    message = OutboxMessage.objects.get()
    assert message.delivered_at is None and message.attempts == 1
    assert message.next_attempt_at > timezone.now()
    assert "TransportError" in message.last_error
    assert dispatch_due() == 0  # not due again yet


@pytest.mark.django_db(transaction=True)
def test_a_message_is_delivered_outside_any_transaction_and_leased_meanwhile(user, monkeypatch):
    seen = []

    def deliver(payload):
        # Another dispatcher (here the same one again) skips a message under delivery.
        seen.append((transaction.get_connection().in_atomic_block, dispatch_due()))

    monkeypatch.setitem(handlers.HANDLERS, "user.deleted", deliver)
    user_delete(user=user)
    assert dispatch_due() == 1
    assert seen == [(False, 0)]
    assert OutboxMessage.objects.get().delivered_at is not None


def test_admin_delete_through_the_api_enqueues_with_the_requests_id(api, user, staff, bearer):
    assert bearer("root").delete(f"/v1/auth/users/{user.id}/", HTTP_X_REQUEST_ID="req-erase").status_code == 204
    message = OutboxMessage.objects.get(topic="user.deleted")
    assert message.request_id == "req-erase"


@pytest.mark.parametrize("request_id", ["req-erase", ""])
def test_a_delivery_calls_and_logs_under_the_id_of_the_request_that_made_the_change(user, monkeypatch, request_id):
    seen = []
    monkeypatch.setitem(handlers.HANDLERS, "user.deleted",
                        lambda payload: seen.append((request_id_var.get(), get_contextvars().get("request_id"))))
    user_delete(user=user)
    OutboxMessage.objects.update(request_id=request_id)
    with capture_logs(processors=[merge_contextvars]) as logs:
        assert dispatch_due() == 1
    assert seen == [(request_id, request_id or None)]  # none: the client makes a fresh one for the call
    assert [(line["event"], line.get("request_id")) for line in logs] == [("outbox_delivered", request_id or None)]
    assert (request_id_var.get(), get_contextvars()) == ("", {})  # and nothing stays bound after it
