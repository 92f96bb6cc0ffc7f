"""Customer records; each belongs to the subject of the token that created it."""

from django.db import models
from django.db.models.functions import Lower

from fleet_common.uuid7 import uuid7


class Customer(models.Model):
    """A customer; `version` grows on every write and backs the strong ETag."""

    id = models.UUIDField(primary_key=True, default=uuid7, editable=False)
    owner = models.CharField(max_length=255)
    name = models.CharField(max_length=200)
    email = models.EmailField(max_length=254)
    phone = models.CharField(max_length=32, blank=True)
    company = models.CharField(max_length=200, blank=True)
    version = models.PositiveIntegerField(default=1)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["id"]
        constraints = [
            models.UniqueConstraint(Lower("email"), "owner", name="customer_owner_email_uniq"),
        ]
        indexes = [models.Index(fields=["owner", "id"], name="customer_owner_id_idx")]
