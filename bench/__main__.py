"""`make bench`: the fleet against its ceilings, every figure from the same run.

    .venv/bin/python -m bench [--rounds 3] [--seconds 5] [--skip-pagination] [--write-docs]

Starts the fleet as devfleet does, in production mode with the gunicorn settings that ship (throttles
raised by environment so it measures work, not limits), plus ceiling B: a bare Django view doing one
primary-key query, under the same gunicorn settings, behind the same gateway. Every scenario runs
once per round with wrk on loopback; a round measures them side by side, and each ratio is taken
within a round, then the median of the rounds is reported with their spread (min-max). Each round
starts at another place in the list of scenarios.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import re
import resource
import secrets
import signal
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tools"))

from devfleet import Fleet  # noqa: E402
from devfleet.prereqs import ensure_prerequisites  # noqa: E402
from devfleet.processes import say  # noqa: E402

from . import memory, report, wrk  # noqa: E402
from .fleet import (AUTH_CEILING_ROUTE, CEILING_PASSWORD_ROUTE, CEILING_ROUTE, bench_config, ceiling_port,  # noqa: E402
                    django_task, get_text, git_revision, post_json, postmaster_pid, route_ceilings, start_ceilings,
                    wait_for)

USERNAME = "bench-user"
SEEDED_CUSTOMERS = 1000
REFRESH_USERS = 200  # refreshes of many people; one user's refreshes serialize on its row lock (by design)
# Straight to gunicorn, wrk's few keep-alive connections are dealt to the workers once, at connect time,
# and all of them can land on one worker (the other idles): such a run measures one worker, not the
# service. It is run again, at most this many times, until no worker did more than this share of the work.
UNEVEN_RETRIES, UNEVEN_SHARE = 3, 0.75
GATEWAY_TURNS = 3  # per round, for each pair measured through the gateway and straight to gunicorn


@dataclass
class Scenario:
    key: str
    title: str
    url: Callable[[dict], str]  # from the run's context (ports, ids)
    script: Callable[[dict], str]
    ceiling: str | None  # key of the figure it is divided by (None: it is a ceiling itself)
    target: float | None = None  # minimum ratio
    connections: int | None = None
    spread_over: str | None = None  # the group whose workers must share the load (wrk straight to gunicorn)


def bearer(ctx: dict) -> dict[str, str]:
    return {"Authorization": f"Bearer {ctx['access']}"}


JSON = {"Content-Type": "application/json"}


def scenarios() -> list[Scenario]:
    gw = lambda path: (lambda ctx: f"{ctx['gateway']}{path(ctx) if callable(path) else path}")  # noqa: E731
    one = lambda version: (lambda ctx: f"/{version}/customers/{ctx['customer_id']}/")  # noqa: E731
    return [
        Scenario("ceiling_a", "ceiling A: nginx static 200 (gateway /healthz)", gw("/healthz"),
                 lambda ctx: wrk.static_script(), None),
        Scenario("ceiling_b", "ceiling B: bare Django JsonResponse, 1 pk query, via gateway (customers' gunicorn "
                 "settings)",
                 gw(lambda ctx: f"{CEILING_ROUTE}{ctx['customer_id']}/"), lambda ctx: wrk.static_script(),
                 "ceiling_a"),
        Scenario("ceiling_b_direct", "ceiling B straight to gunicorn (the gateway's cost on a bare view)",
                 lambda ctx: f"{ctx['ceiling_direct']}{CEILING_ROUTE}{ctx['customer_id']}/",
                 lambda ctx: wrk.static_script(), None, spread_over="bench-ceiling"),
        Scenario("ceiling_b_auth", "ceiling B under auth's gunicorn settings, via gateway",
                 gw(lambda ctx: f"{AUTH_CEILING_ROUTE}{ctx['customer_id']}/"), lambda ctx: wrk.static_script(),
                 "ceiling_a"),
        Scenario("get_v1", "customers GET one (v1, JWT), via gateway", gw(one("v1")),
                 lambda ctx: wrk.static_script(headers=bearer(ctx)), "ceiling_b", 0.6),
        Scenario("get_v2", "customers GET one (v2, JWT), via gateway", gw(one("v2")),
                 lambda ctx: wrk.static_script(headers=bearer(ctx)), "ceiling_b", 0.6),
        Scenario("get_v2_direct", "customers GET one (v2, JWT), straight to gunicorn",
                 lambda ctx: f"{ctx['customers_direct']}/v2/customers/{ctx['customer_id']}/",
                 lambda ctx: wrk.static_script(headers=bearer(ctx)), "ceiling_b", spread_over="customers"),
        Scenario("list_v2", "customers v2 list, page of 50, via gateway", gw("/v2/customers/?page_size=50"),
                 lambda ctx: wrk.static_script(headers=bearer(ctx)), "ceiling_b", 0.4),
        Scenario("create", "customers POST create (v2), via gateway", gw("/v2/customers/"),
                 lambda ctx: wrk.create_script(path="/v2/customers/", headers={**bearer(ctx), **JSON},
                                               run_id=secrets.token_hex(4)), "ceiling_b"),
        Scenario("refresh", "auth token refresh (v2, 200 users), via gateway", gw("/v2/auth/token/refresh/"),
                 lambda ctx: wrk.refresh_script(path="/v2/auth/token/refresh/", headers=JSON,
                                                tokens_file=ctx["tokens_file"], threads=ctx["threads"]),
                 "ceiling_b_auth", 0.25),
        Scenario("ceiling_login", "login's ceiling: bare Django view verifying the password (auth's hash, "
                 "hashing threads), via gateway", gw(CEILING_PASSWORD_ROUTE),
                 lambda ctx: wrk.static_script(method="POST", headers=JSON, body=json.dumps(
                     {"password": ctx["password"]})), "hasher"),
        Scenario("login", "auth login (v2), via gateway", gw("/v2/auth/token/"),
                 lambda ctx: wrk.static_script(method="POST", headers=JSON, body=json.dumps(
                     {"username": USERNAME, "password": ctx["password"]})), "hasher", 0.9),
    ]


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=3, help="rounds of every scenario (default 3)")
    parser.add_argument("--seconds", type=float, default=5, help="wrk duration per scenario and round (default 5)")
    parser.add_argument("--threads", type=int, default=2, help="wrk threads (default 2)")
    parser.add_argument("--connections", type=int, default=16, help="wrk connections (default 16)")
    parser.add_argument("--only", nargs="+", metavar="KEY", help="only these scenarios (and their ceilings)")
    parser.add_argument("--workers", type=int, default=2, help="GUNICORN_WORKERS of every service (shipped: 2)")
    parser.add_argument("--gunicorn-threads", type=int, default=None,
                        help="GUNICORN_THREADS of every service (shipped: auth 4, customers 1)")
    parser.add_argument("--env", action="append", default=[], metavar="NAME=VALUE",
                        help="an extra environment value for both services, or for one as SERVICE:NAME=VALUE "
                             "(e.g. for a tuning experiment)")
    parser.add_argument("--skip-pagination", action="store_true",
                        help="skip the v2 list at 1,000 vs 1,000,000 rows (services/customers/bench/pagination.py)")
    parser.add_argument("--pagination-runs", type=int, default=100)
    parser.add_argument("--profile", metavar="KEY", help="record py-spy profiles of the workers during this scenario")
    parser.add_argument("--serve", action="store_true",
                        help="start, seed and warm up, write var/bench/serve.json (URLs, a token), then wait for "
                             "Ctrl-C or SIGTERM: a fleet to profile by hand")
    parser.add_argument("--output", type=Path, default=ROOT / "var" / "bench" / "results.json")
    parser.add_argument("--write-docs", action="store_true", help="put the table into docs/benchmarks.md")
    return parser.parse_args(argv)


def selected(args) -> list[Scenario]:
    every = scenarios()
    if not args.only:
        return every
    wanted = set(args.only)
    by_key = {s.key: s for s in every}
    for key in list(wanted):  # and the ceilings they are divided by
        while key in by_key and by_key[key].ceiling in by_key:
            key = by_key[key].ceiling
            wanted.add(key)
    unknown = wanted - set(by_key)
    if unknown:
        raise SystemExit(f"unknown scenario(s) {sorted(unknown)}; known: {sorted(by_key)}")
    return [s for s in every if s.key in wanted]


def hashing_slots(fleet: Fleet) -> int:
    """Hashes one auth process runs at once, each on its own hashing thread (accounts/hashers.py)."""
    return int(fleet.env_for("auth").get("AUTH_MAX_CONCURRENT_HASHES", "2"))


def jwks_fetches(ctx: dict) -> dict[str, float] | None:
    """customers' JWKS fetches so far, by reason (fleet_common/jwks.py), summed over its workers."""
    try:
        text = get_text(f"{ctx['customers_direct']}/metrics")
    except OSError:
        return None
    counts: dict[str, float] = {}
    for line in text.splitlines():
        if match := re.match(r'fleet_jwks_fetches_total\{reason="(\w+)"\} (\S+)$', line):
            counts[match[1]] = counts.get(match[1], 0.0) + float(match[2])
    return counts


