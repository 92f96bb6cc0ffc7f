"""Parts of the fleet fail under load: auth, customers' Postgres (stopped, then frozen), Redis, a gunicorn worker.

Each test runs loadtest's mixed load (no retries) across the fault, prints its counts, and checks
afterwards that every write the service acknowledged is in the database as acknowledged.
"""

import collections
import os
import signal
import time
from contextlib import contextmanager
from dataclasses import dataclass

import psycopg
import requests

import loadtest

#: What a request may take while Postgres is frozen: the read timeout (7 s) on a persistent connection,
#: then, for a fresh one, connect_timeout (3 s); fleet_common.settings.databases(), README "Timeouts".
FROZEN_BOUND_SECONDS = 7 + 3 + 2


def no_loss(writes: dict) -> bool:
    return writes["lost"] == writes["changed"] == writes["resurrected"] == 0


def window(samples, start: float, end: float):
    return [s for s in samples if start <= s.at < end]


def wait_until_serving(gateway: str, account, seconds: float = 30) -> float:
    """Seconds until GET /v2/customers/ answers 200 again; fails after `seconds`."""
    started = time.monotonic()
    while time.monotonic() - started < seconds:
        response = requests.get(f"{gateway}/v2/customers/", headers={"Authorization": f"Bearer {account.token}"}, timeout=30)
        if response.status_code == 200:
            return time.monotonic() - started
        time.sleep(0.1)
    raise AssertionError(f"not serving {seconds} s after the fault ended: {response.status_code}")


@dataclass
class Outage:
    """One fault under load: when it began and ended, and how long serving took to come back after."""

    samples: list
    began: float = 0.0
    ended: float = 0.0
    recovery: float = 0.0

    def during(self) -> list:
        return window(self.samples, self.began, self.ended)

    def after(self) -> list:
        return window(self.samples, self.ended + self.recovery + 1, float("inf"))


@contextmanager
def outage_under_load(load_context, gateway: str, account, *, begin, end):
    """Load for 2 s, `begin()` the fault, run the block during it, `end()` it (always), then wait until
    GET serves again and load 3 s more; the yielded Outage is complete once the block has exited."""
    with load_context as load:
        outage = Outage(load.load.samples)
        time.sleep(2)
        outage.began = time.monotonic()
        begin()
        try:
            yield outage
        finally:
            end()
        outage.ended = time.monotonic()
        outage.recovery = wait_until_serving(gateway, account)
        time.sleep(3)


def test_with_auth_stopped_customers_keeps_serving_valid_tokens_even_after_a_restart(fleet, gateway, accounts,
                                                                                    background, figure):
    users = accounts(4)
    restarted = fleet.config.instances("customers")[-1]
    for instance in fleet.config.instances("customers"):  # the outage starts after customers has fetched the keys
        assert requests.get(f"http://127.0.0.1:{instance.port}/v2/customers/", timeout=10,
                            headers={"Authorization": f"Bearer {users[0].token}"}).status_code == 200
    fleet.stop_instance("auth")
    try:
        with background(users, keepalive=False) as load:  # gateway reloads: see test_rolling_restart
            time.sleep(2)
            # Restarted during the outage (drained first, as in a rolling restart): keys from JWKS_CACHE_PATH only.
            fleet.reload_gateways(without=frozenset({restarted.name}))
            fleet.stop_instance(restarted.name)
            fleet.start_instance(restarted.name)
            fleet.reload_gateways()
            time.sleep(2)
        direct = [requests.get(f"http://127.0.0.1:{restarted.port}/v2/customers/", timeout=10,
                               headers={"Authorization": f"Bearer {u.token}"}).status_code for u in users * 5]
    finally:
        fleet.start_instance("auth")
    summary = loadtest.summarize(load.load.samples, allowed=())
    figure("requests with auth down", summary["requests"] + len(direct))
    figure("failed", summary["errors"] + sum(status != 200 for status in direct))
    assert summary["requests"] > 100 and summary["errors"] == 0, (summary["statuses"], load.load.errors.most_common(3))
    assert direct == [200] * len(direct)
    assert no_loss(loadtest.verify(gateway, users))


