"""A hot-path ORM query compiled to SQL once per process; every later call only executes it.

Cloning, resolving and compiling a queryset is pure Python, and on a short query it costs more than
PostgreSQL's answer: ~0.5 ms for the token refresh's locking join with a subquery, a third of a whole
refresh, and ~0.2 ms for one customer by id (docs/benchmarks.md). The ORM still writes the SQL
(tables, joins, quoting come from the models); only its per-call cost goes.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from datetime import datetime, timezone

from django.db import DEFAULT_DB_ALIAS, connections
from django.db.models import QuerySet
from django.db.models.query import ValuesIterable
from django.db.transaction import TransactionManagementError


class StrSlot(str):
    """A str parameter's place while the query compiles: CharField's preparation passes it on as is."""


class UUIDSlot(uuid.UUID):
    """A UUID parameter's place: UUIDField passes a UUID on as is (PostgreSQL has a native uuid type)."""


class DatetimeSlot(datetime):
    """An aware datetime parameter's place: DateTimeField passes an aware datetime on as is (timestamptz)."""


def _new_slot(kind: type) -> object:
    """A fresh stand-in of `kind`, found again among the compiled parameters by its identity."""
    if kind is str:
        return StrSlot(uuid.uuid4())
    if kind is uuid.UUID:
        return UUIDSlot(str(uuid.uuid4()))
    if kind is datetime:
        return DatetimeSlot(2000, 1, 1, tzinfo=timezone.utc)
    raise TypeError(f"CompiledQuery parameters are str, uuid.UUID or datetime, not {kind!r}")


class CompiledQuery:
    """`build(**slots)` returns a `values()` queryset; `rows(**values)` runs its SQL with the slots filled.

    `parameters` names `build`'s parameters with their types (str, uuid.UUID or datetime); `rows` takes
    values of those types (datetimes aware). Compiling refuses a column Django would convert after
    reading it, so a row is exactly what the `values()` queryset itself would have returned.
    """

    def __init__(self, build: Callable[..., QuerySet], *, using: str = DEFAULT_DB_ALIAS, **parameters: type):
        self._build = build
        self._using = using
        self._slots = {name: _new_slot(kind) for name, kind in parameters.items()}
        self._compiled: tuple[str, list[tuple[str | None, object]], list[str], bool] | None = None

    def rows(self, **values) -> list[dict]:
        sql, params, names, locks = self._compiled or self._compile()
        connection = connections[self._using]
        if locks and connection.get_autocommit():
            raise TransactionManagementError("select_for_update cannot be used outside of a transaction.")
        with connection.cursor() as cursor:
            cursor.execute(sql, [values[slot] if slot else param for slot, param in params])
            return [dict(zip(names, row)) for row in cursor.fetchall()]

    def _compile(self) -> tuple[str, list[tuple[str | None, object]], list[str], bool]:
        queryset = self._build(**self._slots)
        if queryset._iterable_class is not ValuesIterable:
            raise TypeError("CompiledQuery needs a values() queryset: it returns rows, not model instances")
        query = queryset.query
        compiler = query.get_compiler(self._using)
        sql, params = compiler.as_sql()  # FOR UPDATE: Django's own check that a transaction is open
        if compiler.get_converters([column for column, _, _ in compiler.select]):
            raise TypeError("CompiledQuery refuses columns Django converts after reading them")
        slot_names = {id(slot): name for name, slot in self._slots.items()}  # the slots live: ids are unique
        params = [(slot_names.get(id(param)), param) for param in params]
        if set(self._slots) - {slot for slot, _ in params}:
            raise TypeError(f"a parameter of {self._build!r} did not reach the query as it was given")
        names = [*query.extra_select, *query.values_select, *query.annotation_select]
        self._compiled = (sql, params, names, bool(query.select_for_update))
        return self._compiled
