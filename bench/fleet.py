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
CEILING_ROUTE = "/bench/ceiling/"  # the ceiling app's own prefix
AUTH_CEILING_ROUTE = "/bench/auth-ceiling/"  # the same app under auth's gunicorn settings (the gateway maps it back)
CEILING_PASSWORD_ROUTE = f"{AUTH_CEILING_ROUTE}password/"


def bench_config(root: Path, state_dir: Path, *, workers: int = 2, threads: int | None = None,
                 extra_env: dict[str, str] | None = None) -> FleetConfig:
    """Production settings and the gunicorn settings that ship; throttles raised by environment only.

    Ports sit between the test fleet's and the pagination bench's, shifted by DEVFLEET_PORT_OFFSET.
    """
    offset = test_port_offset()
    extra_env = extra_env or {}
    common = {"DJANGO_ALLOWED_HOSTS": "localhost,127.0.0.1", **{k: v for k, v in extra_env.items() if ":" not in k}}
    if threads is not None:
        common["GUNICORN_THREADS"] = str(threads)
    own = {service: {k.split(":", 1)[1]: v for k, v in extra_env.items() if k.startswith(f"{service}:")}
           for service in ("auth", "customers")}
    return FleetConfig(
        root=root, state_dir=state_dir,
        postgres_port=15436 + offset, redis_port=16383 + offset,
        auth_port=8021 + offset, customers_port=8022 + offset, customers_instances=1,
        gateway_port=8095 + offset, gateway_tls_port=8458 + offset,
        gateway_auth_rate="100000r/s", gateway_auth_burst=100000,
        workers=workers, django_env="production",
        service_env={"auth": {**AUTH_RATES, **common, **own["auth"]},
                     "customers": {**CUSTOMERS_RATES, **common, **own["customers"]}},
    )


# The ceiling app twice, under the gunicorn settings of each service, as a scenario is divided by the ceiling
# that runs like its own service: customers' (one request thread per worker) and auth's (four, and its
# hashing threads, for the login's ceiling). Name: (service, port after customers', gateway prefix).
CEILINGS = {"bench-ceiling": ("customers", 3, CEILING_ROUTE), "bench-ceiling-auth": ("auth", 4, AUTH_CEILING_ROUTE)}


def ceiling_port(config: FleetConfig, name: str = "bench-ceiling") -> int:
    return config.customers_port + CEILINGS[name][1]


def django_task(fleet: Fleet, service: str, *args: str | int | float) -> dict:
    """bench/django_tasks.py inside a service's Django, with the environment the fleet gives it."""
    config = fleet.config
    out = run_checked([str(config.venv_bin("python")), str(BENCH_DIR / "django_tasks.py"), *map(str, args)],
                      cwd=config.service_dir(service), env=fleet.env_for(service),
                      what=f"{service}: bench task {args[0]}")
    line = next(ln for ln in out.splitlines() if ln.startswith("BENCH-TASK "))
    return json.loads(line[len("BENCH-TASK "):])


def start_ceilings(fleet: Fleet, *, password_hash: str, hashing_threads: int) -> list[Child]:
    """bench/ceiling_app, twice, on customers' database, each under the gunicorn settings of the service it stands
    for (CEILINGS); the password check verifies `password_hash` (auth's own) on `hashing_threads` threads per
    process, as auth does."""
    config = fleet.config
    children = []
    for name, (service, _, _) in CEILINGS.items():
        env = fleet.env_for("customers")
        env.pop("GUNICORN_THREADS", None)
        if (threads := fleet.env_for(service).get("GUNICORN_THREADS")) is not None:
            env["GUNICORN_THREADS"] = threads
        metrics = config.metrics_dir(name)
        metrics.mkdir(parents=True, exist_ok=True)
        env.update({"DJANGO_SETTINGS_MODULE": "bench.ceiling_app.settings",
                    "GUNICORN_BIND": f"127.0.0.1:{ceiling_port(config, name)}",
                    "SERVICE_NAME": name, "PROMETHEUS_MULTIPROC_DIR": str(metrics),
                    "BENCH_PASSWORD_HASH": password_hash, "BENCH_HASHING_THREADS": str(hashing_threads)})
        child = Child(name, [str(config.venv_bin("gunicorn")), "-c", "python:fleet_common.gunicorn_conf",
                             "bench.ceiling_app.wsgi"],
                      cwd=config.root, env=env, log_path=config.log_path(name), run_dir=config.run_dir)
        child.start()
        fleet.children.insert(0, child)  # stopped with the fleet (after the gateway)
        children.append(child)
    return children


def wait_for(url: str, child: Child | None = None, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while not http_ok(url):
        if child is not None and child.exited() is not None:
            raise child.failure(f"exited with status {child.exited()}")
        if time.monotonic() > deadline:
            raise RuntimeError(f"{url} did not answer 200 within {timeout:.0f} s")
        time.sleep(0.2)


def route_ceilings(fleet: Fleet) -> None:
    """Add the ceilings to the running gateway: for each, a copy of customers' upstream block (same keepalive
    and max_conns) and one location, written into the rendered conf.d only, then a graceful reload."""
    config = fleet.config
    conf_d = config.gateway_dir / "conf.d"
    upstreams = (conf_d / "upstreams.conf").read_text()
    block = re.search(r"^upstream customers \{.*?^\}", upstreams, re.S | re.M)
    if block is None:
        raise RuntimeError(f"no `upstream customers` block in {conf_d / 'upstreams.conf'}")
    blocks, locations = [], []
    for name, (_, _, route) in CEILINGS.items():
        upstream = name.replace("-", "_")
        ceiling = re.sub(r"server \S+ ", f"server 127.0.0.1:{ceiling_port(config, name)} ", block.group(0))
        blocks.append(ceiling.replace("upstream customers", f"upstream {upstream}")
                      .replace("zone upstream_customers", f"zone upstream_{upstream}"))
        locations.append(f"location ^~ {route} {{\n    proxy_pass http://{upstream}{CEILING_ROUTE};\n}}\n")
    (conf_d / "bench-ceiling.conf").write_text("# Written by make bench only (bench/fleet.py).\n"
                                               + "\n".join(blocks) + "\n")
    (conf_d / "locations" / "bench-ceiling.conf").write_text("".join(locations))
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
