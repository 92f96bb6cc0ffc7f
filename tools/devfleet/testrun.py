"""`make test`: the shared packages, the Kubernetes manifests, each service's suite against a fresh
harness Postgres, the contract, gateway and deployment suites, the operations scripts, the end-to-end suite,
the reliability suite (faults, durability and a short load), then the security suite."""

from __future__ import annotations

import os
import subprocess
import time
from dataclasses import dataclass
from pathlib import Path

from .config import SERVICES, FleetConfig, test_config
from .errors import FleetError
from .infra import Infra, base_env, wipe_state_dir
from .lock import StateLock
from .prereqs import PACKAGES, TEST_PACKAGES, ensure_node_modules, ensure_prerequisites
from .processes import say

PYTEST_NO_TESTS = 5


@dataclass
class SuiteResult:
    name: str
    ok: bool
    seconds: float
    detail: str


def _pytest(name: str, args: list[str], *, config: FleetConfig, cwd: Path, env: dict) -> SuiteResult:
    """One suite; exit 5 (nothing collected) is a failure: a suite that tests nothing must not pass."""
    argv = [str(config.venv_bin("python")), "-m", "pytest", "-p", "no:cacheprovider", *args]
    say(f"{name}: {' '.join(argv[1:])}  (in {cwd})")
    started = time.monotonic()
    if not cwd.is_dir():
        return SuiteResult(name, False, 0.0, f"{cwd} does not exist")
    code = subprocess.run(argv, cwd=cwd, env=env).returncode
    seconds = time.monotonic() - started
    if code == 0:
        return SuiteResult(name, True, seconds, "passed")
    if code == PYTEST_NO_TESTS:
        return SuiteResult(name, False, seconds, "no tests collected (exit 5)")
    return SuiteResult(name, False, seconds, f"exit {code}")


def _with_tools_on_path(root: Path, env: dict[str, str]) -> dict[str, str]:
    """So a suite's conftest can `import devfleet`."""
    tools = str(root / "tools")
    env["PYTHONPATH"] = os.pathsep.join(p for p in (tools, env.get("PYTHONPATH", "")) if p)
    return env


def _fresh(config: FleetConfig) -> StateLock:
    """Take the state dir's lock, then wipe it: a running fleet there is refused, never wiped."""
    lock = StateLock(config.lock_path)
    lock.acquire()
    wipe_state_dir(config)
    return lock


def _root_suite(name: str, path: str, config: FleetConfig, root: Path) -> SuiteResult:
    """A suite under tests/ run from the root with `import devfleet` available; it starts what it needs."""
    try:
        lock = _fresh(config)
        lock.release()  # the suite's own Infra or Fleet takes it again
    except FleetError as exc:
        say(f"error: {exc}")
        return SuiteResult(name, False, 0.0, f"not run: {exc}")
    env = _with_tools_on_path(root, base_env())
    env["DEVFLEET_STATE_DIR"] = str(config.state_dir)
    return _pytest(name, [path], config=config, cwd=root, env=env)


def run_tests(root: Path, *, fast: bool = False) -> int:
    """Run every suite even if one fails, print a summary line each, return the exit code."""
    unit = test_config(root, root / "var" / "test")
    ops = test_config(root, root / "var" / "test-ops")
    e2e = test_config(root, root / "var" / "test-e2e")
    reliability = test_config(root, root / "var" / "test-reliability")
    security = test_config(root, root / "var" / "test-security")
    infra = Infra(unit)
    results: list[SuiteResult] = []
    try:
        infra.acquire_lock()  # before anything else: a concurrent `make test` is refused, not disturbed
        ensure_prerequisites({**PACKAGES, **TEST_PACKAGES})
        ensure_node_modules(root)
    except FleetError as exc:
        infra.stop()
        say(f"error: {exc}")
        return 1
    for package in ("fleet_common", "fleet_client"):
        results.append(_pytest(package, [f"packages/{package}/tests"], config=unit, cwd=root, env=base_env()))
    # Static: renders, validates and scans the manifests; needs no database.
    results.append(_pytest("k8s", ["tests/k8s"], config=unit, cwd=root, env=base_env()))
    try:
        wipe_state_dir(unit)
        infra.start()
        for service in SERVICES:
            results.append(_pytest(service, [], config=unit, cwd=unit.service_dir(service),
                                   env={**infra.env_for(service), "DJANGO_ENV": "test"}))
    except FleetError as exc:
        say(f"error: {exc}")
        done = {r.name for r in results}
        results += [SuiteResult(s, False, 0.0, "not run: test infrastructure failed") for s in SERVICES if s not in done]
    finally:
        # Stopped before e2e: its fleet uses the same test ports (test_config) for Postgres and Redis.
        infra.stop()

    # Suites that need no database: the committed OpenAPI documents (manage.py spectacular per service),
    # the gateway on its own (nginx in front of stand-in upstreams; independent tests, so two processes),
    # and Django's deployment checklist.
    env = _with_tools_on_path(root, base_env())
    results.append(_pytest("contract", ["tests/contract"], config=unit, cwd=root, env=env))
    results.append(_pytest("gateway", ["-n", "2", "tests/gateway"], config=unit, cwd=root, env=env))
    results.append(_pytest("deploy", ["tests/deploy"], config=unit, cwd=root, env=env))

    # ops and e2e start their own Postgres on the same test ports, one after the other.
    results.append(_root_suite("ops", "tests/ops", ops, root))
    if fast:
        say("e2e, reliability and security: skipped (--fast)")
    else:
        results.append(_root_suite("e2e", "tests/e2e", e2e, root))
        results.append(_root_suite("reliability", "tests/reliability", reliability, root))
        # Its own fleet (raised rate limits) on the same test ports, after the others have stopped: schema-driven
        # fuzzing, the OWASP API Top 10, hostile strings, then no secret in any log (tests/security).
        results.append(_root_suite("security", "tests/security", security, root))

    print("\n== test summary ==", flush=True)
    for result in results:
        status = "PASSED" if result.ok else "FAILED"
        print(f"  {result.name:<11} {status}  {result.seconds:7.1f} s  {'' if result.ok else result.detail}".rstrip())
    failed = [r.name for r in results if not r.ok]
    print(f"== {'FAILED: ' + ', '.join(failed) if failed else 'all suites passed'} ==", flush=True)
    return 1 if failed else 0
