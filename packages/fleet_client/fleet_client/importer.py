"""Import customers from a CSV file as a service account: `python -m fleet_client.importer FILE.csv ...`.

Each row is sent with an Idempotency-Key derived from the file's content and the row's line number,
so running the same file again after an interruption replays what was already created (no
duplicate) and creates the rest. Keys are kept by customers for at least 24 hours.
"""

from __future__ import annotations

import argparse
import csv
import hashlib
import os
import sys
from dataclasses import dataclass, field
from pathlib import Path

from .client import FleetClient
from .credentials import ClientCredentials
from .errors import ApiError, FleetClientError

FIELDS = ("name", "email", "phone", "company")


@dataclass
class Summary:
    created: int = 0
    replayed: int = 0
    failed: list[tuple[int, str]] = field(default_factory=list)

    def lines(self) -> list[str]:
        out = [f"created {self.created}, already imported {self.replayed}, failed {len(self.failed)}"]
        out += [f"  line {line}: {reason}" for line, reason in self.failed]
        return out


class Progress:
    """A one-line progress bar on stderr (no dependency needed for forty characters)."""

    def __init__(self, total: int, stream=sys.stderr, width: int = 40):
        self.total, self.stream, self.width, self.done = max(total, 1), stream, width, 0

    def advance(self) -> None:
        self.done += 1
        filled = self.width * self.done // self.total
        self.stream.write(f"\r[{'#' * filled}{'.' * (self.width - filled)}] {self.done}/{self.total}")
        self.stream.flush()

    def close(self) -> None:
        self.stream.write("\n")


def idempotency_key(file_digest: str, line: int) -> str:
    return hashlib.sha256(f"{file_digest}:{line}".encode()).hexdigest()


def describe(error: ApiError) -> str:
    fields = error.field_errors
    if fields:
        return "; ".join(f"{name}: {' '.join(map(str, messages if isinstance(messages, list) else [messages]))}"
                         for name, messages in fields.items())
    return str(error)


def import_rows(client: FleetClient, path: Path, *, owner: str | None, owner_column: str | None,
                stop_on_error: bool, progress: Progress | None = None) -> Summary:
    """Create one customer per row; a bad row is reported with its line number and skipped."""
    content = path.read_bytes()
    digest = hashlib.sha256(content).hexdigest()
    rows = list(csv.DictReader(content.decode("utf-8-sig").splitlines()))
    progress = progress or Progress(len(rows))
    summary = Summary()
    for line, row in enumerate(rows, start=2):  # line 1 is the header
        body = {name: (row.get(name) or "").strip() for name in FIELDS}
        body = {name: value for name, value in body.items() if value or name in ("name", "email")}
        row_owner = (row.get(owner_column) or "").strip() if owner_column else owner
        if row_owner:
            body["owner"] = row_owner
        try:
            response = client.request("POST", "/v2/customers/", json=body,
                                      idempotency_key=idempotency_key(digest, line))
        except ApiError as error:
            summary.failed.append((line, describe(error)))
            if stop_on_error:
                break
        else:
            if response.headers.get("Idempotent-Replayed") == "true":
                summary.replayed += 1
            else:
                summary.created += 1
        progress.advance()
    progress.close()
    return summary


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m fleet_client.importer", description=__doc__.splitlines()[0])
    parser.add_argument("csv", type=Path, help="UTF-8 CSV with a header: name,email[,phone,company,owner]")
    parser.add_argument("--base-url", required=True, help="gateway or customers' internal URL")
    parser.add_argument("--token-url", required=True, help="auth's oauth/token/ endpoint")
    parser.add_argument("--client-id", required=True)
    parser.add_argument("--client-secret-env", default="FLEET_CLIENT_SECRET",
                        help="name of the environment variable holding the secret (never on the command line)")
    owners = parser.add_mutually_exclusive_group(required=True)
    owners.add_argument("--owner", help="the owner (user id) of every row")
    owners.add_argument("--owner-column", help="the CSV column naming each row's owner")
    parser.add_argument("--stop-on-error", action="store_true", help="stop at the first bad row")
    parser.add_argument("--retry-budget", type=float, default=120,
                        help="seconds one row may spend waiting out rate limits and outages (default 120)")
    args = parser.parse_args(argv)
    secret = os.environ.get(args.client_secret_env)
    if not secret:
        parser.error(f"set the client secret in ${args.client_secret_env}")
    credentials = ClientCredentials(args.token_url, args.client_id, secret, scope="customers:admin",
                                    retry_budget=args.retry_budget)
    client = FleetClient(args.base_url, credentials, retry_budget=args.retry_budget)
    try:
        summary = import_rows(client, args.csv, owner=args.owner, owner_column=args.owner_column,
                              stop_on_error=args.stop_on_error)
    except FleetClientError as error:
        print(f"import aborted: {error} (run again to resume; nothing is duplicated)", file=sys.stderr)
        return 2
    print("\n".join(summary.lines()))
    return 1 if summary.failed else 0


if __name__ == "__main__":
    sys.exit(main())
