"""The CSV import tool end to end: bad rows reported by line, and an interrupted run resumed with no duplicate."""

import csv
import os
import signal
import subprocess
import sys
import time

import pytest

ROWS = 60  # both tests stay within the write throttle (120/min per caller) of the importer's client
BAD_LINES = {12: {"email": "not-an-email"}, 41: {"name": ""}}  # CSV line numbers (line 1 is the header)


@pytest.fixture(scope="module")
def importer_client(fleet) -> tuple[str, str]:
    result = subprocess.run(
        [sys.executable, "manage.py", "service_client", "create", "importer",
         "--scope", "customers:admin", "customers:read", "customers:write"],
        cwd=fleet.config.service_dir("auth"), env=fleet.env_for("auth"), capture_output=True, text=True, check=True)
    values = dict(line.split("=", 1) for line in result.stdout.splitlines() if "=" in line)
    return values["client_id"], values["client_secret"]


def write_csv(path, owner_column: bool, owner: str):
    with path.open("w", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=["name", "email", "phone", "company", "owner"])
        writer.writeheader()
        for line in range(2, ROWS + 2):
            row = {"name": f"Customer {line}", "email": f"c{line}@example.com", "phone": "+1 555 0100",
                   "company": "Acme", "owner": owner}
            row.update(BAD_LINES.get(line, {}))
            writer.writerow(row)


def importer(gateway, client, path, *extra):
    client_id, secret = client
    argv = [sys.executable, "-m", "fleet_client.importer", str(path), "--base-url", gateway,
            "--token-url", f"{gateway}/v2/auth/oauth/token/", "--client-id", client_id, *extra]
    return subprocess.Popen(argv, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            env={**os.environ, "FLEET_CLIENT_SECRET": secret})


def test_an_interrupted_import_resumes_without_duplicates(gateway, importer_client, new_user, tmp_path):
    owner = new_user()
    path = tmp_path / "customers.csv"
    write_csv(path, owner_column=True, owner=owner.id)

    first = importer(gateway, importer_client, path, "--owner-column", "owner")
    progress = ""
    while f"] {ROWS // 2}/" not in progress and first.poll() is None:
        progress += first.stderr.read(64)
    first.send_signal(signal.SIGKILL)  # the harshest interruption: no cleanup at all
    first.wait()
    partial = owner.request("GET", "/v1/customers/?page_size=1").json()["count"]
    assert 0 < partial < ROWS - len(BAD_LINES)

    second = importer(gateway, importer_client, path, "--owner-column", "owner")
    out, err = second.communicate(timeout=120)
    assert second.returncode == 1, err  # some rows were bad
    assert f"already imported {partial}" in out or "already imported" in out
    for line in BAD_LINES:
        assert f"line {line}:" in out
    assert owner.request("GET", "/v1/customers/?page_size=1").json()["count"] == ROWS - len(BAD_LINES)
    assert "[" in err and f"{ROWS}/{ROWS}" in err  # the progress bar reached the end


def test_stop_on_error_stops_at_the_first_bad_row(gateway, importer_client, new_user, tmp_path):
    owner = new_user()
    path = tmp_path / "customers.csv"
    write_csv(path, owner_column=False, owner="")
    run = importer(gateway, importer_client, path, "--owner", owner.id, "--stop-on-error")
    out, _ = run.communicate(timeout=60)
    assert run.returncode == 1
    assert "line 12:" in out and "line 41:" not in out
    assert owner.request("GET", "/v1/customers/?page_size=1").json()["count"] == 10