def test_postgres_stopped_for_10_s_is_quick_503s_then_full_recovery(fleet, gateway, accounts, background, figure):
    users = accounts(6)
    pids = {child.name: child.pid for child in fleet.children}
    postgres = fleet.infra.postgres
    with outage_under_load(background(users), gateway, users[0], begin=postgres.stop, end=postgres.start) as outage:
        time.sleep(1)
        probe_started = time.monotonic()
        probe = requests.post(f"{gateway}/v2/customers/", json={"name": "P", "email": "p@example.com"},
                              headers={"Authorization": f"Bearer {users[0].token}"}, timeout=30)
        probe_seconds = time.monotonic() - probe_started
        time.sleep(max(0.0, 10 - (time.monotonic() - outage.began)))
    during, after, recovery = outage.during(), outage.after(), outage.recovery
    statuses = {s.status for s in during}
    writes = loadtest.verify(gateway, users)
    with psycopg.connect(fleet.env_for("customers")["DATABASE_URL"]) as connection, connection.cursor() as cursor:
        # A create is one INSERT in one transaction: whole or absent.
        cursor.execute("SELECT count(*) FROM customers_customer WHERE owner = ANY(%s) AND "
                       "(name = '' OR email = '' OR phone = '' OR company = '')", [[u.sub for u in users]])
        partial = cursor.fetchone()[0]

    figure("requests while Postgres was down", len(during))
    figure("503 while down", sum(s.status == 503 for s in during))
    figure("slowest answer while down (s)", round(max(s.seconds for s in during), 2))
    figure("other failures while down", sum(s.status not in (503, loadtest.EXPECTED[s.op]) for s in during))
    figure("serving again after Postgres started (s)", round(recovery, 2))
    figure("partial rows", partial)
    figure("acknowledged writes lost", writes["lost"] + writes["changed"] + writes["resurrected"])
    assert probe.status_code == 503 and probe.headers["Content-Type"] == "application/problem+json", probe.text
    assert probe.json()["status"] == 503 and probe.headers["Retry-After"] and probe_seconds < 4
    assert statuses <= {503, 200, 201, 204}, statuses  # never a 500, 502 or 504, never a dropped connection
    assert max(s.seconds for s in during) < 4, "a request hung while Postgres was down"
    assert sum(s.status == 503 for s in during) > 10
    assert recovery < 10 and after and all(s.status == loadtest.EXPECTED[s.op] for s in after)
    assert partial == 0 and no_loss(writes), writes
    assert {child.name: child.pid for child in fleet.children} == pids, "recovery needed no restart"


def test_postgres_frozen_fails_requests_within_the_timeout_and_recovers_when_it_resumes(fleet, gateway, accounts,
                                                                                        background, figure):
    users = accounts(4)
    postgres = fleet.infra.postgres
    with outage_under_load(background(users), gateway, users[0], begin=postgres.freeze, end=postgres.thaw) as outage:
        time.sleep(15)
    during, after, recovery = outage.during(), outage.after(), outage.recovery
    failed = [s for s in during if s.status != loadtest.EXPECTED[s.op]]
    writes = loadtest.verify(gateway, users)

    figure("requests sent while frozen", len(during))
    figure("failed while frozen, by status", dict(sorted(collections.Counter(s.status for s in failed).items())))
    figure("slowest answer to a request sent while frozen (s)", round(max(s.seconds for s in during), 2))
    figure("serving again after SIGCONT (s)", round(recovery, 2))
    figure("acknowledged writes lost", writes["lost"] + writes["changed"] + writes["resurrected"])
    assert failed, "nothing failed while Postgres was frozen"
    assert {s.status for s in failed} <= {503}, {s.status for s in failed}  # a 503 problem, never a 504 or a reset
    assert max(s.seconds for s in during) < FROZEN_BOUND_SECONDS, [(s.op, s.status, round(s.seconds, 2)) for s in during]
    assert recovery < 10 and after and all(s.status == loadtest.EXPECTED[s.op] for s in after)
    assert no_loss(writes), writes


def test_with_redis_stopped_customers_still_serves(fleet, gateway, accounts, background, figure):
    users = accounts(4)
    fleet.infra.stop_redis()
    try:
        with background(users) as load:
            time.sleep(5)
    finally:
        fleet.infra.start_redis()
    summary = loadtest.summarize(load.load.samples, allowed=())
    figure("requests with Redis down", summary["requests"])
    figure("failed", summary["errors"])
    figure("p99 with Redis down (ms)", summary["p99_ms"])
    assert summary["requests"] > 100 and summary["errors"] == 0, summary["statuses"]
    assert no_loss(loadtest.verify(gateway, users))


def test_a_worker_killed_under_write_load_loses_no_acknowledged_write(fleet, gateway, accounts, background, figure):
    users = accounts(8)
    with background(users, mix={"create": 1}) as load:
        time.sleep(2)
        victim = fleet.worker_pids("customers")[0]
        os.kill(victim, signal.SIGKILL)
        time.sleep(4)
    summary = loadtest.summarize(load.load.samples, allowed=())
    writes = loadtest.verify(gateway, users)
    figure("creates sent", summary["requests"])
    figure("acknowledged (201)", writes["acknowledged_rows"])
    figure("failed (the killed worker's requests in flight)", summary["errors"])
    figure("acknowledged writes missing afterwards", writes["lost"] + writes["changed"])
    assert victim not in fleet.worker_pids("customers"), "gunicorn replaced the killed worker"
    assert writes["acknowledged_rows"] > 100 and writes["lost"] == writes["changed"] == 0, writes
