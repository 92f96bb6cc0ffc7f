"""Render every overlay once per session, into var/k8s/rendered/ (kept for a look after a failure)."""

import subprocess
import sys
from pathlib import Path

import pytest

from k8slib import OVERLAYS, PROD_DATABASE_URLS, ROOT, Rendered, create_secrets, load, render

RENDER_DIR = ROOT / "var" / "k8s" / "rendered"
TOOLS_VENV = ROOT / "var" / "tools-venv"
CHECKOV_LOCK = Path(__file__).with_name("checkov-requirements.txt")


@pytest.fixture(scope="session")
def rendered() -> dict[str, Rendered]:
    RENDER_DIR.mkdir(parents=True, exist_ok=True)
    result = {}
    for overlay in OVERLAYS:
        text = render(ROOT / "k8s" / "overlays" / overlay)
        path = RENDER_DIR / f"{overlay}.yaml"
        path.write_text(text)
        result[overlay] = load(overlay, text, path)
    return result


@pytest.fixture(params=OVERLAYS)
def overlay(request, rendered) -> Rendered:
    return rendered[request.param]


@pytest.fixture(scope="session")
def checkov() -> Path:
    """checkov in its own venv (var/tools-venv), installed from its hashed lock when missing or stale."""
    binary = TOOLS_VENV / "bin" / "checkov"
    stamp = TOOLS_VENV / ".installed-lock"
    lock = CHECKOV_LOCK.read_text()
    if not binary.exists() or not stamp.exists() or stamp.read_text() != lock:
        subprocess.run([sys.executable, "-m", "venv", "--clear", str(TOOLS_VENV)], check=True)
        subprocess.run([str(TOOLS_VENV / "bin" / "pip"), "install", "--quiet", "--require-hashes",
                        "-r", str(CHECKOV_LOCK)], check=True)
        stamp.write_text(lock)
    return binary


@pytest.fixture(scope="session")
def secrets() -> dict[str, list[dict]]:
    """What `k8s/create-secrets.sh OVERLAY` prints, parsed, for every overlay."""
    import yaml
    result = {}
    for overlay in OVERLAYS:
        run = create_secrets(overlay, env=PROD_DATABASE_URLS if overlay == "prod" else None)
        assert run.returncode == 0, run.stderr
        result[overlay] = [obj for obj in yaml.safe_load_all(run.stdout) if obj]
    return result
