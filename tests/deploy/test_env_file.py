"""`make env` (tools/containers/write_env.py): compose's .env with a fresh value for every secret compose
requires, and never a value overwritten."""

import re
import stat
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
REQUIRED = set(re.findall(r"\$\{([A-Z][A-Z0-9_]*):\?", (ROOT / "docker-compose.yml").read_text()))


def write_env(output: Path) -> None:
    subprocess.run([sys.executable, str(ROOT / "tools" / "containers" / "write_env.py"), "--output", str(output)],
                   check=True, capture_output=True)


def values(path: Path) -> dict[str, str]:
    return dict(re.findall(r"^([A-Z][A-Z0-9_]*)=(.*)$", path.read_text(), re.MULTILINE))


def test_a_new_file_has_every_secret_compose_requires_for_its_owner_only(tmp_path):
    env = tmp_path / ".env"
    write_env(env)
    written = values(env)
    assert "REDIS_PASSWORD" in REQUIRED
    assert {name: bool(re.fullmatch("[0-9a-f]{64}", written.get(name, ""))) for name in REQUIRED} == \
        dict.fromkeys(REQUIRED, True)
    assert stat.S_IMODE(env.stat().st_mode) == 0o600


def test_an_existing_file_keeps_its_values_and_gains_the_secrets_it_lacks(tmp_path):
    env = tmp_path / ".env"
    env.write_text("AUTH_SECRET_KEY=kept\nAUTH_DB_PASSWORD=kept-too")  # written before REDIS_PASSWORD existed
    write_env(env)
    written = values(env)
    assert (written["AUTH_SECRET_KEY"], written["AUTH_DB_PASSWORD"]) == ("kept", "kept-too")
    assert REQUIRED <= set(written)
    before = env.read_text()
    write_env(env)
    assert env.read_text() == before
