"""`manage.py migrate_locked`: migrate while holding a Postgres advisory lock, so replicas never migrate at once.

Every replica of a service runs this before it serves (a Kubernetes init container). The lock is a
session lock taken on Django's own connection, the one `migrate` then uses, so it is held for the whole
migration and released by `pg_advisory_unlock` or, if the process dies, by the end of the session.
A second runner waits, then finds nothing left to apply. Advisory locks are per database, and each
service has its own database, so one constant key is enough.
"""

import time

from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError
from django.db import DEFAULT_DB_ALIAS, connections

#: The advisory lock key: any constant bigint that nothing else in these databases uses ("fleetmig").
LOCK_KEY = 0x666C_6565_746D_6967
POLL_SECONDS = 0.5


class Command(BaseCommand):
    help = "Run `migrate` while holding a Postgres advisory lock (one migration at a time per database)."

    def add_arguments(self, parser):
        parser.add_argument("--database", default=DEFAULT_DB_ALIAS, help="database alias (default: default)")
        parser.add_argument("--wait", type=float, default=600.0,
                            help="seconds to wait for the lock before giving up (default 600)")

    def handle(self, *args, database, wait, **options):
        connection = connections[database]
        if connection.vendor != "postgresql":
            raise CommandError(f"migrate_locked needs PostgreSQL, not {connection.vendor}")
        connection.ensure_connection()
        with connection.cursor() as cursor:
            # A migration is not a request: the services' statement_timeout (5 s) must not cut it short.
            cursor.execute("SET statement_timeout = 0")
        connection.read_timeout = None  # nor our client-side read timeout (fleet_common.postgresql)
        self._acquire(connection, wait)
        try:
            call_command("migrate", database=database, interactive=False,
                         verbosity=options["verbosity"], stdout=self.stdout, stderr=self.stderr)
        finally:
            self._release(connection)

    def _acquire(self, connection, wait: float) -> None:
        """Poll pg_try_advisory_lock, so the wait is bounded and says who holds the lock."""
        deadline = time.monotonic() + wait
        announced = False
        while True:
            with connection.cursor() as cursor:
                cursor.execute("SELECT pg_try_advisory_lock(%s)", [LOCK_KEY])
                if cursor.fetchone()[0]:
                    self.stdout.write(f"migrate_locked: lock {LOCK_KEY} taken")
                    return
            if not announced:
                self.stdout.write(f"migrate_locked: another migration holds lock {LOCK_KEY} "
                                  f"(pid {self._holder(connection)}); waiting up to {wait:.0f} s")
                announced = True
            if time.monotonic() >= deadline:
                raise CommandError(f"migrate_locked: lock {LOCK_KEY} still held after {wait:.0f} s; giving up")
            time.sleep(POLL_SECONDS)

    def _holder(self, connection) -> str:
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT pid FROM pg_locks WHERE locktype = 'advisory' AND granted AND database = "
                "(SELECT oid FROM pg_database WHERE datname = current_database()) "
                "AND ((classid::bigint << 32) | objid::bigint) = %s",
                [LOCK_KEY],
            )
            row = cursor.fetchone()
        return str(row[0]) if row else "unknown"

    def _release(self, connection) -> None:
        if connection.connection is None:  # the session is gone, and the lock with it
            return
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_unlock(%s)", [LOCK_KEY])
        self.stdout.write(f"migrate_locked: lock {LOCK_KEY} released")
