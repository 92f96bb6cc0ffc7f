"""Benchmark (not a test): v2 list latency at the first and at a deep page, with 1,000 and 1,000,000 rows.

    .venv/bin/python services/customers/bench/pagination.py [--sizes 1000 1000000] [--runs 200]

Without DATABASE_URL it starts its own PostgreSQL and Redis under var/bench/ (devfleet's Infra, test
ports + 7 and DEVFLEET_PORT_OFFSET) and stops them at the end; the data stays there for the next run
(`--reseed` makes it anew). Each size lives in its own schema (`bench_1000`, `bench_1000000`), a copy
of the migrated table with all its indexes, filled by one `INSERT ... SELECT ... FROM
generate_series` with the indexes in place; every tenth row belongs to the benchmark owner (100,000
of 1,000,000), the rest spread over 999 other owners.

Each page is a real request through the v2 view (middleware, throttles in Redis, keyset paginator,
serializer), timed in-process; the deep page starts from a cursor at 90 % of the owner's rows. The
sizes are measured interleaved (switching `search_path` between requests, outside the timing), so
the noise of a shared machine falls on both alike. It prints median and p95 per ordering, the
1M/1k ratio of the medians, and the plan of each deep page at the largest size (EXPLAIN ANALYZE).
"""

from __future__ import annotations

import argparse
import base64
import dataclasses
import json
import os
import statistics
import sys
import time
from pathlib import Path

SERVICE_DIR = Path(__file__).resolve().parents[1]
REPO_ROOT = SERVICE_DIR.parents[1]
OWNER = "bench-owner"
ORDERINGS = ["id", "name", "-name", "email", "-email", "created_at", "-created_at", "updated_at", "-updated_at"]
SEED_SQL = """
INSERT INTO customers_customer (id, owner, name, email, phone, company, version, created_at, updated_at)
SELECT
    (lpad(to_hex((extract(epoch FROM ts) * 1000)::bigint), 12, '0') || '7' || substr(h, 1, 3)
        || substr('89ab', (i %% 4) + 1, 1) || substr(h, 4, 15))::uuid,
    CASE WHEN i %% 10 = 0 THEN %(owner)s ELSE 'owner-' || (i %% 999) END,
    'Name ' || substr(h, 20, 6),
    substr(h, 5, 10) || '.' || i || '@example.com',
    '',
    'Company ' || (i %% 5000),
    1, ts, ts + (i %% 7919) * interval '1 second'
FROM (
    SELECT i, timestamptz '2025-01-01' + i * interval '10 milliseconds' AS ts, md5(i::text) AS h
    FROM generate_series(1, %(rows)s) AS i
) AS source
"""


def start_infra():
    """Our own Postgres and Redis unless DATABASE_URL points somewhere; returns (infra or None, env)."""
    if os.environ.get("DATABASE_URL"):
        return None, {}
    sys.path.insert(0, str(REPO_ROOT / "tools"))
    from devfleet import Infra, test_config

    config = test_config(REPO_ROOT, REPO_ROOT / "var" / "bench")
    config = dataclasses.replace(config, postgres_port=config.postgres_port + 7, redis_port=config.redis_port + 7)
    infra = Infra(config)
    infra.start()
    env = infra.env_for("customers")
    return infra, {key: env[key] for key in ("DATABASE_URL", "REDIS_URL", "AUTH_JWKS_URL", "DJANGO_SECRET_KEY")}


def setup_django(env: dict) -> None:
    os.environ.update(env)
    os.environ.update({"DJANGO_ENV": "test", "DJANGO_SETTINGS_MODULE": "config.settings",
                       "THROTTLE_RATE_USER": "100000000/min", "LOG_LEVEL": "WARNING",
                       "DATABASE_CONN_MAX_AGE": "86400",  # one connection throughout: search_path stays set
                       "DATABASE_STATEMENT_TIMEOUT_MS": "0",  # seeding 1,000,000 rows takes a minute or more
                       "DATABASE_READ_TIMEOUT": "0"})
    os.environ.setdefault("AUTH_JWKS_URL", "http://127.0.0.1:9/unused")
    sys.path.insert(0, str(SERVICE_DIR))
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)


def use(size: int) -> None:
    """Point this connection's queries at one size's table."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(f"SET search_path TO bench_{int(size)}, public")


def seed(rows: int, *, reseed: bool) -> float | None:
    """A copy of the migrated table (indexes included) in schema bench_<rows>, filled unless already full."""
    from django.db import connection

    schema = f"bench_{int(rows)}"
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM pg_tables WHERE schemaname = %s AND tablename = 'customers_customer'",
                       [schema])
        if cursor.fetchone()[0] and not reseed:
            cursor.execute(f"SELECT count(*) FROM {schema}.customers_customer")
            if cursor.fetchone()[0] == rows:
                return None
        started = time.perf_counter()
        cursor.execute(f"DROP SCHEMA IF EXISTS {schema} CASCADE")
        cursor.execute(f"CREATE SCHEMA {schema}")
        cursor.execute(f"CREATE TABLE {schema}.customers_customer (LIKE public.customers_customer INCLUDING ALL)")
        use(rows)
        cursor.execute(SEED_SQL, {"owner": OWNER, "rows": rows})
        cursor.execute("VACUUM ANALYZE customers_customer")
        cursor.execute("SET search_path TO public")
    return time.perf_counter() - started


def client():
    from rest_framework.test import APIClient

    from fleet_common.authentication import TokenPrincipal

    api = APIClient(SERVER_NAME="localhost")  # an allowed host
    api.force_authenticate(TokenPrincipal(sub=OWNER, scopes=frozenset({"customers:read"})))
    return api


def deep_cursor(size: int, ordering: str, depth: float) -> str:
    """The cursor a client holds after walking to `depth` of the owner's rows (found once, untimed)."""
    from customers.models import Customer

    use(size)
    field = ordering.lstrip("-")
    order = [ordering] if field == "id" else [ordering, "-id" if ordering.startswith("-") else "id"]
    rows = Customer.objects.filter(owner=OWNER)
    row = rows.order_by(*order)[int(rows.count() * depth)]
    value = None if field == "id" else getattr(row, field)
    value = value.isoformat() if hasattr(value, "isoformat") else value
    payload = {"o": ordering, "v": value, "k": str(row.pk), "r": False}
    return base64.urlsafe_b64encode(json.dumps(payload, separators=(",", ":")).encode()).decode().rstrip("=")


