"""After the whole run: no stored row holds a NUL or a lone surrogate, and no log line of any process holds a
token, password or client secret issued (or used) during the run, nor anything shaped like a token."""

import concurrent.futures
import json
import re
import time
import uuid

import pytest
import requests

from helpers import database

pytestmark = pytest.mark.last

JWT_SHAPE = re.compile(r"eyJ[A-Za-z0-9_-]{10,}\.eyJ[A-Za-z0-9_-]{10,}\.")
MIN_SECRET_LENGTH = 8  # shorter values would match log text by chance; the password policy needs 8 anyway


def test_a_secret_a_client_puts_in_the_url_goes_through_error_paths_too(gateway, production_limits, alice, record):
    """Clients should never put credentials in a URL (none is accepted there), but some will: the requests that
    end in the gateway's own errors (413, 431, 404, 429) carry them, so the log search below covers those paths."""
    leak = f"?access_token={alice.access}&password={alice.password}"
    statuses = [
        requests.post(f"{gateway}/v2/customers/{leak}", data=b"x" * (2 * 1024 * 1024), headers=alice.headers).status_code,
        requests.get(f"{gateway}/v2/customers/{leak}", headers={"X-Padding": "a" * 9000}).status_code,
        requests.get(f"{gateway}/nowhere/{leak}").status_code,
        requests.get(f"{gateway}/v2/customers/{leak}").status_code,
        requests.get(f"{gateway}/v2/auth/me/{leak}", headers={"Authorization": "Basic " + alice.password}).status_code,
    ]
    time.sleep(3)  # the edge limit's bucket refills

    def flood(_):
        return requests.post(f"{production_limits}/v2/auth/token/{leak}", timeout=30,
                             json={"username": alice.username, "password": "wrong"}).status_code

    with concurrent.futures.ThreadPoolExecutor(max_workers=40) as pool:
        statuses += list(pool.map(flood, range(40)))
    record(requests=len(statuses), throttled=statuses.count(429))
    assert {413, 431, 404, 401, 429} <= set(statuses), statuses


def rows_of_every_table(connection):
    tables = [row[0] for row in connection.execute(
        "SELECT tablename FROM pg_tables WHERE schemaname = 'public' ORDER BY tablename")]
    for table in tables:
        for (row,) in connection.execute(f'SELECT row_to_json(t)::text FROM "{table}" t'):  # noqa: S608 - catalog names
            yield table, json.loads(row)


def strings_in(value):
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for key, item in value.items():
            yield key
            yield from strings_in(item)
    elif isinstance(value, list):
        for item in value:
            yield from strings_in(item)


def is_lone_surrogate_free(text: str) -> bool:
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


@pytest.mark.parametrize("service", ["auth", "customers"])
def test_no_stored_row_holds_a_nul_or_a_lone_surrogate(fleet, service, record):
    rows = values = 0
    bad = []
    with database(fleet, service) as connection:
        for table, row in rows_of_every_table(connection):
            rows += 1
            for text in strings_in(row):
                values += 1
                if "\x00" in text or not is_lone_surrogate_free(text):
                    bad.append((table, text[:80]))
    record(rows=rows, string_values=values)
    assert rows > 0 and not bad, bad


def log_files(fleet):
    """Every log any process of the fleet wrote: the services', nginx's (every gateway), Postgres', Redis'."""
    state = fleet.config.state_dir
    return sorted({*fleet.config.logs_dir.rglob("*.log"), *state.glob("gateway*/logs/*")})


def test_no_secret_reaches_any_log(fleet, issued, record):
    secrets = {value: kind for value, kind in issued.values.items() if len(value) >= MIN_SECRET_LENGTH}
    files = log_files(fleet)
    found, lines, shaped = [], 0, []
    for path in files:
        text = path.read_text(errors="replace")
        lines += text.count("\n")
        for value, kind in secrets.items():
            if value in text:
                line = next(line for line in text.splitlines() if value in line)
                found.append((path.name, kind, line[:300]))
        shaped += [(path.name, match.group(0)[:40]) for match in JWT_SHAPE.finditer(text)]
    kinds = {}
    for kind in secrets.values():
        kinds[kind] = kinds.get(kind, 0) + 1
    record(log_files=len(files), log_lines=lines, secrets_searched=len(secrets),
           **{f"issued_{kind}": count for kind, count in sorted(kinds.items())})
    print(f"\nsearched {lines} lines of {len(files)} logs for {len(secrets)} secrets {kinds}")
    assert len(secrets) >= 20 and lines > 1000  # the search searched something
    assert not found, found
    assert not shaped, shaped


def test_the_search_would_find_a_secret_that_was_logged(fleet):
    """The control: a line written to a fleet log is seen by the search above."""
    marker = f"canary-{uuid.uuid4().hex}"
    with open(fleet.config.logs_dir / "canary.log", "w") as handle:
        handle.write(f'{{"event": "oops", "token": "{marker}"}}\n')
    assert any(marker in path.read_text() for path in log_files(fleet))
    (fleet.config.logs_dir / "canary.log").unlink()
