"""Mixed CRUD load through the gateway that counts every answer and then proves no acknowledged write was lost.

    PYTHONPATH=tools .venv/bin/python tools/loadtest.py load   # make loadtest: 5 min mixed, then 3x overload
    PYTHONPATH=tools .venv/bin/python tools/loadtest.py soak   # make soak: 30 min, memory and descriptors

Both start their own fleet (devfleet, state in var/loadtest, the test ports shifted by
DEVFLEET_PORT_OFFSET) with throttle rates raised, so the load measures work rather than the limits.
The client is standard library only (asyncio and a small HTTP/1.1 client): it records the status
and latency of every request and the server's acknowledgement of every write, which it checks
against the database afterwards; it never retries. tests/reliability/ runs a short version.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import resource
import statistics
import sys
import threading
import time
import urllib.request
import uuid
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

from devfleet.config import TEST_AUTH_RATES, TEST_CUSTOMERS_RATES

#: What each operation answers when it succeeds.
EXPECTED = {"create": 201, "read": 200, "list": 200, "update": 200, "delete": 204}
#: Closed-loop mix (weights): mostly reads, every kind of write.
MIXED = {"create": 30, "read": 35, "list": 15, "update": 15, "delete": 5}
#: Open-loop mix for overload: no update or delete, so overlapping requests never race on one row.
OVERLOAD_MIX = {"create": 40, "read": 30, "list": 30}
TOKEN_RENEW_SECONDS = 240  # access tokens live 300 s
REQUEST_TIMEOUT = 30.0  # above the gateway's 25 s read timeout: a 504 is the gateway's, not ours
FIELDS = ("name", "email", "phone", "company")
FILES_KEPT = 512  # descriptors left for everything else in this process (a test run's fleet: logs, pipes)
#: Throttle rates for a load fleet: the load measures work, not the limits (each VU is one user,
#: and every one of them logs in from 127.0.0.1).
LOAD_SERVICE_ENV = {"auth": TEST_AUTH_RATES,
                    "customers": {**TEST_CUSTOMERS_RATES, "THROTTLE_RATE_USER": "1000000/min",
                                  "THROTTLE_RATE_CUSTOMERS_WRITE": "1000000/min"}}


# --- a minimal HTTP/1.1 client ------------------------------------------------------------------
class HTTPError(Exception):
    """The connection failed before a whole response arrived (reset, closed, timed out)."""


class Connection:
    """One TCP connection to the gateway; kept alive between requests unless `keepalive` is off."""

    def __init__(self, host: str, port: int, keepalive: bool = True):
        self.host, self.port, self.keepalive = host, port, keepalive
        self.reader: asyncio.StreamReader | None = None
        self.writer: asyncio.StreamWriter | None = None

    async def close(self) -> None:
        if self.writer is not None:
            self.writer.close()
            try:
                await self.writer.wait_closed()
            except OSError:
                pass
        self.reader = self.writer = None

    async def request(self, method: str, path: str, headers: dict[str, str], body: bytes = b"") -> tuple[int, dict, bytes]:
        try:
            return await asyncio.wait_for(self._request(method, path, headers, body), REQUEST_TIMEOUT)
        except (OSError, asyncio.IncompleteReadError, asyncio.TimeoutError, ValueError) as exc:
            await self.close()
            raise HTTPError(f"{type(exc).__name__}: {exc}") from None

    async def _request(self, method, path, headers, body):
        if self.writer is None:
            self.reader, self.writer = await asyncio.open_connection(self.host, self.port)
        lines = [f"{method} {path} HTTP/1.1", f"Host: {self.host}:{self.port}", f"Content-Length: {len(body)}"]
        if not self.keepalive:
            lines.append("Connection: close")
        lines += [f"{name}: {value}" for name, value in headers.items()]
        self.writer.write(("\r\n".join(lines) + "\r\n\r\n").encode() + body)
        await self.writer.drain()
        status_line = await self.reader.readuntil(b"\r\n")
        status = int(status_line.split()[1])
        response_headers = {}
        while (line := await self.reader.readuntil(b"\r\n")) != b"\r\n":
            name, _, value = line.decode("latin-1").partition(":")
            response_headers[name.strip().lower()] = value.strip()
        if response_headers.get("transfer-encoding", "").lower() == "chunked":
            data = b""
            while size := int((await self.reader.readuntil(b"\r\n")).split(b";")[0], 16):
                data += (await self.reader.readexactly(size + 2))[:-2]
            await self.reader.readuntil(b"\r\n")
        elif method == "HEAD" or status in (204, 304):
            data = b""
        else:
            data = await self.reader.readexactly(int(response_headers.get("content-length", "0")))
        if not self.keepalive or response_headers.get("connection", "").lower() == "close":
            await self.close()
        return status, response_headers, data


def open_file_budget(wanted: int) -> int:
    """Descriptors this process may open, its soft limit raised toward `wanted` first (one per request in flight)."""
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    ceiling = wanted if hard == resource.RLIM_INFINITY else min(wanted, hard)
    if soft != resource.RLIM_INFINITY and soft < ceiling:
        resource.setrlimit(resource.RLIMIT_NOFILE, (ceiling, hard))
        soft = ceiling
    return wanted if soft == resource.RLIM_INFINITY else soft


# --- users and what the server acknowledged -----------------------------------------------------
@dataclass
class Account:
    """A registered user and what the server acknowledged for it: the rows that must exist, and how."""

    username: str
    password: str
    sub: str = ""  # the user's id: `owner` of its rows
    token: str = ""
    token_at: float = 0.0
    rows: dict[str, dict] = field(default_factory=dict)  # id -> the fields last acknowledged
    uncertain: set[str] = field(default_factory=set)  # a write whose answer never came: either outcome is fine
    deleted: set[str] = field(default_factory=set)
    unacknowledged_creates: int = 0


def _post_json(url: str, body: dict) -> dict:
    request = urllib.request.Request(url, data=json.dumps(body).encode(), method="POST",
                                     headers={"Content-Type": "application/json"})
    opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
    with opener.open(request, timeout=30) as response:
        return json.loads(response.read() or b"{}")


def login(gateway: str, account: Account) -> None:
    account.token = _post_json(f"{gateway}/v2/auth/token/",
                               {"username": account.username, "password": account.password})["access"]
    account.token_at = time.monotonic()


def register(gateway: str, count: int) -> list[Account]:
    """`count` fresh users, registered and logged in through the gateway."""
    accounts = []
    for _ in range(count):
        account = Account(f"load-{uuid.uuid4().hex[:12]}", f"pw-{uuid.uuid4().hex}")
        account.sub = _post_json(f"{gateway}/v2/auth/users/",
                                 {"username": account.username, "password": account.password})["id"]
        login(gateway, account)
        accounts.append(account)
    return accounts


# --- the load -----------------------------------------------------------------------------------
@dataclass
class Sample:
    op: str
    status: int  # 0: the connection failed before an answer
    seconds: float
    at: float  # monotonic time the request was sent
    detail: str = ""  # why the connection failed, or the start of an unexpected answer's body


class Load:
    """Sends the mixed load and keeps every Sample; closed loop (`concurrency` users) or open loop (`rate`/s)."""

    def __init__(self, gateway: str, accounts: list[Account], *, keepalive: bool = True, seed: int = 1):
        parts = urlsplit(gateway)
        self.host, self.port = parts.hostname, parts.port or 80
        self.gateway, self.accounts, self.keepalive = gateway, accounts, keepalive
        self.samples: list[Sample] = []
        self.random = random.Random(seed)

    def _headers(self, account: Account, body: bool) -> dict[str, str]:
        headers = {"Authorization": f"Bearer {account.token}", "Accept": "application/json"}
        if body:
            headers["Content-Type"] = "application/json"
        return headers

    async def _renew(self, account: Account, connection: Connection) -> None:
        if time.monotonic() - account.token_at < TOKEN_RENEW_SECONDS:
            return
        body = json.dumps({"username": account.username, "password": account.password}).encode()
        status, _, data = await connection.request("POST", "/v2/auth/token/", {"Content-Type": "application/json"}, body)
        if status == 200:
            account.token, account.token_at = json.loads(data)["access"], time.monotonic()

    def _pick(self, mix: dict[str, int], account: Account) -> str:
        op = self.random.choices(list(mix), weights=list(mix.values()))[0]
        if op in ("read", "update", "delete") and not account.rows:
            return "create"
        return op

    async def one(self, op: str, account: Account, connection: Connection) -> None:
        """One request of kind `op` for `account`; its Sample, and the acknowledged state, are recorded."""
        target = self.random.choice(list(account.rows)) if op in ("read", "update", "delete") else None
        body = b""
        if op == "create":
            fields = {"name": f"Load {uuid.uuid4().hex[:8]}", "email": f"{uuid.uuid4().hex}@example.com",
                      "phone": f"+44 20 {self.random.randrange(10**7):07d}", "company": self.random.choice(["Acme", "Initech", "Globex"])}
            method, path, body = "POST", "/v2/customers/", json.dumps(fields).encode()
        elif op == "read":
            method, path = "GET", f"/v2/customers/{target}/"
        elif op == "list":
            method, path = "GET", "/v2/customers/?page_size=20"
        elif op == "update":
            fields = {"phone": f"+44 20 {self.random.randrange(10**7):07d}"}
            method, path, body = "PATCH", f"/v2/customers/{target}/", json.dumps(fields).encode()
            account.uncertain.add(target)  # until answered: a concurrent reader must accept either value
        else:
            method, path = "DELETE", f"/v2/customers/{target}/"
            previous = account.rows.pop(target)
            account.uncertain.add(target)
        started = time.monotonic()
        try:
            status, _, data = await connection.request(method, path, self._headers(account, bool(body)), body)
            detail = "" if status == EXPECTED[op] else data[:160].decode("utf-8", "replace")
        except HTTPError as exc:
            status, data, detail = 0, b"", str(exc)
        self.samples.append(Sample(op, status, time.monotonic() - started, started, detail))
        if op == "create":
            if status == 201:
                row = json.loads(data)
                account.rows[row["id"]] = {name: row[name] for name in FIELDS}
            elif status == 0 or status >= 500:
                account.unacknowledged_creates += 1  # may or may not have been written
        elif op == "update":
            if status == 200:
                account.rows[target]["phone"] = fields["phone"]
                account.uncertain.discard(target)
            elif status in (400, 404, 412, 429):
                account.uncertain.discard(target)
        elif op == "delete":
            if status == 204:
                account.deleted.add(target)
                account.uncertain.discard(target)
            elif 400 <= status < 500:  # refused (429 ...): the row stays as it was
                account.rows[target] = previous
                account.uncertain.discard(target)

    async def closed(self, concurrency: int, duration: float, stop: threading.Event | None = None,
                     mix: dict[str, int] = MIXED) -> None:
        """`concurrency` virtual users, each its own account, sending back to back for `duration` seconds."""
        deadline = time.monotonic() + duration

        async def user(account: Account) -> None:
            connection = Connection(self.host, self.port, self.keepalive)
            try:
                while time.monotonic() < deadline and not (stop and stop.is_set()):
                    try:
                        await self._renew(account, connection)
                    except HTTPError:
                        pass
                    await self.one(self._pick(mix, account), account, connection)
            finally:
                await connection.close()

        await asyncio.gather(*(user(self.accounts[i % len(self.accounts)]) for i in range(concurrency)))

    async def opened(self, rate: float, duration: float, *, max_in_flight: int = 2000,
                     mix: dict[str, int] = OVERLOAD_MIX) -> None:
        """Open loop: a request every 1/rate seconds whatever the answers (overload); new connection each."""
        # Beyond what the descriptors allow, a request would fail in this client (EMFILE), not in the fleet.
        max_in_flight = min(max_in_flight, open_file_budget(max_in_flight + FILES_KEPT) - FILES_KEPT)
        tasks: set[asyncio.Task] = set()
        start = time.monotonic()
        sent = 0

        async def fire(account: Account) -> None:
            connection = Connection(self.host, self.port, keepalive=False)
            try:
                await self.one(self._pick(mix, account), account, connection)
            finally:
                await connection.close()

        while (now := time.monotonic()) < start + duration:
            due = int((now - start) * rate) + 1
            while sent < due:
                sent += 1
                if len(tasks) >= max_in_flight:
                    self.samples.append(Sample("dropped", -1, 0.0, now))  # the client itself could not keep up
                    continue
                task = asyncio.create_task(fire(self.random.choice(self.accounts)))
                tasks.add(task)
                task.add_done_callback(tasks.discard)
            await asyncio.sleep(min(0.005, 1 / rate))
        if tasks:
            await asyncio.gather(*tasks)


# --- checking and reporting ---------------------------------------------------------------------
def verify(gateway: str, accounts: list[Account]) -> dict:
    """Every acknowledged write is in the database as acknowledged: list each user's rows through the gateway."""
    lost, changed, resurrected, unacknowledged = 0, 0, 0, 0
    opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
    for account in accounts:
        login(gateway, account)
        present, url = {}, f"{gateway}/v2/customers/?page_size=100"
        while url:
            request = urllib.request.Request(url, headers={"Authorization": f"Bearer {account.token}"})
            with opener.open(request, timeout=30) as response:
                page = json.loads(response.read())
            present.update({row["id"]: {name: row[name] for name in FIELDS} for row in page["results"]})
            url = page["next"]
        for row_id, fields in account.rows.items():
            if row_id not in present:
                lost += row_id not in account.uncertain
            elif present[row_id] != fields and row_id not in account.uncertain:
                changed += 1
        resurrected += sum(1 for row_id in account.deleted if row_id in present)
        unacknowledged += sum(1 for row_id in present if row_id not in account.rows and row_id not in account.uncertain)
    acknowledged = sum(len(a.rows) for a in accounts)
    return {"acknowledged_rows": acknowledged, "acknowledged_deletes": sum(len(a.deleted) for a in accounts),
            "lost": lost, "changed": changed, "resurrected": resurrected,
            "present_without_acknowledgement": unacknowledged,
            "creates_refused_or_unanswered": sum(a.unacknowledged_creates for a in accounts)}


