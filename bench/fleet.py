"""The fleet under test: devfleet's own, in production mode, plus ceiling B and its route in the gateway."""

from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import time
import urllib.request
from pathlib import Path

from devfleet import Fleet, FleetConfig
from devfleet.config import test_port_offset
from devfleet.processes import Child, http_ok, run_checked

BENCH_DIR = Path(__file__).resolve().parent
UNLIMITED = "100000000/min"  # the bench measures work, not limits
AUTH_RATES = {f"THROTTLE_RATE_{scope}": UNLIMITED
              for scope in ("ANON", "USER", "LOGIN", "REGISTER", "TOKEN_REFRESH", "OAUTH_TOKEN")}
CUSTOMERS_RATES = {f"THROTTLE_RATE_{scope}": UNLIMITED for scope in ("ANON", "USER", "CUSTOMERS_WRITE")}
CEILING_ROUTE = "/bench/ceiling/"
CEILING_PASSWORD_ROUTE = f"{CEILING_ROUTE}password/"


def bench_config(root: Path, state_dir: Path, *, workers: int = 2, threads: int | None = None,
                 extra_env: dict[str, str] | None = None) -> FleetConfig:
    """Production settings and the gunicorn settings that ship; throttles raised by environment only.

    Ports sit between the test fleet's and the pagination bench's, shifted by DEVFLEET_PORT_OFFSET.
    """
    offset = test_port_offset()
    common = {"DJANGO_ALLOWED_HOSTS": "localhost,127.0.0.1", **(extra_env or {})}
    if threads is not None:
        common["GUNICORN_THREADS"] = str(threads)
    return FleetConfig(
        root=root, state_dir=state_dir,
        postgres_port=55436 + offset, redis_port=56383 + offset,
        auth_port=8021 + offset, customers_port=8022 + offset, customers_instances=1,
        gateway_port=8095 + offset, gateway_tls_port=8458 + offset,
        gateway_auth_rate="100000r/s", gateway_auth_burst=100000,
        workers=workers, django_env="production",
        service_env={"auth": {**AUTH_RATES, **common}, "customers": {**CUSTOMERS_RATES, **common}},
    )


def ceiling_port(config: FleetConfig) -> int:
    return config.customers_port + 3


def django_task(fleet: Fleet, service: str, *args: str | int | float) -> dict:
    """bench/django_tasks.py inside a service's Django, with the environment the fleet gives it."""
    config = fleet.config
    out = run_checked([str(config.venv_bin("python")), str(BENCH_DIR / "django_tasks.py"), *map(str, args)],
                      cwd=config.service_dir(service), env=fleet.env_for(service),
                      what=f"{service}: bench task {args[0]}")
    line = next(ln for ln in out.splitlines() if ln.startswith("BENCH-TASK "))
    return json.loads(line[len("BENCH-TASK "):])


def start_ceiling(fleet: Fleet, *, password_hash: str, hashing_threads: int) -> Child:
    """bench/ceiling_app under the shipped gunicorn settings, on customers' database; its password check
    verifies `password_hash` (auth's own) on `hashing_threads` threads per process, as auth does."""
    config = fleet.config
    port = ceiling_port(config)
    env = fleet.env_for("customers")
    metrics = config.metrics_dir("bench-ceiling")
    metrics.mkdir(parents=True, exist_ok=True)
    env.update({"DJANGO_SETTINGS_MODULE": "bench.ceiling_app.settings", "GUNICORN_BIND": f"127.0.0.1:{port}",
                "SERVICE_NAME": "bench-ceiling", "PROMETHEUS_MULTIPROC_DIR": str(metrics),
                "BENCH_PASSWORD_HASH": password_hash, "BENCH_HASHING_THREADS": str(hashing_threads)})
    child = Child("bench-ceiling", [str(config.venv_bin("gunicorn")), "-c", "python:fleet_common.gunicorn_conf",
                                    "bench.ceiling_app.wsgi"],
                  cwd=config.root, env=env, log_path=config.log_path("bench-ceiling"), run_dir=config.run_dir)
    child.start()
    fleet.children.insert(0, child)  # stopped with the fleet (after the gateway)
    return child


def wait_for(url: str, child: Child | None = None, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while not http_ok(url):
        if child is not None and child.exited() is not None:
            raise child.failure(f"exited with status {child.exited()}")
        if time.monotonic() > deadline:
            raise RuntimeError(f"{url} did not answer 200 within {timeout:.0f} s")
        time.sleep(0.2)


def route_ceiling(fleet: Fleet) -> None:
    """Add ceiling B to the running gateway: a copy of customers' upstream block (same keepalive and
    max_conns) and one location, written into the rendered conf.d only, then a graceful reload."""
    config = fleet.config
    conf_d = config.gateway_dir / "conf.d"
    upstreams = (conf_d / "upstreams.conf").read_text()
    block = re.search(r"^upstream customers \{.*?^\}", upstreams, re.S | re.M)
    if block is None:
        raise RuntimeError(f"no `upstream customers` block in {conf_d / 'upstreams.conf'}")
    ceiling = re.sub(r"server \S+ ", f"server 127.0.0.1:{ceiling_port(config)} ", block.group(0))
    ceiling = ceiling.replace("upstream customers", "upstream bench_ceiling") \
                     .replace("zone upstream_customers", "zone upstream_bench_ceiling")
    (conf_d / "bench-ceiling.conf").write_text("# Written by make bench only (bench/fleet.py).\n" + ceiling + "\n")
    (conf_d / "locations" / "bench-ceiling.conf").write_text(
        f"location ^~ {CEILING_ROUTE} {{\n    proxy_pass http://bench_ceiling;\n}}\n")
    gateway = fleet.child("gateway")
    nginx = fleet._nginx or "nginx"
    run_checked(fleet._nginx_argv(nginx, config.gateway_dir, "-t"), cwd=config.gateway_dir, what="bench: nginx -t")
    os.kill(gateway.pid, signal.SIGHUP)


def post_json(url: str, body: dict) -> dict:
    request = urllib.request.Request(url, data=json.dumps(body).encode(), method="POST",
                                     headers={"Content-Type": "application/json"})
    opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
    with opener.open(request, timeout=10) as response:
        return json.load(response)


def get_text(url: str) -> str:
    opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
    with opener.open(url, timeout=10) as response:
        return response.read().decode()


def postmaster_pid(config: FleetConfig) -> int | None:
    try:
        return int((config.postgres_data / "postmaster.pid").read_text().split()[0])
    except (OSError, ValueError, IndexError):
        return None


def git_revision(root: Path) -> str:
    try:
        return subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=root, capture_output=True,
                              text=True, timeout=10).stdout.strip()
    except OSError:
        return "?"
