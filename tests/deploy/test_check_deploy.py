"""Both services pass Django's deployment checklist (`manage.py check --deploy`) with production
settings, as they run behind the gateway: no warning may remain, and each silenced check says why
(fleet_common.settings.behind_the_gateway)."""

import os
import secrets
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
SERVICES = ("auth", "customers")


def production_env(tmp_path: Path, **overrides: str) -> dict[str, str]:
    """What a production deployment sets; check --deploy opens no database connection."""
    keys = tmp_path / "keys"
    keys.mkdir(exist_ok=True)
    env = {key: value for key, value in os.environ.items()
           if not key.startswith(("DJANGO_", "DATABASE_", "AUTH_", "JWT_", "GUNICORN_", "PROMETHEUS_", "PG"))}
    env.update({
        "DJANGO_ENV": "production",
        "DJANGO_SETTINGS_MODULE": "config.settings",
        "DJANGO_SECRET_KEY": secrets.token_urlsafe(64),
        "DJANGO_ALLOWED_HOSTS": "api.example.com",
        "DATABASE_URL": "postgres://service:password@db.internal:5432/service",
        "JWT_ISSUER": "https://api.example.com",
        "AUTH_SIGNING_KEYS_DIR": str(keys),
        "CUSTOMERS_INTERNAL_URL": "http://customers:8000",
        "AUTH_JWKS_URL": "http://auth:8000/.well-known/jwks.json",
        "REDIS_URL": "redis://redis:6379/0",
    })
    env.update(overrides)
    return env


def check_deploy(service: str, env: dict[str, str]) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
                          cwd=ROOT / "services" / service, env=env, capture_output=True, text=True, timeout=120)


@pytest.mark.parametrize("service", SERVICES)
def test_production_settings_pass_check_deploy(service, tmp_path):
    result = check_deploy(service, production_env(tmp_path))
    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues" in result.stdout


@pytest.mark.parametrize("service", SERVICES)
def test_check_deploy_does_fail_on_a_real_problem(service, tmp_path):
    """The check has teeth: DEBUG on in production is reported and fails it."""
    result = check_deploy(service, production_env(tmp_path, DJANGO_DEBUG="true"))
    assert result.returncode != 0
    assert "security.W018" in result.stderr + result.stdout