def profile_workers(groups: list[memory.Group], name: str, seconds: float, out_dir: Path) -> list[subprocess.Popen]:
    """py-spy record of each worker of `name` (pip install py-spy; needs root or ptrace rights)."""
    pyspy = Path(sys.executable).with_name("py-spy")
    procs = []
    for group in groups:
        if group.name != name:
            continue
        for pid in memory.children(group.pid):
            target = out_dir / f"profile-{name}-{pid}.txt"
            procs.append(subprocess.Popen([str(pyspy), "record", "--pid", str(pid), "--duration", str(int(seconds)),
                                           "--format", "raw", "--output", str(target), "--nonblocking"],
                                          stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL))
    return procs


def serve(ctx: dict, groups: list[memory.Group], out_dir: Path, login: Callable[[], str]) -> int:
    def stop(signum, frame):
        raise KeyboardInterrupt

    signal.signal(signal.SIGTERM, stop)
    try:
        while True:
            ctx["access"] = login()
            info = {**{k: str(v) for k, v in ctx.items()}, "pids": {g.name: g.pid for g in groups}}
            (out_dir / "serve.json").write_text(json.dumps(info, indent=2) + "\n")
            time.sleep(120)  # a fresh access token before the last one expires
    except KeyboardInterrupt:
        return 0


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    wrk.ensure_wrk()
    args.output = args.output.resolve()
    out_dir = args.output.parent
    out_dir.mkdir(parents=True, exist_ok=True)
    extra_env = dict(item.split("=", 1) for item in args.env)
    config = bench_config(ROOT, ROOT / "var" / "bench" / "fleet", workers=args.workers,
                          threads=args.gunicorn_threads, extra_env=extra_env)
    fleet = Fleet(config)
    fleet.acquire_lock()
    ensure_prerequisites()
    chosen = selected(args)
    rounds: list[dict] = []
    idle_memory: dict = {}
    load_memory: dict = {}
    loads: list[float] = []
    jwks = {}
    started_at = time.strftime("%Y-%m-%d %H:%M:%S %Z")
    try:
        fleet.start()
        gunicorn_threads = {service: int(fleet.env_for(service).get("GUNICORN_THREADS", 1))
                            for service in ("auth", "customers")}
        slots = hashing_slots(fleet)
        password = secrets.token_urlsafe(24)
        user = django_task(fleet, "auth", "bench-user", USERNAME, password)
        ceilings = start_ceilings(fleet, password_hash=user["password_hash"], hashing_threads=slots)
        seeded = django_task(fleet, "customers", "customers", user["sub"], SEEDED_CUSTOMERS)
        ctx = {
            "gateway": f"http://127.0.0.1:{config.gateway_port}",
            "customers_direct": f"http://127.0.0.1:{config.customers_port}",
            "ceiling_direct": f"http://127.0.0.1:{ceiling_port(config)}",
            "customer_id": seeded["customer_id"], "password": password, "threads": args.threads,
            "tokens_file": out_dir / "refresh-tokens.txt",
        }
        wait_for(f"{ctx['ceiling_direct']}{CEILING_ROUTE}{ctx['customer_id']}/", ceilings[0])
        wait_for(f"http://127.0.0.1:{ceiling_port(config, 'bench-ceiling-auth')}{CEILING_ROUTE}{ctx['customer_id']}/",
                 ceilings[1])
        route_ceilings(fleet)
        for route in (CEILING_ROUTE, AUTH_CEILING_ROUTE):
            wait_for(f"{ctx['gateway']}{route}{ctx['customer_id']}/")
        say("bench: fleet up in production mode, ceilings routed; warming up")

        groups = [memory.Group(child.name, child.pid) for child in fleet.children]
        groups.append(memory.Group("redis", fleet.infra.redis.pid))
        if (pid := postmaster_pid(config)) is not None:
            groups.append(memory.Group("postgres", pid))
        by_name = {group.name: group for group in groups}

        def login() -> str:
            return post_json(f"{ctx['gateway']}/v2/auth/token/", {"username": USERNAME, "password": password})["access"]

        def prepare(scenario: Scenario, seconds: float) -> None:
            if scenario.key == "refresh":  # one never-spent token per request, with room to spare
                django_task(fleet, "auth", "refresh-tokens", USERNAME, int(seconds * 4000), ctx["tokens_file"],
                            REFRESH_USERS)

        # Warm-up: every worker has connections, keys and code paths ready before anything is timed.
        ctx["access"] = login()
        for scenario in chosen:
            prepare(scenario, 1)
            wrk.run(scenario.url(ctx), scenario.script(ctx), script_path=out_dir / "lua" / f"{scenario.key}.lua",
                    seconds=1, threads=args.threads, connections=scenario.connections or args.connections)
        time.sleep(2)
        if args.serve:
            return serve(ctx, groups, out_dir, login)
        idle_memory = memory.snapshot(groups)
        jwks["before"] = jwks_fetches(ctx)
        customers_requests = 0

        def run(scenario: Scenario, number: int) -> dict:
            """One wrk run of `scenario`, measured, on an idle fleet (again if wrk's connections landed unevenly)."""
            nonlocal customers_requests
            prepare(scenario, args.seconds)
            profilers = []
            if args.profile == scenario.key and number == 1:
                service = "auth" if scenario.key in ("login", "refresh") else "customers"
                profilers = profile_workers(groups, service, args.seconds, out_dir)
            uneven = []  # busiest worker's share of each discarded run
            by_thread = scenario.key == "login"  # a login's hash versus the rest of its work
            while True:
                memory.wait_until_idle(groups)  # what the last scenario left queued is not this one's
                cpu_before, wrk_before = memory.cpu_snapshot(groups), resource.getrusage(resource.RUSAGE_CHILDREN)
                threads_before = memory.thread_cpu_snapshot(by_name["auth"]) if by_thread else {}
                with memory.PeakSampler(groups) as sampler:
                    result = wrk.run(scenario.url(ctx), scenario.script(ctx),
                                     script_path=out_dir / "lua" / f"{scenario.key}.lua", seconds=args.seconds,
                                     threads=args.threads, connections=scenario.connections or args.connections)
                cpu_after = memory.cpu_snapshot(groups)
                threads_after = memory.thread_cpu_snapshot(by_name["auth"]) if by_thread else {}
                if scenario.key.startswith(("get_", "list_", "create")):
                    customers_requests += result.requests
                share = (memory.busiest_worker_share(cpu_before, cpu_after, by_name[scenario.spread_over])
                         if scenario.spread_over else 0.0)
                if share <= UNEVEN_SHARE or len(uneven) == UNEVEN_RETRIES:
                    break
                uneven.append(round(share, 3))
                say(f"bench: round {number} {scenario.key}: one worker did {share:.0%} of the work "
                    f"({result.rps:,.0f} req/s): wrk's connections landed unevenly; measuring again")
            cpu = memory.cpu_used(cpu_before, cpu_after)
            wrk_after = resource.getrusage(resource.RUSAGE_CHILDREN)
            cpu["wrk"] = (wrk_after.ru_utime + wrk_after.ru_stime) - (wrk_before.ru_utime + wrk_before.ru_stime)
            for proc in profilers:
                proc.wait(timeout=60)
            loads.append(os.getloadavg()[0])
            entry = {**result.as_dict(), "cpu_seconds": cpu, "peak_worker_pss_kib": sampler.peak_worker,
                     "peak_total_pss_kib": sampler.peak_total, "uneven_runs_discarded": uneven}
            if by_thread:
                entry["hashing_threads_cpu_seconds"] = memory.busiest_threads_seconds(
                    threads_before, threads_after, slots)
            for name, kib in sampler.peak_worker.items():
                load_memory[name] = max(load_memory.get(name, 0), kib)
            load_memory["_total"] = max(load_memory.get("_total", 0), sampler.peak_total)
            say(f"bench: round {number} {scenario.key}: {result.rps:,.0f} req/s, p50 {result.p50_ms:.2f} ms, "
                f"p99 {result.p99_ms:.2f} ms, errors {result.error_count}")
            return entry

        by_key = {scenario.key: scenario for scenario in chosen}
        for number in range(1, args.rounds + 1):
            ctx["access"] = login()  # access tokens live minutes: a fresh one each round
            measured: dict = {}
            # Each round starts elsewhere in the list: no scenario is always the first after a pause.
            shift = (number - 1) * len(chosen) // args.rounds
            for scenario in chosen[shift:] + chosen[:shift]:
                if scenario.ceiling == "hasher" and "hasher" not in measured:
                    memory.wait_until_idle(groups)
                    threads = slots * fleet.config.workers  # the login's bound, fleet-wide
                    hashed = django_task(fleet, "auth", "hasher-rate", args.seconds, threads)
                    measured["hasher"] = {"rps": hashed["rate"], "threads": threads, "params": hashed["params"],
                                          "hasher": hashed["hasher"]}
                measured[scenario.key] = run(scenario, number)
            # The gateway's cost: each pair is measured in more turns, alternating which of the two goes first,
            # and the round takes the median turn (section 32): other work on the machine comes and goes.
            for via, direct in report.gateway_pairs(measured):
                turns = [{"via": measured[via], "direct": measured[direct]}]
                for turn in range(1, GATEWAY_TURNS):
                    runs = {key: run(by_key[key], number) for key in ((direct, via) if turn % 2 else (via, direct))}
                    turns.append({"via": runs[via], "direct": runs[direct]})
                measured[report.turns_key(via)] = turns
            rounds.append(measured)
        jwks["after"] = jwks_fetches(ctx)
        jwks["customers_requests"] = customers_requests
    finally:
        fleet.stop()

    pagination = None if args.skip_pagination else report.run_pagination(ROOT, out_dir, args.pagination_runs)
    results = report.build(
        rounds=rounds, chosen=[(s.key, s.title, s.ceiling, s.target) for s in chosen], idle_memory=idle_memory,
        load_memory=load_memory, jwks=jwks, pagination=pagination,
        machine=report.machine(loads), settings={
            "rounds": args.rounds, "seconds": args.seconds, "wrk_threads": args.threads,
            "wrk_connections": args.connections, "gunicorn_workers": args.workers,
            "gunicorn_threads": gunicorn_threads, "extra_env": extra_env,
            "django_env": "production", "revision": git_revision(ROOT), "started_at": started_at,
            "python": platform.python_version(),
        })
    args.output.write_text(json.dumps(results, indent=2, default=str) + "\n")
    table = report.table(results)
    print("\n" + table)
    print(f"\nresults: {args.output}")
    if args.write_docs:
        report.write_docs(ROOT / "docs" / "benchmarks.md", results, table)
        print(f"docs: {ROOT / 'docs' / 'benchmarks.md'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
