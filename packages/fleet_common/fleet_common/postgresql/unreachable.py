"""A database that just made us wait in vain is not asked again by every request waiting behind it.

With one request thread per worker (fleet_common.gunicorn_conf), requests queue in their worker. If
Postgres is frozen, each queued request would wait out a timeout of its own, one after another:
the read timeout (7 s) for the first, then the connect timeout (3 s) for each one after it. Instead,
for a moment after a connection or a read timed out, new connections in this process fail at once.
That is an OperationalError without a SQLSTATE, which fleet_common.errors answers with a 503. The
first connection after the moment tries the server again.

A server that refuses at once (stopped, restarting) is asked again by the very next request: asking
costs a millisecond, and the process serves again the moment the server does.
"""

from __future__ import annotations

import threading
import time

import psycopg

#: How long new connections fail at once after the server failed to answer: short, since recovery waits on it.
BACKOFF_SECONDS = 1.0


class DatabaseUnreachable(psycopg.OperationalError):
    """The server failed to answer moments ago; this connection was not tried."""


class Unreachable:
    """One database's recent failure, shared by the threads of a process."""

    def __init__(self, backoff: float = BACKOFF_SECONDS) -> None:
        self.backoff = backoff
        self.failed_at = float("-inf")

    def check(self) -> None:
        """Raise DatabaseUnreachable while the last failure is fresher than the backoff."""
        since = time.monotonic() - self.failed_at
        if since < self.backoff:
            raise DatabaseUnreachable(f"the database failed to answer {since:.1f} s ago; "
                                      f"tried again {self.backoff:g} s after")

    def failed(self) -> None:
        self.failed_at = time.monotonic()

    def answered(self) -> None:
        self.failed_at = float("-inf")


_by_alias: dict[str, Unreachable] = {}
_lock = threading.Lock()


def unreachable(alias: str) -> Unreachable:
    """The process's record for the database behind `alias` (each thread has its own connection object)."""
    with _lock:
        return _by_alias.setdefault(alias, Unreachable())
