"""`make schema`: write the OpenAPI document of every version of every service into docs/openapi/.

Generation needs no database or network: each service's `manage.py spectacular` runs with
placeholder settings that are never connected to. The contract tests call `generate()` into a
temporary folder and compare, so a committed document that is out of date fails `make test`.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[1]
SERVICES = ("auth", "customers")
VERSIONS = ("v1", "v2")
OUTPUT_DIR = REPO_ROOT / "docs" / "openapi"
#: The first committed v1 documents: v1 may grow, never break (tests/contract).
FROZEN_DIR = OUTPUT_DIR / "frozen"

#: Placeholders only: spectacular imports settings but opens no connection.
PLACEHOLDER_ENV = {
    "DJANGO_ENV": "test",
    "DJANGO_SETTINGS_MODULE": "config.settings",
    "DATABASE_URL": "postgres://schema:schema@127.0.0.1:9/schema",
    "REDIS_URL": "redis://127.0.0.1:9/0",
    "AUTH_JWKS_URL": "http://127.0.0.1:9/.well-known/jwks.json",
    "PYTHONDONTWRITEBYTECODE": "1",
}


def document_name(service: str, version: str) -> str:
    return f"{service}-{version}.yaml"


def _env(keys_dir: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items()
           if not k.startswith("PG") and k not in ("DJANGO_SETTINGS_MODULE", "DATABASE_URL")}
    env.update(PLACEHOLDER_ENV)
    env["AUTH_SIGNING_KEYS_DIR"] = keys_dir
    return env


def generate(output_dir: Path, *, python: str = sys.executable) -> list[Path]:
    """Every service and version into `output_dir`; raises with the command's output on any warning."""
    output_dir.mkdir(parents=True, exist_ok=True)
    written = []
    with tempfile.TemporaryDirectory() as keys_dir:
        env = _env(keys_dir)
        for service in SERVICES:
            for version in VERSIONS:
                path = output_dir / document_name(service, version)
                argv = [python, "manage.py", "spectacular", "--api-version", version, "--fail-on-warn",
                        "--validate", "--file", str(path)]
                result = subprocess.run(argv, cwd=REPO_ROOT / "services" / service, env=env, text=True,
                                        stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
                if result.returncode != 0:
                    raise RuntimeError(f"{service} {version}: {' '.join(argv)} failed:\n{result.stdout}")
                written.append(path)
    return written


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--output", type=Path, default=OUTPUT_DIR)
    args = parser.parse_args(argv)
    for path in generate(args.output):
        print(f"wrote {path.relative_to(REPO_ROOT) if path.is_relative_to(REPO_ROOT) else path}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
