"""Render the security suite's last figures (var/test-security/security-figures.json) as docs/security.md's tables.

    .venv/bin/python tools/security_figures.py [FIGURES_JSON]

One row per test (parametrized variants together: how many passed, their counts summed), then the fuzzing
run per OpenAPI document and the state-dependent rejections it accepted, by reason.
"""

from __future__ import annotations

import json
import re
import sys
from collections import Counter
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[1]
DEFAULT = REPO_ROOT / "var" / "test-security" / "security-figures.json"
ORDER = ["fuzzing", *(f"API{n}" for n in range(1, 11)), "hostile strings", "after the run"]


def merge(total: dict, counts: dict) -> None:
    for key, value in counts.items():
        if isinstance(value, dict):
            merge(total.setdefault(key, {}), value)
        elif isinstance(value, (int, float)) and not isinstance(value, bool):
            total[key] = total.get(key, 0) + value


def shown(counts: dict) -> str:
    parts = []
    for key, value in counts.items():
        if isinstance(value, dict) or key.startswith("accepted_by"):
            continue
        value = round(value, 2) if isinstance(value, float) else value
        parts.append(f"{key.replace('_', ' ')} {value:,}" if isinstance(value, int) else f"{key.replace('_', ' ')} {value}")
    return ", ".join(parts)


def render(figures: dict) -> str:
    rows: dict[tuple[str, str], dict] = {}
    for nodeid, entry in figures.items():
        function = re.sub(r"\[.*\]$", "", nodeid.split("::", 1)[1])
        row = rows.setdefault((entry.get("item", "?"), function), {"outcomes": Counter(), "seconds": 0.0, "counts": {}})
        row["outcomes"][entry.get("outcome", "?")] += 1
        row["seconds"] += entry.get("seconds", 0.0)
        merge(row["counts"], entry.get("counts", {}))
    lines = ["| item | test | result | s | figures |", "|---|---|---|---:|---|"]
    for (item, function), row in sorted(rows.items(), key=lambda r: (ORDER.index(r[0][0]) if r[0][0] in ORDER else 99)):
        result = ", ".join(f"{count} {outcome}" for outcome, count in sorted(row["outcomes"].items()))
        lines.append(f"| {item} | `{function}` | {result} | {row['seconds']:.1f} | {shown(row['counts'])} |")
    lines += ["", "| OpenAPI document | cases | failures | errors | operations | state-dependent rejections accepted |",
              "|---|---:|---:|---:|---:|---:|"]
    reasons: dict = {}
    for nodeid, entry in sorted(figures.items()):
        match = re.search(r"test_schemathesis_finds_nothing\[(.+)\]", nodeid)
        if match:
            c = entry["counts"]
            lines.append(f"| `{match.group(1)}` | {c['cases']:,} | {c['failures']} | {c['errors']} | {c['operations']} | "
                         f"{c['accepted_state_dependent']:,} |")
            merge(reasons, c.get("accepted_by_reason", {}))
    if reasons:
        lines += ["", "| state-dependent rejection accepted (schemathesis_hooks.py) | count |", "|---|---:|"]
        lines += [f"| {reason} | {count:,} |" for reason, count in sorted(reasons.items(), key=lambda r: -r[1])]
    return "\n".join(lines) + "\n"


def main(argv: list[str]) -> int:
    path = Path(argv[0]) if argv else DEFAULT
    print(render(json.loads(path.read_text())), end="")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
