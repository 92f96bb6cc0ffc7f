"""Django's PostgreSQL backend, plus a read timeout: a frozen or unreachable server is an error, not a hang.

`statement_timeout` is enforced by the server, so it cannot fire when the server itself does not run
(SIGSTOP, a stalled disk, a dead host behind an open socket), and psycopg waits for an answer forever
by default. TCP keepalives and `tcp_user_timeout` do not help either: a frozen process's kernel still
acknowledges every packet. Here every wait of psycopg on an open connection (queries, commits, the
health check of a persistent connection) gives up after `read_timeout` seconds; the connection is
then closed, and the OperationalError becomes a 503 (fleet_common.errors). Connecting is bounded
separately by libpq's `connect_timeout`.

It also reads `timestamptz` values with `datetime.fromisoformat` (C) instead of Django's loader,
which parses them in Python: 2 per customer, 100 per page of 50 (docs/benchmarks.md).
"""

from __future__ import annotations

import select
from datetime import datetime, timezone
from functools import lru_cache

import psycopg
from django.db.backends.postgresql import base as postgresql
from psycopg.adapt import AdaptersMap
from psycopg.types.datetime import TimestamptzLoader

from .unreachable import unreachable

#: psycopg raises this (an OperationalError) when a wait outlives its timeout; private, so pinned by a test.
WaitTimeout = psycopg.errors._WaitTimeout

#: The OPTIONS key holding the read timeout in seconds (None or 0: wait forever, psycopg's default).
READ_TIMEOUT_OPTION = "read_timeout"


class DatabaseReadTimeout(psycopg.OperationalError):
    """The server did not answer in time; the connection was closed, since its state is unknown."""


class UTCTimestamptzLoader(TimestamptzLoader):
    """A session in UTC sends `2026-11-27 14:23:10.806958+00`, which `fromisoformat` parses in C
    (0.3 us, to the same `timezone.utc` Django's loader gives); anything else takes psycopg's parser."""

    timezone = timezone.utc  # Django's create_cursor compares it with the connection's time zone

    def load(self, data):
        text = bytes(data).decode()
        try:
            return datetime.fromisoformat(text).astimezone(timezone.utc)
        except ValueError:  # not ISO 8601 (another DateStyle, a year before 1 or past 9999): psycopg decides
            return super().load(data).astimezone(timezone.utc)


@lru_cache
def with_utc_timestamps(template: AdaptersMap) -> AdaptersMap:
    """Django's adapters for a connection, with the fast loader (one map per template, as Django keeps)."""
    adapters = AdaptersMap(template)
    adapters.register_loader("timestamptz", UTCTimestamptzLoader)
    return adapters


class DatabaseWrapper(postgresql.DatabaseWrapper):
    """Every psycopg wait on this connection is bounded by `self.read_timeout` (settable, e.g. to None for migrations)."""

    def __init__(self, settings_dict, *args, **kwargs):
        super().__init__(settings_dict, *args, **kwargs)
        self.read_timeout = self.settings_dict["OPTIONS"].get(READ_TIMEOUT_OPTION) or None

    def get_connection_params(self):
        params = super().get_connection_params()
        params.pop(READ_TIMEOUT_OPTION, None)  # ours, not libpq's
        if self.timezone is timezone.utc and "context" in params:  # USE_TZ, and the session in UTC
            params["context"] = with_utc_timestamps(params["context"])
        return params

    def get_new_connection(self, conn_params):
        """Connect, unless the server failed to answer moments ago (fleet_common.postgresql.unreachable)."""
        recent = unreachable(self.alias)
        recent.check()
        try:
            connection = super().get_new_connection(conn_params)
        except psycopg.errors.ConnectionTimeout:  # a refusal costs nothing to try again; a timeout does
            recent.failed()
            raise
        recent.answered()
        bound_wait(connection, lambda: self.read_timeout, on_timeout=recent.failed)
        return connection

    def is_usable(self):
        """Django's health check of a persistent connection (once per request), with the round trip only
        when the socket says something happened: a server that went away (restart, crash, terminated
        backend) leaves an error notice or an EOF to read on an idle connection; a live one leaves
        nothing. A `SELECT 1` per request was ~16 % of a page of 50's time under load (docs/benchmarks.md)."""
        connection = self.connection
        if connection is None or connection.closed:
            return False
        if connection.info.transaction_status != psycopg.pq.TransactionStatus.IDLE:
            return super().is_usable()
        try:
            poller = select.poll()
            poller.register(connection.fileno(), select.POLLIN)
            pending = poller.poll(0)
        except (OSError, ValueError, psycopg.Error):
            return False
        return super().is_usable() if pending else True


def bound_wait(connection: psycopg.Connection, read_timeout, on_timeout=lambda: None) -> None:
    """Give `connection` a `wait` that stops after `read_timeout()` seconds, closes it and calls `on_timeout()`."""
    plain_wait = connection.wait

    def wait(gen, interval=0.1, timeout=None):
        limit = timeout if timeout is not None else read_timeout()
        try:
            return plain_wait(gen, interval, limit)
        except WaitTimeout:
            connection.pgconn.finish()  # mid-protocol: unusable; closing it makes every later use fail at once
            on_timeout()
            raise DatabaseReadTimeout(f"the database did not answer within {limit:g} s; connection closed") from None

    connection.wait = wait