def percentile(values: list[float], fraction: float) -> float:
    if not values:
        return 0.0
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(fraction * len(ordered)))]


def summarize(samples: list[Sample], *, allowed: tuple[int, ...] = (429,)) -> dict:
    """Counts by status, errors (neither the op's success nor an allowed status) and the commonest reasons for them,
    p50/p99 in ms per op and overall."""
    if not samples:
        return {"requests": 0, "errors": 0}
    first, last = min(s.at for s in samples), max(s.at + s.seconds for s in samples)
    by_op = defaultdict(list)
    for sample in samples:
        by_op[sample.op].append(sample)
    errors = [s for s in samples if s.op != "dropped" and s.status not in (EXPECTED[s.op], *allowed)]
    ok = [s.seconds for s in samples if s.op != "dropped" and s.status == EXPECTED[s.op]]
    return {
        "requests": len(samples),
        "seconds": round(last - first, 1),
        "rps": round(len(samples) / max(last - first, 1e-9), 1),
        "ok_rps": round(len(ok) / max(last - first, 1e-9), 1),
        "statuses": dict(sorted(Counter(str(s.status) for s in samples).items())),
        "errors": len(errors),
        "failures": dict(Counter(f"{s.op}: {s.status} {s.detail}" for s in errors).most_common(5)),
        "p50_ms": round(percentile(ok, 0.50) * 1000, 1),
        "p99_ms": round(percentile(ok, 0.99) * 1000, 1),
        "ops": {op: {"requests": len(group),
                     "p50_ms": round(percentile([s.seconds for s in group], 0.50) * 1000, 1),
                     "p99_ms": round(percentile([s.seconds for s in group], 0.99) * 1000, 1)}
                for op, group in sorted(by_op.items())},
    }


