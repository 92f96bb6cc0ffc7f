"""Schema-driven fuzzing: schemathesis runs every committed OpenAPI document (both services, both versions) against
the live fleet through the gateway, with every check and every phase (stateful included) and NUL bytes allowed.

It finds no server error, no response outside its schema, no undocumented status, no accepted invalid input and
no rejected valid input, except the rejections that depend on state no schema can describe (a duplicate email, a
stale If-Match, a cursor the server never issued ...), which schemathesis_hooks.py accepts one by one and counts.
"""

import json
import os
import subprocess
from collections import Counter
from pathlib import Path

import pytest

from helpers import ROOT, make_staff

HERE = Path(__file__).resolve().parent
SCHEMAS = ("auth-v1", "auth-v2", "customers-v1", "customers-v2")
#: Test cases per operation and phase; with the coverage and stateful phases this runs about 9,000 cases in all.
MAX_EXAMPLES = int(os.environ.get("FUZZ_MAX_EXAMPLES", "100"))
MIN_CASES = 2000
TIMEOUT_SECONDS = 240  # per document; the whole fuzzing part stays within about 5 minutes
RESULTS: dict[str, dict] = {}


@pytest.fixture(scope="module")
def identities(fleet, new_user, tmp_path_factory):
    """Two users (peers: neither may see the other's objects) and an admin, as a Web Fuzzing Commons auth file."""
    alice, bob = new_user(prefix="fuzz-alice"), new_user(prefix="fuzz-bob")
    admin = make_staff(fleet, new_user(prefix="fuzz-admin"))
    document = {"auth": [{"name": name, "fixedHeaders": [{"name": "Authorization", "value": f"Bearer {who.access}"}]}
                         for name, who in (("alice", alice), ("bob", bob), ("admin", admin))]}
    path = tmp_path_factory.mktemp("fuzz") / "identities.json"
    path.write_text(json.dumps(document))
    path.chmod(0o600)
    return path, [alice.id, bob.id, admin.id]


def remember_credentials(har: Path, issued) -> int:
    """Passwords the fuzzer registered or set, and tokens it was issued: the log search looks for these too."""
    before = len(issued.values)
    for entry in json.loads(har.read_text())["log"]["entries"]:
        request, response = entry["request"], entry["response"]
        path, status = request["url"].split("?")[0], response["status"]
        try:
            sent = json.loads(request.get("postData", {}).get("text") or "null")
            answered = json.loads(response["content"].get("text") or "null")
        except ValueError:
            continue
        if isinstance(sent, dict) and ((path.endswith("/users/") and status == 201)
                                       or (path.endswith("/me/password/") and status == 204)):
            issued.add("password", sent.get("password") or sent.get("new_password"))
        if isinstance(answered, dict) and status == 200:
            issued.add_tokens(answered)
    return len(issued.values) - before


def run_schemathesis(name: str, gateway: str, identities, workdir: Path) -> dict:
    auth_file, protected = identities
    report, accepted = workdir / f"{name}.json", workdir / f"{name}-accepted.jsonl"
    env = {**os.environ, "FUZZ_AUTH_FILE": str(auth_file), "FUZZ_PROTECTED_IDS": ",".join(protected),
           "FUZZ_ACCEPTED_FILE": str(accepted), "SCHEMATHESIS_HOOKS": str(HERE / "schemathesis_hooks.py")}
    argv = [str(ROOT / ".venv" / "bin" / "st"), "--config-file", str(HERE / "schemathesis.toml"), "run",
            str(ROOT / "docs" / "openapi" / f"{name}.yaml"), "--url", gateway,
            "--checks", "all", "--phases", "examples,coverage,fuzzing,stateful",
            "--generation-allow-x00", "true", "--max-examples", str(MAX_EXAMPLES), "--workers", "1",
            "--seed", os.environ.get("FUZZ_SEED", "20230601"), "--generation-database", "none",
            "--request-timeout", "30", "--no-color", "--report", "json,har", "--report-json-path", str(report),
            "--report-har-path", str(workdir / f"{name}.har"), "--output-sanitize", "false"]
    result = subprocess.run(argv, env=env, cwd=workdir, capture_output=True, text=True, timeout=TIMEOUT_SECONDS)
    assert report.exists(), result.stdout[-5000:] + result.stderr[-3000:]
    summary = json.loads(report.read_text())
    lines = accepted.read_text().splitlines() if accepted.exists() else []
    summary["accepted"] = Counter(json.loads(line)["reason"] for line in lines)
    summary["output"] = result.stdout
    return summary


@pytest.mark.parametrize("name", SCHEMAS)
def test_schemathesis_finds_nothing(name, gateway, identities, issued, record, tmp_path_factory):
    workdir = tmp_path_factory.mktemp(name)
    summary = run_schemathesis(name, gateway, identities, workdir)
    remembered = remember_credentials(workdir / f"{name}.har", issued)
    RESULTS[name] = summary
    cases, failures = summary["test_cases"], summary["failures"]
    record(cases=cases["generated"], failures=sum(f["count"] for f in failures), errors=len(summary["errors"]),
           operations=summary["operations"]["tested"], accepted_state_dependent=sum(summary["accepted"].values()),
           accepted_by_reason=dict(summary["accepted"]), credentials_remembered=remembered)
    print(f"\n{name}: {cases['generated']} cases, {len(failures)} kinds of failure, "
          f"{summary['operations']['tested']} operations, {summary['running_time']:.0f} s; "
          f"state-dependent rejections accepted: {sum(summary['accepted'].values())} {dict(summary['accepted'])}")
    assert not failures and not summary["errors"], summary["output"][-20000:]
    assert summary["operations"]["tested"] == summary["operations"]["selected"] > 0
    assert summary["phases"]["stateful"]["status"] != "skip", summary["phases"]


def test_at_least_two_thousand_cases_ran_in_all(record):
    assert set(RESULTS) == set(SCHEMAS), "every document's run must have completed"
    total = sum(summary["test_cases"]["generated"] for summary in RESULTS.values())
    record(cases=total, seconds_fuzzing=round(sum(s["running_time"] for s in RESULTS.values())))
    print(f"\nschemathesis: {total} cases over {len(RESULTS)} documents, "
          f"{sum(len(s['failures']) for s in RESULTS.values())} failures")
    assert total >= MIN_CASES
