"""k8s/create-secrets.sh: the Secrets every overlay refers to, valid, random, with a key auth accepts."""

import base64
import json
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest
import yaml

from k8slib import KUBERNETES_VERSIONS, OVERLAYS, PROD_DATABASE_URLS, ROOT, containers, create_secrets, pod_spec

sys.path.insert(0, str(ROOT / "services" / "auth"))
from tokens.keyring import load_key  # noqa: E402 - auth's own parser: the key must be one auth can use


def referenced_secrets(overlay) -> set[str]:
    names = set()
    for workload in overlay.workloads():
        for container in containers(workload):
            names |= {s["secretRef"]["name"] for s in container.get("envFrom", []) if "secretRef" in s}
            names |= {e["valueFrom"]["secretKeyRef"]["name"] for e in container.get("env", [])
                      if "secretKeyRef" in e.get("valueFrom", {})}
        names |= {v["secret"]["secretName"] for v in pod_spec(workload).get("volumes", []) if "secret" in v}
    return names


def test_the_script_makes_exactly_the_secrets_the_overlay_uses(overlay, secrets):
    made = {s["metadata"]["name"] for s in secrets[overlay.name]}
    assert made == referenced_secrets(overlay)
    [namespace] = overlay.of_kind("Namespace")
    assert {s["metadata"]["namespace"] for s in secrets[overlay.name]} == {namespace["metadata"]["name"]}


def test_no_secret_is_committed(rendered):
    for overlay in rendered.values():
        assert overlay.of_kind("Secret") == []
    tracked = subprocess.run(["git", "ls-files", "k8s", "gateway"], cwd=ROOT, capture_output=True, text=True).stdout
    for path in tracked.split():
        text = (ROOT / path).read_text(errors="replace")
        assert "PRIVATE KEY-----" not in text, path


@pytest.mark.parametrize("version", [KUBERNETES_VERSIONS[0], KUBERNETES_VERSIONS[-1]])
def test_the_secrets_are_valid_objects(secrets, tmp_path, version):
    validate = Path(sys.executable).with_name("kubernetes-validate")
    for overlay in OVERLAYS:
        path = tmp_path / f"{overlay}.yaml"
        path.write_text(create_secrets(overlay, env=PROD_DATABASE_URLS).stdout)
        result = subprocess.run([str(validate), "--strict", "--quiet", "-k", version, str(path)],
                                capture_output=True, text=True)
        assert result.returncode == 0, result.stdout + result.stderr


def decoded(secret: dict) -> dict[str, str]:
    return {key: base64.b64decode(value).decode() for key, value in secret["data"].items()}


def by_name(objects: list[dict]) -> dict[str, dict]:
    return {s["metadata"]["name"]: s for s in objects}


def test_dev_database_urls_carry_the_postgres_passwords(secrets):
    dev = by_name(secrets["dev"])
    for service in ("auth", "customers"):
        password = decoded(dev[f"{service}-postgres"])["POSTGRES_PASSWORD"]
        assert len(password) >= 32
        url = decoded(dev[f"{service}-secrets"])["DATABASE_URL"]
        assert url == f"postgres://{service}:{password}@{service}-postgres:5432/{service}"


@pytest.mark.parametrize("overlay_name", OVERLAYS)
def test_redis_asks_for_a_password_and_each_service_sends_it_for_its_own_database(secrets, overlay_name):
    made = by_name(secrets[overlay_name])
    password = decoded(made["redis-auth"])["REDISCLI_AUTH"]
    assert len(password) >= 32
    for service, database in (("auth", 0), ("customers", 1)):
        assert decoded(made[f"{service}-secrets"])["REDIS_URL"] == f"redis://:{password}@redis:6379/{database}"


def test_prod_takes_the_external_urls_and_refuses_without_them(secrets):
    prod = by_name(secrets["prod"])
    assert decoded(prod["auth-secrets"])["DATABASE_URL"] == PROD_DATABASE_URLS["AUTH_DATABASE_URL"]
    assert decoded(prod["customers-secrets"])["DATABASE_URL"] == PROD_DATABASE_URLS["CUSTOMERS_DATABASE_URL"]
    missing = create_secrets("prod", env={"AUTH_DATABASE_URL": "", "CUSTOMERS_DATABASE_URL": ""})
    assert missing.returncode != 0 and "AUTH_DATABASE_URL" in missing.stderr and missing.stdout == ""
    bad = create_secrets("prod", env={**PROD_DATABASE_URLS, "AUTH_DATABASE_URL": "mysql://x"})
    assert bad.returncode != 0 and "postgres://" in bad.stderr


def test_every_run_is_random(secrets):
    again = by_name([s for s in yaml.safe_load_all(create_secrets("dev").stdout) if s])
    first = by_name(secrets["dev"])
    for name in ("auth-secrets", "customers-secrets", "auth-postgres", "redis-auth"):
        assert decoded(again[name]) != decoded(first[name])
    assert decoded(first["auth-secrets"])["DJANGO_SECRET_KEY"] != decoded(first["customers-secrets"])["DJANGO_SECRET_KEY"]


def assert_auth_accepts(name: str, pem: str) -> None:
    with tempfile.TemporaryDirectory() as directory:
        path = Path(directory) / name
        path.write_text(pem)
        key = load_key(path)
    assert key.algorithm == "RS256" and key.kid


def test_the_signing_key_is_one_auth_loads(secrets):
    [(name, pem)] = decoded(by_name(secrets["dev"])["auth-signing-keys"]).items()
    assert_auth_accepts(name, pem)


def test_the_rotation_patch_adds_one_new_key():
    result = create_secrets("signing-key-patch")
    assert result.returncode == 0, result.stderr
    [(name, value)] = json.loads(result.stdout)["data"].items()
    assert_auth_accepts(name, base64.b64decode(value).decode())
