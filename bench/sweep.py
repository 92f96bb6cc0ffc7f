"""Workers x threads of gunicorn, measured: each configuration gets its own fleet, in turns, repeatedly.

    PYTHONPATH=tools .venv/bin/python -m bench.sweep 2x4 4x2 4x1 [--repeat 2] [--scenarios get_v2 list_v2 ...]

On a shared machine one run of a configuration says little, so the configurations take turns
(`--repeat` times each) and the summary gives, per configuration, the median over its runs of
req/s, the ratio to ceiling B (which runs under the same settings), and CPU ms per request of the
customers server. Results go to var/bench/sweep/<WxT>-<n>.json.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
from pathlib import Path

from .__main__ import ROOT, main as bench_main

SCENARIOS = ("get_v2", "list_v2")


def summarize(results: dict[str, list[dict]], scenarios=SCENARIOS) -> str:
    lines = ["| workers x threads | runs | " + " | ".join(f"{s} req/s, ratio, CPU ms/req" for s in scenarios)
             + " | ceiling B req/s | load (1 min) |", "|---|---:|" + "---|" * len(scenarios) + "---:|---|"]
    for config, runs in results.items():
        cells = []
        for key in scenarios:
            entries = [r["scenarios"][key] for r in runs if key in r["scenarios"]]
            rps = statistics.median(e["rps"]["median"] for e in entries)
            ratio = statistics.median(e["ratio"]["median"] for e in entries)
            cpu = statistics.median(e["cpu_ms_per_request"]["service"]["median"] for e in entries)
            cells.append(f"{rps:,.0f}, {ratio:.2f}, {cpu:.2f}")
        ceiling = statistics.median(r["scenarios"]["ceiling_b"]["rps"]["median"] for r in runs)
        loads = [r["machine"]["load_mean"] for r in runs]
        lines.append(f"| {config} | {len(runs)} | " + " | ".join(cells)
                     + f" | {ceiling:,.0f} | {min(loads):.1f}-{max(loads):.1f} |")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    extra = argv[argv.index("--") + 1:] if "--" in argv else []
    parser = argparse.ArgumentParser(prog="python -m bench.sweep", description=__doc__.splitlines()[0])
    parser.add_argument("configs", nargs="+", metavar="WxT")
    parser.add_argument("--repeat", type=int, default=2)
    parser.add_argument("--scenarios", nargs="+", default=list(SCENARIOS), metavar="KEY")
    args = parser.parse_args(argv[:argv.index("--")] if "--" in argv else argv)
    out = ROOT / "var" / "bench" / "sweep"
    out.mkdir(parents=True, exist_ok=True)
    results: dict[str, list[dict]] = {config: [] for config in args.configs}
    for n in range(args.repeat):
        for config in args.configs:
            workers, threads = (int(x) for x in config.split("x"))
            path = out / f"{config}-{n}.json"
            bench_main(["--only", *args.scenarios, "--rounds", "2", "--seconds", "4", "--skip-pagination",
                        "--workers", str(workers), "--gunicorn-threads", str(threads), "--output", str(path), *extra])
            results[config].append(json.loads(Path(path).read_text()))
    table = summarize(results, args.scenarios)
    (out / "summary.md").write_text(table + "\n")
    print("\n" + table)
    return 0


if __name__ == "__main__":
    sys.exit(main())
