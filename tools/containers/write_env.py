"""Write a compose .env from .env.example, every empty secret filled with a fresh random value.

    python3 tools/containers/write_env.py [--example .env.example] [--output .env]

Never overwrites a value of an existing file (it holds the secrets the volumes were initialised with),
but adds a secret the example gained since (a new setting after `git pull`). Values are hex, so they are
safe inside DATABASE_URL and REDIS_URL. The file is created readable by its owner only.
"""

from __future__ import annotations

import argparse
import os
import re
import secrets
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
EMPTY_ASSIGNMENT = re.compile(r"^([A-Z][A-Z0-9_]*)=\s*$")
ASSIGNMENT = re.compile(r"^([A-Z][A-Z0-9_]*)=", re.MULTILINE)


def render(example: str) -> tuple[str, list[str]]:
    """The example's text with each `NAME=` (empty) line given a 64-hex-digit random value."""
    filled, lines = [], []
    for line in example.splitlines():
        match = EMPTY_ASSIGNMENT.match(line)
        if match:
            line = f"{match.group(1)}={secrets.token_hex(32)}"
            filled.append(match.group(1))
        lines.append(line)
    return "\n".join(lines) + "\n", filled


def add_missing(path: Path, example: str) -> int:
    """Append each secret of the example that `path` lacks, with a fresh value; change nothing else."""
    text = path.read_text()
    present = set(ASSIGNMENT.findall(text))
    missing = [name for line in example.splitlines() if (match := EMPTY_ASSIGNMENT.match(line))
               and (name := match.group(1)) not in present]
    if missing:
        with path.open("a") as handle:
            handle.write("" if text.endswith("\n") or not text else "\n")
            handle.write("".join(f"{name}={secrets.token_hex(32)}\n" for name in missing))
        print(f"write_env: {path} exists; added fresh values for {', '.join(missing)}, changed nothing else "
              "(a database password made anew will not match a data volume made with an old one)")
    else:
        print(f"write_env: {path} exists; left unchanged (delete it to start over, "
              "which also means `docker compose down -v`: the databases keep the old passwords)", file=sys.stderr)
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--example", type=Path, default=ROOT / ".env.example")
    parser.add_argument("--output", type=Path, default=ROOT / ".env")
    args = parser.parse_args(argv)
    example = args.example.read_text()
    text, filled = render(example)
    try:
        fd = os.open(args.output, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        return add_missing(args.output, example)
    with os.fdopen(fd, "w") as handle:
        handle.write(text)
    print(f"write_env: wrote {args.output} with fresh values for {', '.join(filled)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
