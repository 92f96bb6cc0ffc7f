"""fleet_common's `migrate_locked`, against the real PostgreSQL of `make test`: runs never overlap."""

import io
import threading
import time

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection, connections
from django.db.models.signals import post_migrate, pre_migrate

from fleet_common.management.commands.migrate_locked import LOCK_KEY

pytestmark = pytest.mark.django_db(transaction=True)

LOCK_HELD_BY_ME = (
    "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND granted AND pid = pg_backend_pid() "
    "AND ((classid::bigint << 32) | objid::bigint) = %s"
)


def run_in_thread(*args) -> tuple[threading.Thread, io.StringIO, list]:
    """`migrate_locked` in its own thread, hence its own database session, as another replica would."""
    out, errors = io.StringIO(), []

    def target():
        try:
            call_command("migrate_locked", *args, stdout=out)
        except Exception as exc:  # noqa: BLE001 - reported to the test
            errors.append(exc)
        finally:
            connections.close_all()

    thread = threading.Thread(target=target, daemon=True)
    thread.start()
    return thread, out, errors


@pytest.fixture
def migrate_spans():
    """(start, end, lock held by migrate's own session?) of each `migrate`, made slow enough to overlap."""
    spans, lock = {}, threading.Lock()

    def started(sender, **kwargs):
        if sender.label != "customers":
            return
        with connection.cursor() as cursor:  # this thread's connection: the one migrate uses
            cursor.execute(LOCK_HELD_BY_ME, [LOCK_KEY])
            held = cursor.fetchone()[0] == 1
        with lock:
            spans[threading.get_ident()] = [time.monotonic(), None, held]
        time.sleep(1.0)

    def finished(sender, **kwargs):
        if sender.label == "customers":
            with lock:
                spans[threading.get_ident()][1] = time.monotonic()

    pre_migrate.connect(started, weak=False, dispatch_uid="test-migrate-locked-pre")
    post_migrate.connect(finished, weak=False, dispatch_uid="test-migrate-locked-post")
    yield spans
    pre_migrate.disconnect(dispatch_uid="test-migrate-locked-pre")
    post_migrate.disconnect(dispatch_uid="test-migrate-locked-post")


def test_two_concurrent_runs_never_overlap(migrate_spans):
    runs = [run_in_thread() for _ in range(2)]
    for thread, _, _ in runs:
        thread.join(timeout=60)
        assert not thread.is_alive()
    assert [errors for _, _, errors in runs] == [[], []]
    first, second = sorted(migrate_spans.values())
    assert first[1] is not None and second[1] is not None
    assert first[1] <= second[0], f"the two migrations overlapped: {first} and {second}"
    assert first[2] and second[2], "migrate must run in the session that holds the lock"
    outputs = [out.getvalue() for _, out, _ in runs]
    assert sum("waiting" in output for output in outputs) == 1, outputs


def test_waits_while_another_session_holds_the_lock(other_session, migrate_spans):
    with other_session.cursor() as cursor:
        cursor.execute("SELECT pg_advisory_lock(%s)", [LOCK_KEY])
    thread, out, errors = run_in_thread("--wait", "60")
    time.sleep(1.5)
    assert thread.is_alive(), out.getvalue()
    assert migrate_spans == {}, "migrate started while another session held the lock"
    holder = other_session.connection.info.backend_pid
    assert f"another migration holds lock {LOCK_KEY} (pid {holder})" in out.getvalue()

    with other_session.cursor() as cursor:
        cursor.execute("SELECT pg_advisory_unlock(%s)", [LOCK_KEY])
    thread.join(timeout=60)
    assert not thread.is_alive() and errors == []
    assert len(migrate_spans) == 1
    assert "taken" in out.getvalue() and "released" in out.getvalue()


def test_gives_up_after_the_wait_and_never_migrates(other_session, migrate_spans):
    with other_session.cursor() as cursor:
        cursor.execute("SELECT pg_advisory_lock(%s)", [LOCK_KEY])
    with pytest.raises(CommandError, match="still held after 1 s"):
        call_command("migrate_locked", "--wait", "1", stdout=io.StringIO())
    assert migrate_spans == {}


def test_releases_the_lock_when_done(other_session):
    call_command("migrate_locked", stdout=io.StringIO())
    with other_session.cursor() as cursor:
        cursor.execute("SELECT pg_try_advisory_lock(%s)", [LOCK_KEY])
        assert cursor.fetchone()[0] is True
        cursor.execute("SELECT pg_advisory_unlock(%s)", [LOCK_KEY])
