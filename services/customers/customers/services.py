"""Writes of customers; the owner comes from the token, never from the body (unless an admin imports).

Updates and deletes are one guarded statement (`... WHERE id = %s AND version IN (...)`), so a
stale `If-Match` changes nothing even when two writers race: the row count says who won.
"""

from django.db import IntegrityError, connection, transaction
from django.db.models import F
from django.utils import timezone
from rest_framework.exceptions import NotFound, PermissionDenied, ValidationError

from fleet_common.exceptions import PreconditionFailed

from .idempotency import forget_owner
from .models import Customer, ErasedOwner

DUPLICATE_EMAIL = "A customer with this email already exists."
OWNER_ERASED = "The account this customer would belong to has been deleted."


@transaction.atomic
def customer_create(*, owner: str, name: str, email: str, phone: str = "", company: str = "") -> Customer:
    """A deleted account's token (valid until it expires) is refused: its customers are gone and stay gone."""
    if _owner_erased(owner):
        raise PermissionDenied(OWNER_ERASED, code="owner_erased")
    try:
        with transaction.atomic():
            return Customer.objects.create(owner=owner, name=name, email=email, phone=phone, company=company)
    except IntegrityError as error:
        raise ValidationError({"email": [DUPLICATE_EMAIL]}) from error


@transaction.atomic
def customer_update(*, customer: Customer, fields: dict, if_match: set[int] | None = None) -> Customer:
    """Apply `fields` and bump the version in one UPDATE, only if the version is one of `if_match`."""
    rows = _guarded(customer, if_match)
    try:
        with transaction.atomic():
            changed = rows.update(**fields, version=F("version") + 1, updated_at=timezone.now())
    except IntegrityError as error:
        raise ValidationError({"email": [DUPLICATE_EMAIL]}) from error
    if not changed:
        raise _lost_race(if_match)
    return Customer.objects.get(pk=customer.pk)


@transaction.atomic
def customer_delete(*, customer: Customer, if_match: set[int] | None = None) -> None:
    """Delete, guarded by `If-Match` versions when given: a writer that lost a race gets its 412 (or 404)."""
    deleted, _ = _guarded(customer, if_match).delete()
    if not deleted:
        raise _lost_race(if_match)


def _guarded(customer: Customer, if_match: set[int] | None):
    rows = Customer.objects.filter(pk=customer.pk)
    return rows if if_match is None else rows.filter(version__in=if_match)


def _lost_race(if_match: set[int] | None) -> Exception:
    """No row matched: another writer changed it (412) or, unconditionally, deleted it (404)."""
    return NotFound() if if_match is None else PreconditionFailed()


@transaction.atomic
def customers_erase_owner(*, owner: str) -> int:
    """Delete every customer of `owner` (their account is gone) and remember the owner; deleting none is fine.

    It waits for creates of that owner in flight, so none commits after the delete; later ones see the owner
    erased and are refused.
    """
    _lock_owner_alone(owner)
    ErasedOwner.objects.get_or_create(owner=owner)
    forget_owner(owner)
    deleted, _ = Customer.objects.filter(owner=owner).delete()
    return deleted


# The owner's transaction-scoped advisory lock (key: "owner\n" + the owner): creates share it, an erasure takes
# it alone.
_OWNER_LOCK = "hashtextextended('owner' || chr(10) || %s, 0)"


def _owner_erased(owner: str) -> bool:
    """Whether `owner` was erased, asked once the owner's lock is held, shared, until the transaction ends.

    Two statements: a statement sees the data committed when it started, so an EXISTS beside the lock would
    miss an erasure committed while this waited for the lock (a create then outlived its owner's erasure).
    """
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT pg_advisory_xact_lock_shared({_OWNER_LOCK})", [owner])
    return ErasedOwner.objects.filter(owner=owner).exists()


def _lock_owner_alone(owner: str) -> None:
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT pg_advisory_xact_lock({_OWNER_LOCK})", [owner])