def recovery_seconds(samples: list[Sample], since: float) -> float | None:
    """Seconds after `since` until the first request after which every request succeeded; None if never."""
    after = sorted((s for s in samples if s.at >= since), key=lambda s: s.at)
    last_failure = None
    for sample in after:
        if sample.status != EXPECTED.get(sample.op):
            last_failure = sample
    if not after:
        return None
    if last_failure is None:
        return 0.0
    if last_failure is after[-1]:
        return None
    return round(last_failure.at + last_failure.seconds - since, 2)


# --- processes: memory and descriptors ----------------------------------------------------------
def process_stats(pid: int) -> dict | None:
    """RSS and PSS (kB, /proc/PID/smaps_rollup) and open file descriptors of one process."""
    try:
        rollup = Path(f"/proc/{pid}/smaps_rollup").read_text()
        fds = len(os.listdir(f"/proc/{pid}/fd"))
    except OSError:
        return None
    values = {line.split(":")[0]: int(line.split()[1]) for line in rollup.splitlines()[1:] if line.split()[-1] == "kB"}
    return {"rss_kb": values.get("Rss", 0), "pss_kb": values.get("Pss", 0), "fds": fds}


def fleet_processes(fleet) -> dict[str, list[int]]:
    """Every process of a devfleet Fleet by name: each gunicorn and nginx with its workers, Redis, Postgres."""
    from devfleet.processes import child_pids

    processes = {child.name: [child.pid, *child_pids(child.pid)] for child in fleet.children}
    if fleet.infra.redis is not None:
        processes["redis"] = [fleet.infra.redis.pid]
    processes["postgres"] = fleet.infra.postgres.pids()
    return processes


