"""`make schema`: write the OpenAPI document of every version of every service into docs/openapi/,
and the API reference the gateway serves into gateway/docs/.

Generation needs no database or network: each service's `manage.py spectacular` runs with
placeholder settings that are never connected to. The contract tests call `generate()` and
`build_site()` into a temporary folder and compare, so a committed document, schema copy or
Swagger UI file that is out of date fails `make test`.

gateway/docs/ (served at /docs/ and /schemas/, see gateway/templates/locations/docs.conf.template):
  reference/index.html, reference.js, reference.css   the page, written by hand
  reference/swagger-ui/                               Swagger UI, copied from drf-spectacular-sidecar
  schemas/{service}/{version}.json                    docs/openapi/*.yaml as JSON
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import yaml

REPO_ROOT = Path(__file__).resolve().parents[1]
SERVICES = ("auth", "customers")
VERSIONS = ("v1", "v2")
OUTPUT_DIR = REPO_ROOT / "docs" / "openapi"
#: The first committed v1 documents: v1 may grow, never break (tests/contract).
FROZEN_DIR = OUTPUT_DIR / "frozen"

#: The static API reference: the gateway serves reference/ at /docs/ and schemas/ at /schemas/.
SITE_DIR = REPO_ROOT / "gateway" / "docs"
#: Generated into SITE_DIR (the rest of it is written by hand).
GENERATED_SITE_DIRS = ("reference/swagger-ui", "schemas")
#: What the page needs of Swagger UI, and its licence (Apache 2.0).
SWAGGER_UI_FILES = ("swagger-ui-bundle.js", "swagger-ui.css", "favicon-32x32.png", "LICENSE")

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


def swagger_ui_dir() -> Path:
    """Swagger UI as drf-spectacular-sidecar ships it (requirements-dev.txt pins the version)."""
    import drf_spectacular_sidecar  # noqa: PLC0415 - a dev dependency, needed here only

    return Path(drf_spectacular_sidecar.__file__).parent / "static" / "drf_spectacular_sidecar" / "swagger-ui-dist"


def build_site(documents_dir: Path, site_dir: Path) -> list[Path]:
    """The generated part of the reference into `site_dir`: Swagger UI and every document as JSON.

    Each generated folder is replaced whole, so nothing stale remains in it.
    """
    for name in GENERATED_SITE_DIRS:
        shutil.rmtree(site_dir / name, ignore_errors=True)
    written = []
    ui_dir = site_dir / "reference" / "swagger-ui"
    ui_dir.mkdir(parents=True)
    for name in SWAGGER_UI_FILES:
        written.append(Path(shutil.copyfile(swagger_ui_dir() / name, ui_dir / name)))
    for service in SERVICES:
        for version in VERSIONS:
            document = yaml.safe_load((documents_dir / document_name(service, version)).read_text())
            path = site_dir / "schemas" / service / f"{version}.json"
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(json.dumps(document, indent=2, ensure_ascii=False) + "\n")
            written.append(path)
    return written


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--output", type=Path, default=OUTPUT_DIR)
    parser.add_argument("--site", type=Path, default=SITE_DIR)
    args = parser.parse_args(argv)
    for path in [*generate(args.output), *build_site(args.output, args.site)]:
        print(f"wrote {path.relative_to(REPO_ROOT) if path.is_relative_to(REPO_ROOT) else path}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
