"""Figures from the rounds: medians, spreads, ratios within a round, targets, the machine, the table."""

from __future__ import annotations

import os
import platform
import re
import statistics
import subprocess
import sys
from pathlib import Path

MIB = 1024
WORKER_PSS_LIMIT_MIB = 120
GATEWAY_OVERHEAD_LIMIT = 0.10
PAGINATION_LIMIT = 1.5
WORKER_GROUPS = ("auth", "customers", "bench-ceiling", "bench-ceiling-auth")  # gunicorn, whose workers' PSS is capped
SERVICE_OF = {"ceiling_a": "gateway", "ceiling_b": "bench-ceiling", "ceiling_b_direct": "bench-ceiling",
              "get_v1": "customers", "get_v2": "customers", "get_v2_direct": "customers", "list_v2": "customers",
              "create": "customers", "refresh": "auth", "login": "auth", "ceiling_login": "bench-ceiling-auth",
              "ceiling_b_auth": "bench-ceiling-auth"}
# The gateway's cost, 1 - (via the gateway / straight to gunicorn), within each round: on the v2 GET (the
# target), and on ceiling B, the least a Django view does (for reference: the part no service code can change).
GATEWAY_COSTS = {  # key: (via the gateway, straight to gunicorn, title, the most it may cost)
    "gateway_overhead": ("get_v2", "get_v2_direct", "gateway cost: 1 - (v2 GET via gateway / straight to gunicorn)",
                         GATEWAY_OVERHEAD_LIMIT),
    "gateway_overhead_bare": ("ceiling_b", "ceiling_b_direct",
                              "gateway cost on ceiling B: 1 - (via gateway / straight to gunicorn), for reference",
                              None),
}
DOCS_BEGIN = "<!-- bench:begin (written by `make bench`; edit outside these markers) -->"
DOCS_END = "<!-- bench:end -->"


def spread(values: list[float]) -> dict:
    return {"median": statistics.median(values), "min": min(values), "max": max(values), "rounds": values}


def turns_key(via: str) -> str:
    """Where a round keeps the turns of the pair whose scenario through the gateway is `via`."""
    return f"gateway_turns:{via}"


def gateway_pairs(measured: dict) -> list[tuple[str, str]]:
    """The (via the gateway, straight to gunicorn) pairs this round measured."""
    return [(via, direct) for via, direct, _, _ in GATEWAY_COSTS.values() if via in measured and direct in measured]


