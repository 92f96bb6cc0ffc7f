"""Reads of customers, always narrowed to what the caller may see: lists never leak."""

import uuid

from django.db import DEFAULT_DB_ALIAS
from django.db.models import QuerySet

from fleet_common.compiled_query import CompiledQuery

from .models import Customer
from .scopes import ADMIN

# Every GET, PUT, PATCH and DELETE of one customer starts with one of these (fleet_common.compiled_query).
_COLUMNS = [field.attname for field in Customer._meta.concrete_fields]
_any_customer = CompiledQuery(lambda pk: Customer.objects.filter(pk=pk).values(*_COLUMNS), pk=uuid.UUID)
_own_customer = CompiledQuery(lambda pk, owner: Customer.objects.filter(pk=pk, owner=owner).values(*_COLUMNS),
                              pk=uuid.UUID, owner=str)


def _owner_seen_by(principal) -> str | None:
    """Whose customers the caller sees: None (everyone's) for `customers:admin`, otherwise their own."""
    return None if principal.has_scope(ADMIN) else principal.sub


def customer_visible_to(principal) -> QuerySet[Customer]:
    """Every customer the caller may see: lists and lookups never reach another owner's."""
    customers = Customer.objects.all()
    owner = _owner_seen_by(principal)
    return customers if owner is None else customers.filter(owner=owner)


def customer_get_visible_to(principal, pk: uuid.UUID) -> Customer | None:
    """The customer `customer_visible_to(principal)` would find by `pk`, read by a query compiled once."""
    owner = _owner_seen_by(principal)
    found = _any_customer.rows(pk=pk) if owner is None else _own_customer.rows(pk=pk, owner=owner)
    return Customer.from_db(DEFAULT_DB_ALIAS, _COLUMNS, [found[0][column] for column in _COLUMNS]) if found else None


def customer_email_taken(*, owner: str, email: str, exclude_id=None) -> bool:
    """Emails are unique per owner, case-insensitively (the database enforces it too)."""
    return Customer.objects.filter(owner=owner, email__iexact=email).exclude(pk=exclude_id).exists()
