"""The Postman collection in docs/postman/ passes against the live fleet, run by newman as a developer would:
register, log in, a customer's life with If-Match, refresh, log out, and a service token."""

import json
import os
import subprocess
import sys

import pytest

from devfleet.prereqs import ensure_node_modules

from conftest import ROOT

POSTMAN = ROOT / "docs" / "postman"
ARTIFACTS = ROOT / "var" / "artifacts"


@pytest.fixture(scope="module")
def service_client(fleet) -> tuple[str, str]:
    """A client with customers:read only, as the README's make manage line creates one."""
    result = subprocess.run(
        [sys.executable, "manage.py", "service_client", "create", "postman", "--scope", "customers:read"],
        cwd=fleet.config.service_dir("auth"), env=fleet.env_for("auth"), capture_output=True, text=True, check=True)
    values = dict(line.split("=", 1) for line in result.stdout.splitlines() if "=" in line)
    return values["client_id"], values["client_secret"]


def test_the_postman_collection_passes_against_the_fleet(gateway, service_client, capsys):
    ensure_node_modules(ROOT)
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    report = ARTIFACTS / "newman-report.json"
    report.unlink(missing_ok=True)
    client_id, client_secret = service_client
    argv = ["npx", "--offline", "newman", "run", str(POSTMAN / "fleet.postman_collection.json"),
            "--environment", str(POSTMAN / "dev.postman_environment.json"),
            "--env-var", f"baseUrl={gateway}", "--env-var", f"clientId={client_id}",
            "--env-var", f"clientSecret={client_secret}",
            "--timeout-request", "10000", "--color", "off", "--no-insecure-file-read",
            "--reporters", "cli,json", "--reporter-json-export", str(report)]
    result = subprocess.run(argv, cwd=ROOT, capture_output=True, text=True, timeout=300,
                            env={**os.environ, "NO_COLOR": "1"})
    print(result.stdout[-8000:], result.stderr[-2000:], sep="\n")  # every request and assertion, on failure
    assert report.exists(), f"newman wrote no report (exit {result.returncode})"
    stats = json.loads(report.read_text())["run"]["stats"]
    with capsys.disabled():  # newman's summary table shows in make test's output, passing or not
        table = result.stdout[result.stdout.find("\n\u250c"):] if "\u250c" in result.stdout else ""
        print(f"{table}\nnewman: {stats['requests']['total']} requests, {stats['assertions']['total']} "
              f"assertions, {stats['assertions']['failed']} failed (report: {report})")
    collection = json.loads((POSTMAN / "fleet.postman_collection.json").read_text())
    tests = sum(line.startswith("pm.test(") for item in collection["item"] for event in item["event"]
                for line in event["script"]["exec"])
    assert stats["requests"] == {"total": len(collection["item"]), "pending": 0, "failed": 0}
    assert stats["assertions"] == {"total": tests, "pending": 0, "failed": 0}  # every test ran, none failed
    assert result.returncode == 0