def build(*, rounds: list[dict], chosen: list[tuple], idle_memory: dict, load_memory: dict, jwks: dict,
          pagination: dict | None, machine: dict, settings: dict) -> dict:
    scenarios = {}
    for key, title, ceiling, target in chosen:
        per_round = [r[key] for r in rounds if key in r]
        entry = {
            "title": title, "ceiling": ceiling, "target": target,
            "rps": spread([r["rps"] for r in per_round]),
            "p50_ms": spread([r["p50_ms"] for r in per_round]),
            "p99_ms": spread([r["p99_ms"] for r in per_round]),
            "errors": sum(sum(r["errors"].values()) for r in per_round),
            "requests": sum(r["requests"] for r in per_round),
        }
        if per_round and "cpu_seconds" in per_round[0]:
            # CPU per request: steadier than req/s on a shared machine (other load takes cores, not cycles).
            service = SERVICE_OF.get(key)
            entry["cpu_ms_per_request"] = {
                "service": spread([1000 * r["cpu_seconds"].get(service, 0) / max(r["requests"], 1) for r in per_round])
                if service else None,
                "all": spread([1000 * sum(r["cpu_seconds"].values()) / max(r["requests"], 1) for r in per_round]),
            }
        if per_round and "hashing_threads_cpu_seconds" in per_round[0]:
            entry["cpu_ms_per_request"]["hashing_threads"] = spread(
                [1000 * r["hashing_threads_cpu_seconds"] / max(r["requests"], 1) for r in per_round])
        if ceiling is not None:
            ratios = [r[key]["rps"] / r[ceiling]["rps"] for r in rounds if key in r and ceiling in r]
            entry["ratio"] = spread(ratios)
            entry["met"] = None if target is None else entry["ratio"]["median"] >= target
        scenarios[key] = entry
    if rounds and "hasher" in rounds[0]:
        scenarios["hasher"] = {"title": f"password hasher alone, in-process ({rounds[0]['hasher']['threads']} threads)",
                               "params": rounds[0]["hasher"]["params"], "hasher": rounds[0]["hasher"]["hasher"],
                               "rps": spread([r["hasher"]["rps"] for r in rounds])}
    targets = []
    for key, entry in scenarios.items():
        if entry.get("target") is not None:
            targets.append({"what": f"{key}: >= {entry['target']:.2f} x {entry['ceiling']}",
                            "value": round(entry["ratio"]["median"], 3), "met": entry["met"]})
    for key, (via, direct, title, limit) in GATEWAY_COSTS.items():
        if via not in scenarios or direct not in scenarios:
            continue
        turns = [r.get(turns_key(via)) or [{"via": r[via], "direct": r[direct]}]
                 for r in rounds if via in r and direct in r]
        if not turns:
            continue
        # Each round's cost is its median turn; then the median of the rounds, with their spread.
        cost = spread([statistics.median(1 - t["via"]["rps"] / t["direct"]["rps"] for t in ts) for ts in turns])
        scenarios[key] = {"title": title, "cost": cost, "target": limit, "turns": len(turns[0])}
        if all("cpu_seconds" in t[side] for ts in turns for t in ts for side in ("via", "direct")):
            # The same cost as the fleet's CPU per request gives it (whole fleet + wrk, CPU-bound on these cores):
            # steadier than req/s on a shared machine, printed beside it.
            fleet_ms = lambda m: sum(m["cpu_seconds"].values()) / max(m["requests"], 1)  # noqa: E731
            scenarios[key]["cpu_cost"] = spread([statistics.median(1 - fleet_ms(t["direct"]) / fleet_ms(t["via"])
                                                                   for t in ts) for ts in turns])
        if limit is not None:
            targets.append({"what": f"gateway costs <= {limit:.0%} of throughput", "value": round(cost["median"], 3),
                            "met": cost["median"] <= limit})
    if pagination:
        targets.append({"what": f"v2 list at 1,000,000 rows within {PAGINATION_LIMIT}x of 1,000 (worst ordering)",
                        "value": pagination["worst_ratio"], "met": pagination["worst_ratio"] <= PAGINATION_LIMIT})
    if jwks.get("before") is not None and jwks.get("after") is not None:
        # A scheduled refresh comes once per refresh interval per worker, whatever the traffic; every other
        # fetch (an unknown kid, no keys) is one a request prompted, and there must be none.
        by_reason = {reason: jwks["after"].get(reason, 0.0) - jwks["before"].get(reason, 0.0)
                     for reason in {*jwks["before"], *jwks["after"]}}
        prompted = sum(n for reason, n in by_reason.items() if reason != "scheduled")
        jwks["fetches_in_window"] = by_reason
        jwks["per_request"] = prompted / jwks["customers_requests"] if jwks.get("customers_requests") else None
        targets.append({"what": "zero JWKS fetches per request at steady state (customers /metrics)",
                        "value": f"{prompted:g} fetches / {jwks['customers_requests']:,} requests "
                                 f"(and {by_reason.get('scheduled', 0):g} scheduled refreshes, each worker's every "
                                 f"JWKS_REFRESH_INTERVAL_SECONDS)", "met": prompted == 0})
    worker_groups = {name: kib for name, kib in load_memory.items() if name in WORKER_GROUPS}
    if worker_groups:
        worst = max(worker_groups.values())
        targets.append({"what": f"PSS per gunicorn worker under load <= {WORKER_PSS_LIMIT_MIB} MiB (logins included)",
                        "value": f"{worst / MIB:.1f} MiB", "met": worst / MIB <= WORKER_PSS_LIMIT_MIB})
    return {"settings": settings, "machine": machine, "scenarios": scenarios, "targets": targets,
            "memory": {"idle": idle_memory, "peak_under_load_kib": load_memory}, "jwks": jwks,
            "pagination": pagination, "rounds": rounds}


def _fmt_spread(s: dict, digits: int = 0) -> str:
    return f"{s['median']:,.{digits}f} ({s['min']:,.{digits}f}-{s['max']:,.{digits}f})"


