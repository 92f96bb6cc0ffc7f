"""Reads of customers, always narrowed to what the caller may see: lists never leak."""

import uuid
from functools import lru_cache

from django.db import DEFAULT_DB_ALIAS
from django.db.models import QuerySet

from fleet_common.claims import CUSTOMERS_ADMIN
from fleet_common.compiled_query import CompiledQuery
from fleet_common.pagination import Position, keyset_page

from .models import Customer

# Every GET, PUT, PATCH and DELETE of one customer starts with one of these (fleet_common.compiled_query).
_COLUMNS = [field.attname for field in Customer._meta.concrete_fields]
_any_customer = CompiledQuery(lambda pk: Customer.objects.filter(pk=pk).values(*_COLUMNS), pk=uuid.UUID)
_own_customer = CompiledQuery(lambda pk, owner: Customer.objects.filter(pk=pk, owner=owner).values(*_COLUMNS),
                              pk=uuid.UUID, owner=str)


def _owner_seen_by(principal) -> str | None:
    """Whose customers the caller sees: None (everyone's) for `customers:admin`, otherwise their own."""
    return None if principal.has_scope(CUSTOMERS_ADMIN) else principal.sub


def _visible_to_owner(owner: str | None) -> QuerySet[Customer]:
    customers = Customer.objects.all()
    return customers if owner is None else customers.filter(owner=owner)


def customer_visible_to(principal) -> QuerySet[Customer]:
    """Every customer the caller may see: lists and lookups never reach another owner's."""
    return _visible_to_owner(_owner_seen_by(principal))


def customer_page_visible_to(principal, *, columns: tuple[str, ...], key_field: str, position: Position | None,
                             backwards: bool, limit: int) -> list[dict]:
    """`keyset_page` of `customer_visible_to(principal).values(*columns)`, by a query compiled once per shape."""
    owner = _owner_seen_by(principal)
    values = {} if owner is None else {"owner": owner}
    if position is not None:
        values["pk"] = position.pk
        if key_field != "pk":
            values["value"] = position.value
    parameters = tuple((name, type(value)) for name, value in values.items())
    return _page_query(parameters, columns, key_field, backwards, limit).rows(**values)


@lru_cache(maxsize=128)  # owner or all x 5 keys x 4 walks = 40 shapes per page size (a client uses one or two)
def _page_query(parameters: tuple[tuple[str, type], ...], columns: tuple[str, ...], key_field: str,
                backwards: bool, limit: int) -> CompiledQuery:
    """The page query of one shape: each argument changes its SQL text, the values go in as parameters."""

    def build(owner=None, pk=None, value=None):
        position = None if pk is None else Position(value=value, pk=pk, reverse=False)
        return keyset_page(_visible_to_owner(owner).values(*columns), key_field=key_field, position=position,
                           backwards=backwards, limit=limit)

    return CompiledQuery(build, **dict(parameters))


def customer_get_visible_to(principal, pk: uuid.UUID) -> Customer | None:
    """The customer `customer_visible_to(principal)` would find by `pk`, read by a query compiled once."""
    owner = _owner_seen_by(principal)
    found = _any_customer.rows(pk=pk) if owner is None else _own_customer.rows(pk=pk, owner=owner)
    return Customer.from_db(DEFAULT_DB_ALIAS, _COLUMNS, [found[0][column] for column in _COLUMNS]) if found else None


def customer_email_taken(*, owner: str, email: str, exclude_id=None) -> bool:
    """Emails are unique per owner, case-insensitively (the database enforces it too)."""
    return Customer.objects.filter(owner=owner, email__iexact=email).exclude(pk=exclude_id).exists()
