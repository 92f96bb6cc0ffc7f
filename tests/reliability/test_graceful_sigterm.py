"""SIGTERM with requests in flight: gunicorn stops accepting, finishes every request sent to it, then exits.

The requests are held in flight by the database, not by a test-only slow path: the test locks the
customer's row (`SELECT ... FOR UPDATE` in an open transaction), so eight PATCHes of it wait on the
lock inside gunicorn. SIGTERM arrives while they wait; the lock is released a moment later, well
within the statement timeout (5 s) and gunicorn's graceful timeout (30 s), and every one completes.
(A lock wait past the statement timeout would be a 500: Postgres cancels the statement.)
"""

import threading
import time

import psycopg
import requests

IN_FLIGHT = 8


def lock_waiters(connection) -> int:
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock' AND query LIKE 'UPDATE%%'")
        return cursor.fetchone()[0]


def test_sigterm_with_eight_requests_in_flight_completes_every_one(fleet, accounts, customers_db, figure):
    user = accounts(1)[0]
    instance = fleet.config.instances("customers")[-1]
    base = f"http://127.0.0.1:{instance.port}"
    headers = {"Authorization": f"Bearer {user.token}"}
    created = requests.post(f"{base}/v2/customers/", json={"name": "Ada", "email": "ada@example.com"},
                            headers=headers, timeout=10)
    assert created.status_code == 201, created.text
    customer = created.json()["id"]

    results: list[int | str] = []

    def patch(i: int) -> None:
        try:
            response = requests.patch(f"{base}/v2/customers/{customer}/", json={"phone": f"+44 20 7946 {i:04d}"},
                                      headers=headers, timeout=30)
            results.append(response.status_code)
        except requests.RequestException as exc:
            results.append(type(exc).__name__)

    locker = customers_db
    locker.autocommit = False
    with locker.cursor() as cursor:
        cursor.execute("SELECT id FROM customers_customer WHERE id = %s FOR UPDATE", [customer])
    threads = [threading.Thread(target=patch, args=(i,)) for i in range(IN_FLIGHT)]
    for thread in threads:
        thread.start()
    # One request per request thread waits on the lock (workers x threads); the rest wait in the listen backlog,
    # which each sync worker serves before it exits (fleet_common.gunicorn_worker). The lock must go within the
    # statement timeout (5 s) of the first wait: 2.5 s at most here.
    env = fleet.env_for("customers")
    request_threads = int(env.get("GUNICORN_WORKERS", 2)) * int(env.get("GUNICORN_THREADS", 1))
    with psycopg.connect(fleet.env_for("customers")["DATABASE_URL"], autocommit=True) as watch:
        deadline = time.monotonic() + 1.5
        while lock_waiters(watch) < min(request_threads, IN_FLIGHT) and time.monotonic() < deadline:
            time.sleep(0.05)
        waiting = lock_waiters(watch)
    assert waiting >= min(request_threads, IN_FLIGHT), f"only {waiting} requests reached the database"

    stopper = threading.Thread(target=fleet.stop_instance, args=(instance.name,))
    sigterm_at = time.monotonic()
    stopper.start()  # SIGTERM, then waits for gunicorn to exit
    time.sleep(0.3)
    still_running = fleet.child(instance.name) is not None and fleet.child(instance.name).exited() is None
    # No longer accepting: a new connection is refused, or waits in the listen backlog unanswered until
    # gunicorn exits. A request sent to it is lost: why the gateway must stop sending first (rolling_restart).
    try:
        requests.get(f"{base}/healthz", timeout=0.5)
        refused = False
    except (requests.ConnectionError, requests.Timeout):
        refused = True
    locker.rollback()  # the lock goes; the waiting UPDATEs run one after the other
    for thread in threads:
        thread.join(timeout=30)
    stopper.join(timeout=30)
    exit_seconds = time.monotonic() - sigterm_at
    fleet.start_instance(instance.name)

    figure("requests in flight at SIGTERM", IN_FLIGHT)
    figure("requests waiting in the database at SIGTERM", waiting)
    figure("completed with 200", results.count(200))
    figure("gunicorn exit after SIGTERM (s)", round(exit_seconds, 1))
    assert still_running, "gunicorn exited with requests in flight"
    assert refused, "gunicorn still served new connections after SIGTERM"
    assert sorted(map(str, results)) == ["200"] * IN_FLIGHT, results
    final = requests.get(f"http://127.0.0.1:{fleet.config.instances('customers')[0].port}/v2/customers/{customer}/",
                         headers=headers, timeout=10)
    assert final.headers["ETag"] == f'"{customer}-{1 + IN_FLIGHT}"'  # every PATCH was applied, once