def table(results: dict) -> str:
    s = results["settings"]
    threads = ", ".join(f"{service} {n}" for service, n in s["gunicorn_threads"].items())
    lines = [
        f"`make bench` at {s['revision']}, {s['started_at']}: {s['rounds']} rounds x {s['seconds']:g} s per scenario, "
        f"wrk -t{s['wrk_threads']} -c{s['wrk_connections']}; gunicorn (fleet_common.gunicorn_conf: sync workers at one "
        f"request thread, gthread above), {s['gunicorn_workers']} workers per service, request threads per worker {threads}; "
        f"DJANGO_ENV=production"
        + (f"; extra env {s['extra_env']}" if s.get("extra_env") else ""),
        "",
        "| scenario | req/s median (min-max) | p50 ms | p99 ms | ratio to its ceiling (min-max) | target | errors "
        "| CPU ms/request: its server, whole fleet + wrk |",
        "|---|---:|---:|---:|---|---|---:|---:|",
    ]
    ceilings = {e.get("ceiling") for e in results["scenarios"].values()}
    for key, e in results["scenarios"].items():
        if key in GATEWAY_COSTS:
            limit = e.get("target")
            verdict = "" if limit is None else f"<= {limit:.0%}: {'met' if e['cost']['median'] <= limit else 'NOT met'}"
            percent = lambda s: _fmt_spread({k: v * 100 for k, v in s.items() if k != "rounds"}, 1)  # noqa: E731
            by_cpu = f"{percent(e['cpu_cost'])} % by CPU per request" if "cpu_cost" in e else ""
            turns = f", median of {e['turns']} turns a round" if e.get("turns", 1) > 1 else ""
            lines.append(f"| {e['title']}{turns} | | | | {percent(e['cost'])} % | {verdict} | | {by_cpu} |")
            continue
        if key == "hasher":
            p = e["params"]
            lines.append(f"| {e['title']}: {e['hasher']} m={p['memory_cost']} KiB t={p['time_cost']} p={p['parallelism']} "
                         f"| {_fmt_spread(e['rps'], 1)} | | | | | | |")
            continue
        ratio = f"{_fmt_spread(e['ratio'], 2)} x {e['ceiling']}" if "ratio" in e else (
            "(ceiling)" if key in ceilings else "")
        target = "" if e.get("target") is None else f">= {e['target']:.2f}: {'met' if e['met'] else 'NOT met'}"
        digits = 1 if e["rps"]["median"] < 100 else 0
        cpu = e.get("cpu_ms_per_request") or {}
        cpu_text = ", ".join(f"{c['median']:.2f}" for c in (cpu.get("service"), cpu.get("all")) if c)
        lines.append(f"| {e['title']} | {_fmt_spread(e['rps'], digits)} | {e['p50_ms']['median']:.2f} | "
                     f"{e['p99_ms']['median']:.2f} | {ratio} | {target} | {e['errors']} | {cpu_text} |")
    login_cpu = results["scenarios"].get("login", {}).get("cpu_ms_per_request") or {}
    if "hashing_threads" in login_cpu:
        hashing, auth, fleet = (login_cpu[k]["median"] for k in ("hashing_threads", "service", "all"))
        lines += ["", f"A login's CPU, median ms: {hashing:.2f} on auth's hashing threads (the busiest "
                      f"`AUTH_MAX_CONCURRENT_HASHES` threads of each worker), {auth - hashing:.2f} on the rest of auth, "
                      f"{fleet - auth:.2f} on the rest of the fleet and wrk."]
    lines += ["", "Memory (PSS, MiB): idle after warm-up, and the largest seen under load", "",
              "| process group | idle master | idle per worker | idle total | largest worker under load |",
              "|---|---:|---:|---:|---:|"]
    idle = results["memory"]["idle"]
    peak = results["memory"]["peak_under_load_kib"]
    for name, entry in idle.items():
        workers = entry["workers"]
        per_worker = ", ".join(f"{kib / MIB:.1f}" for kib in workers.values()) or "-"
        total = entry["master"] + sum(workers.values())
        lines.append(f"| {name} ({len(workers)} children) | {entry['master'] / MIB:.1f} | {per_worker} | "
                     f"{total / MIB:.1f} | {peak.get(name, 0) / MIB:.1f} |")
    idle_total = sum(e["master"] + sum(e["workers"].values()) for e in idle.values())
    lines.append(f"| whole fleet | | | {idle_total / MIB:.1f} | {peak.get('_total', 0) / MIB:.1f} (total) |")
    if results.get("pagination"):
        p = results["pagination"]
        lines += ["", f"v2 list, 1,000,000 vs 1,000 rows (services/customers/bench/pagination.py, median latency "
                      f"ratio, first and deep page per ordering): worst x{p['worst_ratio']:.2f}; "
                      + ", ".join(f"{o} x{f:.2f}/x{d:.2f}" for o, (f, d) in p["ratios"].items())]
    uneven = [(key, share) for r in results["rounds"] for key, m in r.items() if isinstance(m, dict)
              for share in m.get("uneven_runs_discarded", ())]
    if uneven:
        lines += ["", f"Measured again: {len(uneven)} run(s) straight to gunicorn in which wrk's connections landed "
                      "unevenly (the busiest worker did " + ", ".join(f"{share:.0%}" for _, share in uneven)
                      + " of the work: such a run measures one worker, not the service)."]
    lines += ["", "Targets:", ""]
    for t in results["targets"]:
        lines.append(f"- {'met' if t['met'] else 'NOT MET'}: {t['what']} (measured {t['value']})")
    m = results["machine"]
    lines += ["", f"Machine: {m['nproc']} cores ({m['cpu']}), {m['memory_gib']:.1f} GiB, Linux {m['kernel']}, "
                  f"Python {s['python']}; load average (1 min) during the run {m['load_min']:.2f}-{m['load_max']:.2f} "
                  f"(mean {m['load_mean']:.2f})"]
    return "\n".join(lines)


