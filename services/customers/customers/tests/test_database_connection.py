"""A persistent connection is checked without a round trip, and a dead one is still replaced before use."""

import psycopg
import pytest
from django.db import close_old_connections, connection

from .helpers import create, detail_url

pytestmark = pytest.mark.django_db(transaction=True)


def terminate_backend_of(pid: int) -> None:
    params = {k: v for k, v in connection.get_connection_params().items()
              if k not in ("options", "cursor_factory", "context")}
    with psycopg.connect(**params, autocommit=True) as other:
        # With a timeout, it returns once the backend has exited (and its socket is closed).
        assert other.execute("SELECT pg_terminate_backend(%s, 5000)", [pid]).fetchone()[0]


def test_a_live_idle_connection_is_usable(alice):
    create(alice)
    assert connection.is_usable()


def test_a_backend_the_server_ended_is_not_usable(alice):
    create(alice)
    terminate_backend_of(connection.connection.info.backend_pid)
    try:
        assert not connection.is_usable()
    finally:
        connection.close()


def test_the_next_request_after_the_server_ended_the_connection_succeeds_on_a_new_one(alice):
    url = detail_url(create(alice).json()["id"])
    assert alice.get(url).status_code == 200
    old_pid = connection.connection.info.backend_pid
    terminate_backend_of(old_pid)
    close_old_connections()  # what request_started does in production (the test client skips it)
    response = alice.get(url)
    assert response.status_code == 200, response.content
    assert connection.connection.info.backend_pid != old_pid
