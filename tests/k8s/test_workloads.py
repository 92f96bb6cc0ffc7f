"""Every pod is locked down, probed, sized and stops gracefully; each overlay has what it promises."""

import re
import sys

import pytest

from k8slib import FLEET_APPS, ROOT, SERVICES, containers, labels, pod_spec

sys.path.insert(0, str(ROOT / "tools"))
from devfleet import Infra, test_config  # noqa: E402
from devfleet.infra import base_env  # noqa: E402

#: Settings env_for gives a service that the manifests may leave to a default, and why.
LEFT_TO_DEFAULT = {"GUNICORN_BIND": "gunicorn_conf's default 0.0.0.0:8000 is the container port"}


def app(workload) -> str:
    return labels(workload)["app.kubernetes.io/name"]


def config_values(overlay, workload, container) -> dict:
    values = {}
    for source in container.get("envFrom", []):
        if "configMapRef" in source:
            name = source["configMapRef"]["name"]
            values.update(overlay.get("ConfigMap", name).get("data", {}))
    values.update({e["name"]: e.get("value") for e in container.get("env", [])})
    return values


def sleep_seconds(command: list[str]) -> int:
    match = re.search(r"\bsleep (\d+)", " ".join(command))
    assert match, f"no sleep in preStop {command}"
    return int(match.group(1))


def test_every_pod_is_locked_down(overlay):
    for workload in overlay.workloads():
        name = workload["metadata"]["name"]
        spec = pod_spec(workload)
        assert spec["automountServiceAccountToken"] is False, name
        assert spec.get("serviceAccountName") == name, f"{name}: its own ServiceAccount"
        assert overlay.get("ServiceAccount", name)["automountServiceAccountToken"] is False
        pod_security = spec["securityContext"]
        assert pod_security["runAsNonRoot"] is True and pod_security["runAsUser"] > 0, name
        assert pod_security["seccompProfile"]["type"] == "RuntimeDefault", name
        for container in containers(workload):
            where = f"{name}/{container['name']}"
            security = container["securityContext"]
            assert security["readOnlyRootFilesystem"] is True, where
            assert security["allowPrivilegeEscalation"] is False, where
            assert security["capabilities"]["drop"] == ["ALL"] and "add" not in security["capabilities"], where
            assert security["seccompProfile"]["type"] == "RuntimeDefault", where
            assert security.get("privileged") is not True, where
            for bound in ("requests", "limits"):
                assert {"cpu", "memory"} <= set(container["resources"][bound]), f"{where}: {bound}"


def test_every_long_running_container_is_probed_and_stops_gracefully(overlay):
    for workload in overlay.workloads():
        for container in containers(workload, init=False):
            where = f"{workload['metadata']['name']}/{container['name']}"
            assert "livenessProbe" in container and "readinessProbe" in container, where
            pre_stop = container["lifecycle"]["preStop"]["exec"]["command"]
            assert sleep_seconds(pre_stop) >= 5, where
            assert pod_spec(workload)["terminationGracePeriodSeconds"] > sleep_seconds(pre_stop), where


@pytest.mark.parametrize("service", SERVICES)
def test_service_probes_and_shutdown_fit_gunicorn(overlay, service):
    """liveness /healthz, readiness /readyz; grace > preStop sleep + gunicorn's graceful timeout."""
    workload = overlay.get("Deployment", service)
    [container] = containers(workload, init=False)
    assert container["livenessProbe"]["httpGet"]["path"] == "/healthz"
    assert container["readinessProbe"]["httpGet"]["path"] == "/readyz"
    for probe in ("livenessProbe", "readinessProbe", "startupProbe"):
        headers = {h["name"]: h["value"] for h in container[probe]["httpGet"].get("httpHeaders", [])}
        allowed = config_values(overlay, workload, container)["DJANGO_ALLOWED_HOSTS"].split(",")
        assert headers.get("Host") in allowed, f"{probe}: Django would answer 400 to the kubelet's Host"
    settings = config_values(overlay, workload, container)
    pre_stop = sleep_seconds(container["lifecycle"]["preStop"]["exec"]["command"])
    graceful = int(settings["GUNICORN_GRACEFUL_TIMEOUT"])
    assert pod_spec(workload)["terminationGracePeriodSeconds"] >= pre_stop + graceful + 5
    assert container["command"] == ["gunicorn", "-c", "python:fleet_common.gunicorn_conf", "config.wsgi"]
    # Timeouts nest: gunicorn's timeout < the gateway's proxy_read_timeout; gunicorn's keep-alive
    # outlives the gateway's upstream keep-alive.
    templates = ROOT / "gateway" / "templates"
    read_timeout = int(re.search(r"proxy_read_timeout (\d+)s", (templates / "gateway.conf.template").read_text())[1])
    upstream_keepalive = int(re.search(r"keepalive_timeout (\d+)s", (templates / "upstreams.conf.template").read_text())[1])
    assert int(settings["GUNICORN_TIMEOUT"]) < read_timeout
    assert int(settings["GUNICORN_KEEPALIVE"]) > upstream_keepalive


def test_gateway_probes_and_shutdown_fit_nginx(overlay):
    workload = overlay.get("Deployment", "gateway")
    [container] = containers(workload, init=False)
    assert container["livenessProbe"]["httpGet"]["path"] == "/healthz"
    assert container["readinessProbe"]["httpGet"]["path"] == "/healthz"
    pre_stop = container["lifecycle"]["preStop"]["exec"]["command"]
    assert "kill -QUIT 1" in pre_stop[-1], "nginx stops gracefully on SIGQUIT only (SIGTERM drops requests)"
    shutdown = int(re.search(r"worker_shutdown_timeout (\d+)s", (ROOT / "gateway" / "nginx.conf").read_text())[1])
    assert pod_spec(workload)["terminationGracePeriodSeconds"] >= sleep_seconds(pre_stop) + shutdown + 5