def machine(loads: list[float]) -> dict:
    cpu = "?"
    try:
        cpu = next(line.split(":", 1)[1].strip() for line in Path("/proc/cpuinfo").read_text().splitlines()
                   if line.startswith("model name"))
    except (OSError, StopIteration):
        pass
    mem_kib = 0
    try:
        mem_kib = int(next(line.split()[1] for line in Path("/proc/meminfo").read_text().splitlines()
                           if line.startswith("MemTotal:")))
    except (OSError, StopIteration, ValueError):
        pass
    loads = loads or [os.getloadavg()[0]]
    return {"nproc": os.cpu_count(), "cpu": cpu, "memory_gib": mem_kib / MIB / MIB, "kernel": platform.release(),
            "load_min": min(loads), "load_max": max(loads), "load_mean": statistics.mean(loads)}


RATIO_LINE = re.compile(r"^\s+(\S+)\s+first page x([\d.]+)\s+deep page x([\d.]+)")


def run_pagination(root: Path, out_dir: Path, runs: int) -> dict | None:
    """services/customers/bench/pagination.py as it is (its own Postgres; seeds 1M rows once, ~80 s)."""
    log = out_dir / "pagination.log"
    print(f"bench: v2 list at 1,000 vs 1,000,000 rows (services/customers/bench/pagination.py; log {log})", flush=True)
    with open(log, "w") as handle:
        code = subprocess.run([sys.executable, str(root / "services" / "customers" / "bench" / "pagination.py"),
                               "--no-explain", "--runs", str(runs)], stdout=handle, stderr=subprocess.STDOUT,
                              cwd=root, timeout=1800).returncode
    ratios = {}
    for line in log.read_text().splitlines():
        if match := RATIO_LINE.match(line):
            ratios[match.group(1)] = (float(match.group(2)), float(match.group(3)))
    if not ratios:
        tail = "\n".join(log.read_text().splitlines()[-20:])
        print(f"bench: pagination bench gave no ratios (exit {code}); the end of {log}:\n{tail}", flush=True)
        return None
    return {"ratios": ratios, "worst_ratio": max(max(v) for v in ratios.values()), "exit_code": code,
            "log": str(log)}


def write_docs(path: Path, results: dict, table_text: str) -> None:
    """Replace the marked section of docs/benchmarks.md with this run's table (the rest is hand-written)."""
    section = f"{DOCS_BEGIN}\n{table_text}\n{DOCS_END}"
    text = path.read_text() if path.exists() else f"# Benchmarks\n\n{DOCS_BEGIN}\n{DOCS_END}\n"
    if DOCS_BEGIN not in text:
        text += f"\n{DOCS_BEGIN}\n{DOCS_END}\n"
    before, rest = text.split(DOCS_BEGIN, 1)
    after = rest.split(DOCS_END, 1)[1] if DOCS_END in rest else ""
    path.write_text(before + section + after)
