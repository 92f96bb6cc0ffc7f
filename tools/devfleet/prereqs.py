"""System packages the fleet needs; installed when we are root, otherwise the exact command is printed."""

from __future__ import annotations

import os
import subprocess

from .errors import FleetError
from .processes import find_binary, say

PACKAGES = {"nginx": "nginx", "redis-server": "redis-server"}


def missing_packages() -> list[str]:
    return [package for binary, package in PACKAGES.items() if not find_binary(binary)]


def ensure_prerequisites() -> None:
    """nginx and redis-server present, or installed non-interactively as root, or a FleetError saying how."""
    missing = missing_packages()
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
    still = missing_packages()
    if still:
        raise FleetError(f"{', '.join(still)} still missing after apt-get install")
