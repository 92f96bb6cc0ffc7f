"""The read timeout of fleet_common.postgresql, driven through psycopg's own wait loop on a real socket, and the
backoff after a failure (fleet_common.postgresql.unreachable)."""

import socket
import time

import psycopg
import pytest
from psycopg import waiting
from psycopg.pq import PGconn

from fleet_common.postgresql.base import DatabaseReadTimeout, bound_wait
from fleet_common.postgresql.unreachable import DatabaseUnreachable, Unreachable, unreachable


class SilentServer:
    """The client side of psycopg's wait loop, facing a peer that accepts bytes and never answers (a frozen server)."""

    def __init__(self):
        self.client, self.server = socket.socketpair()
        self.finished = False
        self.pgconn = self

    def finish(self):  # PGconn.finish: the connection is closed
        self.finished = True

    def wait(self, gen, interval=0.1, timeout=None):  # psycopg.Connection.wait, minus the Ctrl-C handling
        return waiting.wait(gen, self.client.fileno(), interval=interval, timeout=timeout)

    def close(self):
        self.client.close()
        self.server.close()


def one_read():
    """A psycopg generator that waits until the socket is readable (a wake-up with nothing to read: wait on)."""
    while not (yield waiting.Wait.R):
        pass
    return "answered"


@pytest.fixture
def silent():
    server = SilentServer()
    yield server
    server.close()


def test_a_silent_server_times_out_closes_the_connection_and_reads_as_a_lost_database(silent):
    bound_wait(silent, lambda: 0.3)
    started = time.monotonic()
    with pytest.raises(DatabaseReadTimeout) as raised:
        silent.wait(one_read())
    assert 0.25 < time.monotonic() - started < 2
    assert silent.finished
    # What fleet_common.errors.is_database_unavailable turns into a 503: an OperationalError without a SQLSTATE.
    assert isinstance(raised.value, psycopg.OperationalError) and raised.value.sqlstate is None


def test_an_answer_within_the_timeout_passes_through(silent):
    bound_wait(silent, lambda: 5)
    silent.server.send(b"x")
    assert silent.wait(one_read()) == "answered" and not silent.finished


def test_no_read_timeout_means_psycopgs_default_of_waiting(silent):
    bound_wait(silent, lambda: None)
    silent.server.send(b"x")
    assert silent.wait(one_read()) == "answered"


def test_pgconn_has_the_finish_the_timeout_calls():
    assert callable(PGconn.finish)


def test_a_read_timeout_tells_the_caller(silent):
    timed_out = []
    bound_wait(silent, lambda: 0.1, on_timeout=lambda: timed_out.append(True))
    with pytest.raises(DatabaseReadTimeout):
        silent.wait(one_read())
    assert timed_out == [True]


def test_after_a_failure_connections_fail_at_once_for_the_backoff_then_try_again():
    recent = Unreachable(backoff=0.2)
    recent.check()  # nothing failed yet
    recent.failed()
    with pytest.raises(DatabaseUnreachable) as raised:
        recent.check()
    # What fleet_common.errors.is_database_unavailable turns into a 503: an OperationalError without a SQLSTATE.
    assert isinstance(raised.value, psycopg.OperationalError) and raised.value.sqlstate is None
    time.sleep(0.25)
    recent.check()  # the backoff is over: the next connection tries the server
    recent.failed()
    recent.answered()
    recent.check()  # a connection that worked ends it at once


def test_threads_share_one_record_per_database():
    assert unreachable("default") is unreachable("default") is not unreachable("other")
