"""The gateway's ConfigMap is gateway/ itself (nginx.conf, templates, render.sh) and renders to a valid nginx.conf."""

import os
import shutil
import subprocess

import pytest

from k8slib import ROOT, containers, pod_spec

GATEWAY = ROOT / "gateway"


def source_files() -> dict[str, str]:
    """Every file render.sh reads, by its path relative to gateway/."""
    files = ["nginx.conf", "render.sh", *(str(p.relative_to(GATEWAY)) for p in (GATEWAY / "templates").rglob("*.template"))]
    return {name: (GATEWAY / name).read_text() for name in files}


def mounted_tree(overlay) -> dict[str, str]:
    """The files as the render init container sees them: ConfigMap keys mapped to paths by the volume."""
    workload = overlay.get("Deployment", "gateway")
    [volume] = [v for v in pod_spec(workload)["volumes"] if v["name"] == "files"]
    config_map = overlay.get("ConfigMap", volume["configMap"]["name"])
    return {item["path"]: config_map["data"][item["key"]] for item in volume["configMap"]["items"]}


def test_the_config_map_carries_every_gateway_file_unchanged(overlay):
    """A template added to gateway/ but not to gateway/kustomization.yaml and gateway.yaml fails here."""
    assert mounted_tree(overlay) == source_files()


def test_the_pod_renders_where_nginx_reads(overlay):
    workload = overlay.get("Deployment", "gateway")
    [render] = pod_spec(workload)["initContainers"]
    [nginx] = containers(workload, init=False)
    files_mount = {m["name"]: m["mountPath"] for m in render["volumeMounts"]}["files"]
    conf_dir = render["command"][-1]
    assert render["command"] == ["bash", f"{files_mount}/render.sh", conf_dir]
    nginx_mounts = {m["mountPath"]: m["name"] for m in nginx["volumeMounts"]}
    assert nginx_mounts[conf_dir] == "conf"
    argv = nginx["command"]
    prefix = argv[argv.index("-p") + 1]
    assert argv[argv.index("-c") + 1] == f"{conf_dir}/nginx.conf"
    assert prefix in nginx_mounts and f"{prefix}/tmp" in nginx_mounts, "pid file and temp paths need writable dirs"
    assert argv[argv.index("-g") + 1] == "daemon off;" and "stderr" in argv


@pytest.mark.skipif(not shutil.which("nginx"), reason="nginx is not installed (make test installs it)")
def test_the_mounted_files_render_to_a_config_nginx_accepts(overlay, tmp_path):
    source = tmp_path / "files"
    for path, text in mounted_tree(overlay).items():
        (source / path).parent.mkdir(parents=True, exist_ok=True)
        (source / path).write_text(text)
    env_from = overlay.config_map("gateway-config")["data"]
    conf = tmp_path / "conf"
    result = subprocess.run(["bash", str(source / "render.sh"), str(conf)], env={**os.environ, **env_from},
                            capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    upstreams = (conf / "conf.d" / "upstreams.conf").read_text()
    assert "server auth:8000 " in upstreams and "server customers:8000 " in upstreams
    # No cluster DNS here: point the Service names at loopback so `nginx -t` can resolve them.
    (conf / "conf.d" / "upstreams.conf").write_text(
        upstreams.replace("auth:8000", "127.0.0.1:8000").replace("customers:8000", "127.0.0.1:8000"))
    prefix = tmp_path / "prefix"
    (prefix / "tmp").mkdir(parents=True)
    check = subprocess.run(["nginx", "-e", "stderr", "-p", str(prefix), "-c", str(conf / "nginx.conf"), "-t"],
                           capture_output=True, text=True)
    assert check.returncode == 0, check.stderr
    rendered = "".join(path.read_text() for path in (conf / "conf.d").rglob("*.conf"))
    assert f"listen {env_from['GATEWAY_PORT']} default_server" in rendered
