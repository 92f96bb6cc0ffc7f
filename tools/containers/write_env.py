"""Write a compose .env from .env.example, every empty secret filled with a fresh random value.

    python3 tools/containers/write_env.py [--example .env.example] [--output .env]

Refuses to overwrite an existing file (it holds the secrets the volumes were initialised with).
Values are hex, so they are safe inside DATABASE_URL. The file is created readable by its owner only.
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


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--example", type=Path, default=ROOT / ".env.example")
    parser.add_argument("--output", type=Path, default=ROOT / ".env")
    args = parser.parse_args(argv)
    text, filled = render(args.example.read_text())
    try:
        fd = os.open(args.output, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        print(f"write_env: {args.output} exists; left unchanged (delete it to start over, "
              "which also means `docker compose down -v`: the databases keep the old passwords)", file=sys.stderr)
        return 0
    with os.fdopen(fd, "w") as handle:
        handle.write(text)
    print(f"write_env: wrote {args.output} with fresh values for {', '.join(filled)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
