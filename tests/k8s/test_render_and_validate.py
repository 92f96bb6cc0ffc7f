"""Every overlay renders with kustomize and validates strictly against several Kubernetes versions."""

import subprocess
import sys
from pathlib import Path

import pytest

from k8slib import K8S, KUBERNETES_VERSIONS, OVERLAYS, render

VALIDATE = Path(sys.executable).with_name("kubernetes-validate")


def validate(path: Path, version: str) -> subprocess.CompletedProcess:
    return subprocess.run([str(VALIDATE), "--strict", "--quiet", "-k", version, str(path)],
                          capture_output=True, text=True)


def test_every_overlay_is_found():
    assert {"dev", "prod"} <= set(OVERLAYS)


def test_the_base_renders_on_its_own():
    assert "kind: Deployment" in render(K8S / "base")


def test_overlay_renders(overlay):
    assert len(overlay.objects) > 20
    kinds = {obj["kind"] for obj in overlay.objects}
    assert {"Namespace", "Deployment", "Service", "ServiceAccount", "ConfigMap", "NetworkPolicy",
            "PodDisruptionBudget"} <= kinds
    [namespace] = overlay.of_kind("Namespace")
    in_namespace = {obj["metadata"].get("namespace") for obj in overlay.objects if obj["kind"] != "Namespace"}
    assert in_namespace == {namespace["metadata"]["name"]}
    assert namespace["metadata"]["labels"]["pod-security.kubernetes.io/enforce"] == "restricted"


@pytest.mark.parametrize("version", KUBERNETES_VERSIONS)
def test_overlay_is_valid_for_kubernetes(overlay, version):
    result = validate(overlay.path, version)
    assert result.returncode == 0, result.stdout + result.stderr
    print(f"{overlay.name}: {len(overlay.objects)} objects valid for Kubernetes {version} (--strict)")


def test_the_validator_rejects_an_unknown_field(tmp_path):
    """A control: strict validation really catches a misspelt field (here `replica`)."""
    bad = tmp_path / "bad.yaml"
    bad.write_text("apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: x}\nspec:\n  replica: 2\n"
                   "  selector: {matchLabels: {a: b}}\n  template:\n    metadata: {labels: {a: b}}\n"
                   "    spec: {containers: [{name: x, image: x:1}]}\n")
    assert validate(bad, KUBERNETES_VERSIONS[0]).returncode != 0
