"""Helpers for the manifest tests: render an overlay, walk its objects and pod templates."""

from __future__ import annotations

import os
import shutil
import subprocess
from dataclasses import dataclass, field
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[2]
K8S = ROOT / "k8s"
OVERLAYS = sorted(path.name for path in (K8S / "overlays").iterdir() if (path / "kustomization.yaml").exists())
SERVICES = ("auth", "customers")
FLEET_APPS = ("auth", "customers", "gateway")  # scaled, budgeted and autoscaled
WORKLOAD_KINDS = ("Deployment", "StatefulSet", "DaemonSet", "Job", "CronJob")
#: The lowest and highest Kubernetes versions kubernetes-validate bundles, and kubectl's own.
KUBERNETES_VERSIONS = ("1.25.0", "1.32.0", "1.37.0")


def kubectl() -> str:
    path = shutil.which("kubectl")
    if not path:
        raise RuntimeError(
            "kubectl is not installed: these tests render the overlays with `kubectl kustomize` (kubectl 1.27+). "
            "Install it from the Kubernetes apt repository (https://kubernetes.io/docs/tasks/tools/) "
            "or put a kubectl binary on PATH.")
    return path


def render(target: Path) -> str:
    result = subprocess.run([kubectl(), "kustomize", str(target)], capture_output=True, text=True)
    if result.returncode != 0:
        raise AssertionError(f"kubectl kustomize {target} failed:\n{result.stderr}")
    return result.stdout


@dataclass
class Rendered:
    name: str
    text: str
    path: Path
    objects: list[dict] = field(default_factory=list)

    def of_kind(self, kind: str) -> list[dict]:
        return [obj for obj in self.objects if obj["kind"] == kind]

    def get(self, kind: str, name: str) -> dict:
        matches = [obj for obj in self.of_kind(kind) if obj["metadata"]["name"] == name]
        assert matches, f"{self.name}: no {kind} {name}"
        return matches[0]

    def config_map(self, prefix: str) -> dict:
        """A generated ConfigMap by its base name (kustomize appends a content hash)."""
        matches = [obj for obj in self.of_kind("ConfigMap") if obj["metadata"]["name"].rsplit("-", 1)[0] == prefix]
        assert len(matches) == 1, f"{self.name}: expected one ConfigMap {prefix}-<hash>, found {len(matches)}"
        return matches[0]

    def workloads(self) -> list[dict]:
        return [obj for obj in self.objects if obj["kind"] in WORKLOAD_KINDS]


def load(name: str, text: str, path: Path) -> Rendered:
    return Rendered(name, text, path, [obj for obj in yaml.safe_load_all(text) if obj])


def pod_spec(workload: dict) -> dict:
    return workload["spec"]["template"]["spec"]


def containers(workload: dict, *, init: bool = True) -> list[dict]:
    spec = pod_spec(workload)
    return list(spec["containers"]) + (list(spec.get("initContainers", [])) if init else [])


def labels(workload: dict) -> dict:
    return workload["spec"]["template"]["metadata"]["labels"]


#: Placeholder URLs for the prod Secrets in tests (the script insists on them).
PROD_DATABASE_URLS = {
    "AUTH_DATABASE_URL": "postgres://auth:secret@auth-db.example.com:5432/auth",
    "CUSTOMERS_DATABASE_URL": "postgres://customers:secret@customers-db.example.com:5432/customers",
}


def create_secrets(*args: str, env: dict | None = None) -> subprocess.CompletedProcess:
    return subprocess.run(["bash", str(ROOT / "k8s" / "create-secrets.sh"), *args], capture_output=True,
                          text=True, env={**os.environ, **(env or {})})