def timed(api, urls: dict[int, str], runs: int, *, expect_rows: bool = True) -> dict[int, tuple[float, float]]:
    """Median and p95 in milliseconds per size, the sizes interleaved request by request, after a warm-up."""
    samples: dict[int, list[float]] = {size: [] for size in urls}
    for run in range(runs + 10):
        order = list(urls) if run % 2 else list(reversed(urls))
        for size in order:
            use(size)
            started = time.perf_counter()
            response = api.get(urls[size])
            elapsed = (time.perf_counter() - started) * 1000
            assert response.status_code == 200, (urls[size], response.status_code, response.content[:300])
            assert response.json()["results"] or not expect_rows, f"no rows: {urls[size]}"
            if run >= 10:
                samples[size].append(elapsed)
    result = {}
    for size, values in samples.items():
        values.sort()
        result[size] = (statistics.median(values), values[int(len(values) * 0.95) - 1])
    return result


def plan_of(api, url: str) -> str:
    """EXPLAIN ANALYZE of the page query a request runs: the index it uses and the rows it touches."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as queries:
        api.get(url)
    sql = next(q["sql"] for q in queries.captured_queries if 'FROM "customers_customer"' in q["sql"])
    with connection.cursor() as cursor:
        cursor.execute(f"EXPLAIN (ANALYZE, BUFFERS, COSTS OFF, TIMING OFF) {sql}")
        return "\n".join(row[0] for row in cursor.fetchall())


def run(sizes: list[int], runs: int, explain: bool, reseed: bool) -> dict:
    from customers.models import Customer

    api = client()
    for size in sizes:
        seconds = seed(size, reseed=reseed)
        use(size)
        owned = Customer.objects.filter(owner=OWNER).count()
        made = f"seeded in {seconds:.1f} s" if seconds is not None else "kept from an earlier run"
        print(f"{size:>10,} rows, {owned:,} of the benchmark owner: {made}", flush=True)
    largest = max(sizes)
    results: dict = {}
    print(f"\nmedian (p95) ms of GET /v2/customers/?page_size=20, {runs} requests each, sizes interleaved")
    print(f"  {'ordering':<12}" + "".join(f"{'first ' + format(size, ','):>22}{'deep ' + format(size, ','):>22}"
                                          for size in sizes))
    for ordering in ORDERINGS:
        base = "/v2/customers/?page_size=20" + (f"&ordering={ordering}" if ordering != "id" else "")
        first = timed(api, {size: base for size in sizes}, runs)
        deep_urls = {size: f"{base}&cursor={deep_cursor(size, ordering, 0.9)}" for size in sizes}
        deep = timed(api, deep_urls, runs)
        for size in sizes:
            results[(size, ordering)] = (first[size], deep[size])
        print(f"  {ordering:<12}" + "".join(
            f"{first[size][0]:>12.2f} ({first[size][1]:6.2f}){deep[size][0]:>12.2f} ({deep[size][1]:6.2f})"
            for size in sizes), flush=True)
        if explain:
            use(largest)
            print("    " + plan_of(api, deep_urls[largest]).replace("\n", "\n    "))
    print(f"\nfilters and search at {largest:,} rows (interleaved with {min(sizes):,})")
    for name, query in (("search (3 letters, frequent)", "search=abc"), ("search (rare)", "search=e5bc8"),
                        ("search (no match)", "search=zzzq"), ("email", "email=IGNORED@example.com"),
                        ("company", "company=company%2042")):
        url = f"/v2/customers/?{query}"
        measured = timed(api, {size: url for size in sizes}, max(20, runs // 5), expect_rows=False)
        print(f"  {name:<30} {measured[largest][0]:8.2f} ms (p95 {measured[largest][1]:6.2f})", flush=True)
        if explain:
            use(largest)
            print("    " + plan_of(api, url).replace("\n", "\n    "))
    return results


def summarize(results: dict, sizes: list[int]) -> bool:
    small, large = min(sizes), max(sizes)
    print(f"\n== {large:,} vs {small:,} rows: median latency ratio (must be at most 1.5) ==")
    ok = True
    for ordering in ORDERINGS:
        ratios = [results[(large, ordering)][i][0] / results[(small, ordering)][i][0] for i in (0, 1)]
        ok &= all(r <= 1.5 for r in ratios)
        print(f"  {ordering:<12} first page x{ratios[0]:.2f}   deep page x{ratios[1]:.2f}")
    print("== within 1.5x ==" if ok else "== NOT within 1.5x ==")
    return ok


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[1_000, 1_000_000])
    parser.add_argument("--runs", type=int, default=200)
    parser.add_argument("--no-explain", action="store_true")
    parser.add_argument("--reseed", action="store_true", help="make the rows anew even if they are there")
    args = parser.parse_args()
    infra, env = start_infra()
    try:
        setup_django(env)
        results = run(args.sizes, args.runs, explain=not args.no_explain, reseed=args.reseed)
        return 0 if summarize(results, args.sizes) else 1
    finally:
        if infra is not None:
            infra.stop()


if __name__ == "__main__":
    sys.exit(main())