def snapshot(fleet) -> dict[str, dict]:
    """Summed RSS, PSS and descriptors per fleet process group, with the number of processes."""
    result = {}
    for name, pids in fleet_processes(fleet).items():
        stats = [s for s in (process_stats(pid) for pid in pids) if s]
        result[name] = {"processes": len(stats), **{key: sum(s[key] for s in stats) for key in ("rss_kb", "pss_kb", "fds")}}
    return result


# --- the runs behind make loadtest and make soak ------------------------------------------------
def load_fleet(state_dir: Path):
    """A fleet of its own for load: test ports, two customers instances, throttles and the login limit raised."""
    from devfleet import Fleet, test_config

    config = test_config(None, state_dir)
    config.service_env = LOAD_SERVICE_ENV
    config.gateway_auth_rate, config.gateway_auth_burst = "1000r/s", 1000
    return Fleet(config)


def say(message: str) -> None:
    print(f"loadtest: {message}", file=sys.stderr, flush=True)


def run_load(gateway: str, *, duration: float, concurrency: int, overload_seconds: float,
             overload_factor: float = 3.0) -> dict:
    """Mixed CRUD (closed loop) for `duration`, then `overload_factor` x its throughput (open loop), then recovery."""
    accounts = register(gateway, concurrency)
    load = Load(gateway, accounts)
    say(f"mixed CRUD: {concurrency} users for {duration:.0f} s")
    asyncio.run(load.closed(concurrency, duration))
    mixed = summarize(load.samples)
    capacity = mixed["ok_rps"]
    report = {"mixed": mixed, "capacity_rps": capacity}
    if overload_seconds > 0:
        overload = Load(gateway, accounts, seed=2)
        rate = overload_factor * capacity
        say(f"overload: {rate:.0f} requests/s ({overload_factor:g} x {capacity:.0f}) for {overload_seconds:.0f} s")
        asyncio.run(overload.opened(rate, overload_seconds))
        report["overload"] = summarize(overload.samples, allowed=(429, 503))
        report["overload"]["rate_offered"] = round(rate, 1)
        after = time.monotonic()
        recovery = Load(gateway, accounts, seed=3)
        say(f"recovery: the mixed load again, {max(concurrency // 2, 1)} users, 15 s")
        asyncio.run(recovery.closed(max(concurrency // 2, 1), 15))
        report["recovery_seconds"] = recovery_seconds(recovery.samples, after)
        report["recovery"] = summarize(recovery.samples)
    report["writes"] = verify(gateway, accounts)
    return report


def run_soak(fleet, gateway: str, *, duration: float, concurrency: int, every: float) -> dict:
    """Closed-loop mixed load for `duration`, sampling each process's memory and descriptors every `every` s."""
    accounts = register(gateway, concurrency)
    load = Load(gateway, accounts)
    samples = []
    stop = threading.Event()

    def sampler() -> None:
        while True:
            samples.append({"t": round(time.monotonic() - start), **{"processes": snapshot(fleet)}})
            if stop.wait(every):
                return

    start = time.monotonic()
    thread = threading.Thread(target=sampler, daemon=True)
    thread.start()
    asyncio.run(load.closed(concurrency, duration))
    stop.set()
    thread.join()
    samples.append({"t": round(time.monotonic() - start), "processes": snapshot(fleet)})
    # Growth from the first sample after warm-up (a tenth of the run) to the last.
    base = next((s for s in samples if s["t"] >= duration / 10), samples[0])["processes"]
    end = samples[-1]["processes"]
    growth = {name: {"rss_kb": end[name]["rss_kb"] - base[name]["rss_kb"], "pss_kb": end[name]["pss_kb"] - base[name]["pss_kb"],
                     "fds": end[name]["fds"] - base[name]["fds"], "rss_kb_end": end[name]["rss_kb"],
                     "pss_kb_end": end[name]["pss_kb"], "fds_end": end[name]["fds"]}
              for name in end if name in base}
    return {"load": summarize(load.samples), "growth": growth, "samples": samples, "writes": verify(gateway, accounts)}


def print_report(report: dict) -> None:
    """The figures, one line each (docs/reliability.md quotes them)."""
    def line(name: str, summary: dict) -> None:
        print(f"  {name:<10} {summary['requests']:>7} requests in {summary.get('seconds', 0):>6} s  "
              f"{summary.get('rps', 0):>7} req/s  errors {summary['errors']}  p50 {summary.get('p50_ms')} ms  "
              f"p99 {summary.get('p99_ms')} ms  statuses {summary.get('statuses')}")
        if summary.get("failures"):
            print(f"  {'':<10} commonest failures {summary['failures']}")
    print("== loadtest ==")
    for name in ("mixed", "overload", "recovery", "load"):
        if name in report:
            line(name, report[name])
    if "capacity_rps" in report:
        print(f"  capacity {report['capacity_rps']} successful req/s; recovered {report.get('recovery_seconds')} s "
              "after the overload")
    if "growth" in report:
        for name, growth in report["growth"].items():
            print(f"  {name:<10} RSS {growth['rss_kb_end'] / 1024:7.1f} MiB ({growth['rss_kb'] / 1024:+.1f})  "
                  f"PSS {growth['pss_kb_end'] / 1024:7.1f} MiB ({growth['pss_kb'] / 1024:+.1f})  "
                  f"fds {growth['fds_end']} ({growth['fds']:+d})")
    print(f"  writes {report['writes']}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("mode", choices=("load", "soak"))
    parser.add_argument("--duration", type=float, help="seconds of load (load: 300, soak: 1800)")
    parser.add_argument("--concurrency", type=int, default=16, help="virtual users, one account each (16)")
    parser.add_argument("--overload-seconds", type=float, default=30, help="load: seconds at 3x capacity (30)")
    parser.add_argument("--sample-every", type=float, default=60, help="soak: seconds between process samples (60)")
    parser.add_argument("--state-dir", type=Path, default=Path(__file__).resolve().parents[1] / "var" / "loadtest")
    args = parser.parse_args(argv)
    duration = args.duration or (300 if args.mode == "load" else 1800)
    with load_fleet(args.state_dir) as fleet:
        gateway = f"http://127.0.0.1:{fleet.config.gateway_port}"
        if args.mode == "load":
            report = run_load(gateway, duration=duration, concurrency=args.concurrency,
                              overload_seconds=args.overload_seconds)
            failed = (report["mixed"]["errors"] or report.get("overload", {}).get("errors")
                      or report["writes"]["lost"] or report["writes"]["changed"] or report["writes"]["resurrected"]
                      or (report.get("recovery_seconds") is None and args.overload_seconds > 0)
                      or (report.get("recovery_seconds") or 0) > 10)
        else:
            report = run_soak(fleet, gateway, duration=duration, concurrency=args.concurrency, every=args.sample_every)
            failed = report["load"]["errors"] or report["writes"]["lost"] or report["writes"]["changed"]
    report["command"] = " ".join(["tools/loadtest.py", *(argv if argv is not None else sys.argv[1:])])
    out = args.state_dir / f"{args.mode}-report.json"
    out.write_text(json.dumps(report, indent=2) + "\n")
    print_report(report)
    print(f"  full report: {out}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
