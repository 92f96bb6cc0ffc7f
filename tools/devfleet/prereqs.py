"""System packages the fleet and its tests need; installed when we are root, otherwise the exact command is printed.
Also the Node tools of the tests (redocly, newman), installed from package-lock.json with `npm ci`."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

from .errors import FleetError
from .processes import find_binary, say

#: binary -> Debian package: what `make dev` runs.
PACKAGES = {"nginx": "nginx", "redis-server": "redis-server"}
#: What only the tests run: the browser that renders the API reference (tests/e2e).
TEST_PACKAGES = {"chromium": "chromium"}


def missing_packages(packages: dict[str, str] = PACKAGES) -> list[str]:
    return [package for binary, package in packages.items() if not find_binary(binary)]


def ensure_prerequisites(packages: dict[str, str] = PACKAGES) -> None:
    """`packages` present, or installed non-interactively as root, or a FleetError saying how."""
    missing = missing_packages(packages)
    if not missing:
        return
    command = f"apt-get update && apt-get install -y {' '.join(missing)}"
    if os.geteuid() != 0:
        raise FleetError(f"{', '.join(missing)} not installed; run:\n  sudo sh -c '{command}'")
    say(f"installing {', '.join(missing)}: {command}")
    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    for argv in (["apt-get", "update"], ["apt-get", "install", "-y", "--no-install-recommends", *missing]):
        if subprocess.run(argv, env=env, stdin=subprocess.DEVNULL).returncode != 0:
            raise FleetError(f"`{' '.join(argv)}` failed; run `{command}` yourself and retry")
    still = missing_packages(packages)
    if still:
        raise FleetError(f"{', '.join(still)} still missing after apt-get install")


def ensure_node_modules(root: Path) -> None:
    """node_modules/ as package-lock.json pins it (`npm ci`), unless it is already at least as new."""
    lock, installed = root / "package-lock.json", root / "node_modules" / ".package-lock.json"
    if installed.exists() and installed.stat().st_mtime >= lock.stat().st_mtime:
        return
    if not (find_binary("npm") and find_binary("npx")):
        raise FleetError("Node.js (20.19 or later) and npm are not installed; the tests run redocly and newman "
                         "with them (see package.json)")
    say("installing the Node tools of the tests: npm ci (package-lock.json)")
    result = subprocess.run(["npm", "ci", "--no-audit", "--no-fund"], cwd=root, stdin=subprocess.DEVNULL,
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    if result.returncode != 0:
        raise FleetError(f"`npm ci` failed in {root}:\n{result.stdout[-4000:]}")
