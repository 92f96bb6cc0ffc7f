"""A hot-path ORM query compiled to SQL once per process; every later call only executes it.

Cloning, resolving and compiling a queryset is pure Python, and on a short query it costs more than
PostgreSQL's answer: ~0.5 ms for the token refresh's locking join with a subquery, a third of a whole
refresh (docs/benchmarks.md). The ORM still writes the SQL (tables, joins, quoting come from the
models); only its per-call cost goes.
"""

from __future__ import annotations

import inspect
from collections.abc import Callable

from django.db import DEFAULT_DB_ALIAS, connections
from django.db.models import QuerySet
from django.db.models.query import ValuesIterable
from django.db.transaction import TransactionManagementError


class Slot(str):
    """A parameter's place while the query compiles; a str subclass passes CharField's preparation as is."""


class CompiledQuery:
    """`build(**slots)` returns a `values()` queryset; `rows(**values)` runs its SQL with the slots filled.

    The slots are `build`'s parameters and are compared as strings while the query compiles, so they
    suit string columns. Compiling refuses a column Django would convert after reading it: a row is
    then exactly what the `values()` queryset itself would have returned.
    """

    def __init__(self, build: Callable[..., QuerySet], *, using: str = DEFAULT_DB_ALIAS):
        self._build = build
        self._using = using
        self._compiled: tuple[str, tuple, list[str], bool] | None = None

    def rows(self, **values) -> list[dict]:
        sql, params, names, locks = self._compiled or self._compile()
        connection = connections[self._using]
        if locks and connection.get_autocommit():
            raise TransactionManagementError("select_for_update cannot be used outside of a transaction.")
        with connection.cursor() as cursor:
            cursor.execute(sql, [values[param] if isinstance(param, Slot) else param for param in params])
            return [dict(zip(names, row)) for row in cursor.fetchall()]

    def _compile(self) -> tuple[str, tuple, list[str], bool]:
        slots = {name: Slot(name) for name in inspect.signature(self._build).parameters}
        queryset = self._build(**slots)
        if queryset._iterable_class is not ValuesIterable:
            raise TypeError("CompiledQuery needs a values() queryset: it returns rows, not model instances")
        query = queryset.query
        compiler = query.get_compiler(self._using)
        sql, params = compiler.as_sql()  # FOR UPDATE: Django's own check that a transaction is open
        if compiler.get_converters([column for column, _, _ in compiler.select]):
            raise TypeError("CompiledQuery refuses columns Django converts after reading them")
        if set(slots) - {param for param in params if isinstance(param, Slot)}:
            raise TypeError(f"a parameter of {self._build!r} is not a query parameter")
        names = [*query.extra_select, *query.values_select, *query.annotation_select]
        self._compiled = (sql, params, names, bool(query.select_for_update))
        return self._compiled

