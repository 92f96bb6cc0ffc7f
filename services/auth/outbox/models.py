"""Messages to other services, written in the same transaction as the change they announce."""

from django.db import models
from django.db.models import Q
from django.utils import timezone

from fleet_common.uuid7 import uuid7


class OutboxMessage(models.Model):
    """Delivered at least once, retried with backoff until the receiver confirms."""

    id = models.UUIDField(primary_key=True, default=uuid7, editable=False)
    topic = models.CharField(max_length=100)
    payload = models.JSONField()
    created_at = models.DateTimeField(auto_now_add=True)
    attempts = models.PositiveIntegerField(default=0)
    next_attempt_at = models.DateTimeField(default=timezone.now)
    delivered_at = models.DateTimeField(null=True, blank=True)
    last_error = models.CharField(max_length=500, blank=True)
    # The id of the request that made the change: its delivery carries it on, so one trace spans both services.
    request_id = models.CharField(max_length=128, blank=True)

    class Meta:
        indexes = [models.Index(fields=["next_attempt_at"], condition=Q(delivered_at=None), name="outbox_due_idx")]