def test_deployments_roll_without_losing_capacity(overlay):
    for workload in overlay.of_kind("Deployment"):
        strategy = workload["spec"]["strategy"]
        assert strategy["type"] == "RollingUpdate"
        assert strategy["rollingUpdate"]["maxUnavailable"] == 0, workload["metadata"]["name"]


@pytest.mark.parametrize("service", SERVICES)
def test_migrations_run_under_the_lock_before_serving(overlay, service):
    workload = overlay.get("Deployment", service)
    [init] = pod_spec(workload)["initContainers"]
    [main] = containers(workload, init=False)
    assert init["command"][:3] == ["python", "manage.py", "migrate_locked"]
    assert init["image"] == main["image"] and init["envFrom"] == main["envFrom"]


@pytest.mark.parametrize("service", SERVICES)
def test_every_setting_devfleet_gives_a_service_is_set(overlay, secrets, service, tmp_path):
    """tools/devfleet/infra.py env_for is the definitive list of a service's settings."""
    config = test_config(ROOT, tmp_path)
    config.service_env = {}  # test-only overrides (raised rate limits) are not settings a deployment needs
    needed = set(Infra(config).env_for(service)) - set(base_env())
    workload = overlay.get("Deployment", service)
    [container] = containers(workload, init=False)
    provided = set(config_values(overlay, workload, container))
    for source in container["envFrom"]:
        if "secretRef" in source:
            [secret] = [s for s in secrets[overlay.name] if s["metadata"]["name"] == source["secretRef"]["name"]]
            provided |= set(secret["data"])
    assert needed - provided - set(LEFT_TO_DEFAULT) == set()
    assert {"DJANGO_SECRET_KEY", "DATABASE_URL"} & set(config_values(overlay, workload, container)) == set(), \
        "secrets belong in a Secret, not a ConfigMap"


def test_paths_in_settings_are_mounted_and_writable_where_needed(overlay):
    for service in SERVICES:
        workload = overlay.get("Deployment", service)
        [container] = containers(workload, init=False)
        settings = config_values(overlay, workload, container)
        mounts = {m["mountPath"]: m for m in container["volumeMounts"]}
        volumes = {v["name"]: v for v in pod_spec(workload)["volumes"]}

        def volume_at(path):
            mount = mounts.get(path)
            assert mount, f"{service}: nothing mounted at {path}"
            return volumes[mount["name"]]

        assert "emptyDir" in volume_at("/tmp")
        assert settings["GUNICORN_WORKER_TMP_DIR"] == "/dev/shm"  # a tmpfs in every container
        assert "emptyDir" in volume_at(settings["PROMETHEUS_MULTIPROC_DIR"])
        if service == "auth":
            keys = volume_at(settings["AUTH_SIGNING_KEYS_DIR"])
            assert keys["secret"]["secretName"] == "auth-signing-keys"
        else:
            assert "emptyDir" in volume_at(settings["JWKS_CACHE_PATH"].rsplit("/", 1)[0])
            assert settings["AUTH_JWKS_URL"] == "http://auth:8000/.well-known/jwks.json"


def test_budgets_for_every_fleet_app(overlay):
    for name in FLEET_APPS:
        budget = overlay.get("PodDisruptionBudget", name)
        assert budget["spec"]["selector"]["matchLabels"] == {"app.kubernetes.io/name": name}
        assert budget["spec"].get("maxUnavailable") == 1 or budget["spec"].get("minAvailable")


def test_dev_runs_one_of_each_with_in_cluster_databases(rendered):
    dev = rendered["dev"]
    for workload in dev.of_kind("Deployment"):
        assert workload["spec"]["replicas"] == 1, workload["metadata"]["name"]
    assert dev.of_kind("HorizontalPodAutoscaler") == []
    for service in SERVICES:
        database = dev.get("StatefulSet", f"{service}-postgres")
        [claim] = database["spec"]["volumeClaimTemplates"]
        assert claim["spec"]["resources"]["requests"]["storage"]
        [postgres] = containers(database)
        env = {e["name"]: e["value"] for e in postgres["env"]}
        assert env["POSTGRES_USER"] == env["POSTGRES_DB"] == service
        assert env["POSTGRES_PASSWORD_FILE"].startswith("/etc/postgres/secret/")
        assert pod_spec(database)["securityContext"]["fsGroup"] == 999


def test_prod_autoscales_at_least_two_of_each_on_external_databases(rendered):
    prod = rendered["prod"]
    assert prod.of_kind("StatefulSet") == []
    for name in FLEET_APPS:
        scaler = prod.get("HorizontalPodAutoscaler", name)
        assert scaler["apiVersion"] == "autoscaling/v2"
        assert scaler["spec"]["scaleTargetRef"] == {"apiVersion": "apps/v1", "kind": "Deployment", "name": name}
        assert scaler["spec"]["minReplicas"] >= 2 and scaler["spec"]["maxReplicas"] > scaler["spec"]["minReplicas"]
        [metric] = scaler["spec"]["metrics"]
        assert metric["resource"]["name"] == "cpu"
        assert "replicas" not in prod.get("Deployment", name)["spec"], "the HPA owns the replica count"


def test_images_are_named_once_per_overlay(overlay):
    for workload in overlay.workloads():
        for container in containers(workload):
            image = container["image"]
            assert re.search(r":[\w.-]+$|@sha256:", image.rsplit("/", 1)[-1]), f"{image}: no tag"
            assert not image.endswith(":latest")
    if overlay.name == "prod":
        images = {c["image"] for w in overlay.workloads() for c in containers(w)}
        assert all(i.startswith("registry.example.com/fleet/") for i in images if "fleet/" in i)
