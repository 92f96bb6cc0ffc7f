"""Customer records, each belonging to the subject of the token that created it; idempotent POST results; the
owners whose accounts are gone."""

from django.contrib.postgres.indexes import GinIndex, OpClass
from django.db import models
from django.db.models.functions import Lower, Upper
from django.utils import timezone

from fleet_common.uuid7 import uuid7

#: The orderings a list may ask for (`?ordering=`); each is a keyset over (field, id).
ORDERING_FIELDS = ("created_at", "updated_at", "name", "email")


def _keyset_index(field: str) -> models.Index:
    """(owner, field, id): one owner's rows in list order, so a page is an index range scan at any depth.

    An admin's list (no owner filter) ordered by one of these fields has no such index and sorts;
    add (field, id) indexes if admins come to page through millions of rows.
    """
    return models.Index(fields=["owner", field, "id"], name=f"customer_owner_{field}_idx")


def _trigram_index(field: str) -> GinIndex:
    """`icontains` compiles to UPPER(col) LIKE UPPER('%term%'): a trigram index on that expression serves it."""
    return GinIndex(OpClass(Upper(field), name="gin_trgm_ops"), name=f"customer_{field}_trgm_idx")


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
            # Also serves ?email= (lower(email) = ...).
            models.UniqueConstraint(Lower("email"), "owner", name="customer_owner_email_uniq"),
        ]
        indexes = [
            models.Index(fields=["owner", "id"], name="customer_owner_id_idx"),
            models.Index("owner", Lower("company"), name="customer_owner_company_idx"),  # ?company=
            *(_keyset_index(field) for field in ORDERING_FIELDS),
            *(_trigram_index(field) for field in ("name", "email", "company")),
        ]


class IdempotencyKey(models.Model):
    """The response to a POST that carried an `Idempotency-Key`, saved in the transaction that made the row."""

    owner = models.CharField(max_length=255)
    key = models.CharField(max_length=255)
    fingerprint = models.CharField(max_length=64)
    response_status = models.PositiveSmallIntegerField()
    response_body = models.TextField()  # JSON as rendered: jsonb would reorder its keys, and a replay must match
    response_headers = models.JSONField(default=dict)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [models.UniqueConstraint("owner", "key", name="idempotency_owner_key_uniq")]
        indexes = [models.Index(fields=["created_at"], name="idempotency_created_idx")]


class ErasedOwner(models.Model):
    """An owner whose account auth deleted: their access tokens stay valid for minutes, and must not create again.

    Subjects are never reused (user ids are UUIDs), so a row is kept for good; it holds the id alone.
    """

    owner = models.CharField(max_length=255, primary_key=True)
    erased_at = models.DateTimeField(default=timezone.now)
