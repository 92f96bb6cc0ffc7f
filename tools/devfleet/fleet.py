"""The whole fleet as local processes: Infra, both services under gunicorn, and the nginx gateway."""

from __future__ import annotations

import os
import shutil
import signal
import stat
import time
from pathlib import Path

from .config import SERVICES, FleetConfig, Instance
from .errors import FleetError
from .infra import Infra, base_env
from .processes import Child, child_pids, find_binary, http_ok, make_dirs, run_checked, say
from .tls import self_signed_pair


def warn_if_unreadable_by_workers(path: Path) -> None:
    """Started as root, nginx serves files as `nobody`, which needs o+x on every parent of `path`."""
    if os.geteuid() != 0 or not path.exists():
        return
    for parent in [*reversed(path.parents)]:
        if not parent.stat().st_mode & stat.S_IXOTH:
            say(f"warning: /docs/ will answer 403: nginx's workers run as nobody and cannot enter {parent} "
                f"(chmod o+x {parent}, or use a checkout outside it)")
            return


class Fleet:
    """start() brings everything up in order and waits until it answers; stop() undoes exactly that."""

    def __init__(self, config: FleetConfig) -> None:
        self.config = config
        self.infra = Infra(config)
        self.children: list[Child] = []  # service instances and gateways, in start order
        self._ready_url: dict[str, tuple[str, Path | None]] = {}  # child name -> (URL answering 200, CA file)
        self._nginx: str | None = None
        self._gateways: dict[str, dict] = {}  # gateway name -> start_gateway's arguments, to re-render it

    def __enter__(self) -> "Fleet":
        self.start()
        return self

    def __exit__(self, *exc_info) -> None:
        self.stop()

    def acquire_lock(self) -> None:
        self.infra.acquire_lock()

    def env_for(self, service: str) -> dict[str, str]:
        return self.infra.env_for(service)

    def urls(self) -> dict[str, str]:
        config = self.config
        urls = {"gateway": config.public_url}
        if config.gateway_tls:
            urls["gateway"] += f" (CA: {config.tls_dir / 'cert.pem'}; http://127.0.0.1:{config.gateway_port} redirects)"
        for instance in self.instances():
            urls[instance.name] = f"http://127.0.0.1:{instance.port} (internal; /metrics)"
        urls.update({
            "postgres": f"postgres://127.0.0.1:{config.postgres_port} (databases: {', '.join(SERVICES)})",
            "redis": f"redis://127.0.0.1:{config.redis_port}",
            "logs": str(config.logs_dir),
        })
        return urls

    def instances(self) -> list[Instance]:
        return [instance for service in SERVICES for instance in self.config.instances(service)]

    def log_paths(self) -> dict[str, Path]:
        names = ("postgres", "redis", *(instance.name for instance in self.instances()), "gateway")
        return {name: self.config.log_path(name) for name in names}

    def start(self) -> None:
        if self.children:
            return
        config = self.config
        python, self._nginx = self._preflight()
        self.infra.start(extra_ports={**config.service_ports(), **config.gateway_ports()})
        try:
            for service in SERVICES:
                self._prepare_service(service, python)
            for instance in self.instances():
                self.start_instance(instance.name, wait=False)
            tls_pair = self_signed_pair(config.tls_dir) if config.gateway_tls else None
            self.start_gateway("gateway", directory=config.gateway_dir, port=config.gateway_port,
                               tls_port=config.gateway_tls_port, tls_pair=tls_pair, wait=False)
            self._wait_ready([child.name for child in self.children])
        except BaseException:
            self.stop()
            raise

    def _preflight(self) -> tuple[Path, str]:
        """Everything we will run exists, checked before anything starts."""
        config = self.config
        needed = [config.venv_bin("python"), config.venv_bin("gunicorn"), config.root / "gateway" / "render.sh",
                  *(config.service_dir(s) / "manage.py" for s in SERVICES)]
        missing = [str(path) for path in needed if not path.exists()]
        if missing:
            raise FleetError("missing: " + ", ".join(missing)
                             + " (is the virtualenv installed from requirements-dev.txt, and are the services there?)")
        nginx = find_binary("nginx")
        if not nginx:
            raise FleetError("nginx is not installed (Debian: apt-get install -y nginx)")
        return config.venv_bin("python"), nginx

    def _prepare_service(self, service: str, python: Path) -> None:
        """Migrations (and auth's first signing key) before any worker serves a request."""
        cwd = self.config.service_dir(service)
        env = self.env_for(service)
        run_checked([str(python), "manage.py", "migrate", "--noinput"], cwd=cwd, env=env,
                    what=f"{service}: manage.py migrate")
        say(f"{service}: migrated")
        if service == "auth":
            run_checked([str(python), "manage.py", "signing_key", "create", "--if-missing"], cwd=cwd, env=env,
                        what="auth: manage.py signing_key create --if-missing")

    def child(self, name: str) -> Child | None:
        return next((child for child in self.children if child.name == name), None)

    def instance_env(self, instance: Instance) -> dict[str, str]:
        """env_for(service) plus what belongs to this one gunicorn: its port and its metrics directory."""
        env = self.env_for(instance.service)
        env["GUNICORN_BIND"] = f"127.0.0.1:{instance.port}"
        env["PROMETHEUS_MULTIPROC_DIR"] = str(self.config.metrics_dir(instance.name))
        return env

    def start_instance(self, name: str, *, wait: bool = True) -> Child:
        """Start one service instance (e.g. `customers-2`), also again after stop_instance()."""
        instance = next((i for i in self.instances() if i.name == name), None)
        if instance is None:
            raise FleetError(f"no service instance named {name!r}: {[i.name for i in self.instances()]}")
        return self._start_gunicorn(instance, self.instance_env(instance), wait=wait)

    def start_extra_instance(self, service: str, name: str, *, port: int, env: dict[str, str | None],
                             wait: bool = True) -> Child:
        """One more gunicorn of `service` beyond the configured ones, e.g. with other limits (tests).

        `env` changes the instance's environment; a value of None removes the variable (the code's
        default applies). It is not behind the fleet's gateway; stop() and stop_instance() stop it.
        """
        instance = Instance(service, name, port)
        environment = self.instance_env(instance)
        for key, value in env.items():
            if value is None:
                environment.pop(key, None)
            else:
                environment[key] = value
        return self._start_gunicorn(instance, environment, wait=wait)

    def _start_gunicorn(self, instance: Instance, env: dict[str, str], *, wait: bool) -> Child:
        config = self.config
        if self.child(instance.name) is not None:
            raise FleetError(f"{instance.name} is already running")
        make_dirs(config.metrics_dir(instance.name))
        child = Child(
            instance.name,
            [str(config.venv_bin("gunicorn")), "-c", "python:fleet_common.gunicorn_conf", "config.wsgi"],
            cwd=config.service_dir(instance.service), env=env,
            log_path=config.log_path(instance.name), run_dir=config.run_dir,
        )
        child.start()
        self.children.append(child)
        self._ready_url[instance.name] = (f"http://127.0.0.1:{instance.port}/readyz", None)
        if wait:
            self._wait_ready([instance.name])
        return child

    def stop_instance(self, name: str) -> None:
        """Stop one running child (a service instance or a gateway); the rest of the fleet keeps running."""
        child = self.child(name)
        if child is None:
            raise FleetError(f"{name} is not running")
        child.stop(self.config.stop_timeout)
        self.children.remove(child)
        self._gateways.pop(name, None)
        say(f"{name}: stopped")

    def _nginx_argv(self, nginx: str, directory: Path, *extra: str) -> list[str]:
        # -e stderr: nginx's own startup errors land in our log, not in /var/log/nginx.
        return [nginx, "-e", "stderr", "-p", str(directory), "-c", str(directory / "nginx.conf"),
                "-g", "daemon off;", *extra]

    def gateway_env(self, *, port: int, tls_port: int, tls_pair: tuple[Path, Path] | None,
                    without: frozenset[str] = frozenset(),
                    overrides: dict[str, str | None] | None = None) -> dict[str, str]:
        """render.sh's variables for a gateway in front of every instance of this fleet but those named in `without`.

        `overrides` changes them (e.g. CUSTOMERS_UPSTREAM, GATEWAY_AUTH_RATE); None removes one (render.sh's default).
        """
        config = self.config
        env = base_env()
        for name in [n for n in env if n.startswith("GATEWAY_") or n.endswith("_UPSTREAM")]:
            del env[name]  # only what this fleet decides reaches render.sh
        env.update({
            "GATEWAY_DOCS_ROOT": str(config.root / "gateway" / "docs"),  # the API reference of this checkout
            "GATEWAY_PORT": str(port),
            "AUTH_UPSTREAM": " ".join(f"127.0.0.1:{i.port}" for i in config.instances("auth") if i.name not in without),
            "CUSTOMERS_UPSTREAM": " ".join(f"127.0.0.1:{i.port}" for i in config.instances("customers")
                                           if i.name not in without),
        })
        if config.gateway_auth_rate is not None:
            env["GATEWAY_AUTH_RATE"] = config.gateway_auth_rate
        if config.gateway_auth_burst is not None:
            env["GATEWAY_AUTH_BURST"] = str(config.gateway_auth_burst)
        if tls_pair is not None:
            cert, key = tls_pair
            env.update({"GATEWAY_TLS_CERT": str(cert), "GATEWAY_TLS_KEY": str(key), "GATEWAY_TLS_PORT": str(tls_port)})
        for key, value in (overrides or {}).items():
            if value is None:
                env.pop(key, None)
            else:
                env[key] = value
        return env

    def start_gateway(self, name: str, *, directory: Path, port: int, tls_port: int,
                      tls_pair: tuple[Path, Path] | None = None, wait: bool = True,
                      overrides: dict[str, str | None] | None = None) -> Child:
        """Render the same templates compose and Kubernetes use, test them, then run nginx in the foreground.

        The fleet's own gateway is `gateway`; tests may add another (e.g. with TLS) in front of the same
        instances, in its own directory and on its own ports, or with other limits and upstreams
        (`overrides`, see gateway_env). stop() stops it with the rest.
        """
        config = self.config
        nginx = self._nginx or find_binary("nginx")
        if not nginx:
            raise FleetError("nginx is not installed (Debian: apt-get install -y nginx)")
        make_dirs(directory)
        (directory / "nginx.conf").unlink(missing_ok=True)
        shutil.rmtree(directory / "conf.d", ignore_errors=True)  # no stale server blocks from an older render
        spec = {"directory": directory, "port": port, "tls_port": tls_port, "tls_pair": tls_pair,
                "overrides": overrides}
        env = self._render_gateway(name, nginx, spec, without=frozenset())
        child = Child(name, self._nginx_argv(nginx, directory), cwd=directory, env=env,
                      log_path=config.log_path(name), run_dir=config.run_dir)
        child.start()
        self.children.append(child)
        self._gateways[name] = spec
        if tls_pair is not None:  # /healthz over TLS proves the certificate and the https server
            self._ready_url[name] = (f"https://127.0.0.1:{tls_port}/healthz", tls_pair[0])
        else:
            self._ready_url[name] = (f"http://127.0.0.1:{port}/healthz", None)
        if wait:
            self._wait_ready([name])
        return child

    def _render_gateway(self, name: str, nginx: str, spec: dict, *, without: frozenset[str]) -> dict[str, str]:
        """render.sh into the gateway's directory (swapped in whole), then `nginx -t`; returns render.sh's env."""
        config, directory = self.config, spec["directory"]
        env = self.gateway_env(port=spec["port"], tls_port=spec["tls_port"], tls_pair=spec["tls_pair"], without=without,
                               overrides=spec["overrides"])
        run_checked(["bash", str(config.root / "gateway" / "render.sh"), str(directory)], env=env, cwd=config.root,
                    what="gateway/render.sh")
        if not (directory / "nginx.conf").exists():
            raise FleetError(f"gateway/render.sh did not write {directory / 'nginx.conf'}")
        for subdirectory in ("tmp", "logs"):  # temp paths and nginx's default pid/log dir under the prefix
            make_dirs(directory / subdirectory)
        run_checked(self._nginx_argv(nginx, directory, "-t"), env=env, cwd=directory, what=f"{name}: nginx -t")
        warn_if_unreadable_by_workers(Path(env["GATEWAY_DOCS_ROOT"]) / "reference" / "index.html")
        return env

    def reload_gateways(self, *, without: frozenset[str] = frozenset()) -> None:
        """Every running gateway in front of every instance but `without`; returns once no old nginx worker is left.

        nginx's reload (SIGHUP) starts workers with the new upstreams and tells the old ones to finish
        the requests they hold and exit; an old worker also closes its idle keep-alive connections to
        the services. Once the old workers are gone, no connection from the gateway to an instance in
        `without` remains and none will be made: that instance may be stopped without losing a request.
        """
        nginx = self._nginx or find_binary("nginx")
        for name, spec in self._gateways.items():
            child = self.child(name)
            self._render_gateway(name, nginx, spec, without=without)
            old_workers = set(child_pids(child.pid))
            os.kill(child.pid, signal.SIGHUP)
            deadline = time.monotonic() + 35  # nginx.conf: worker_shutdown_timeout 30s
            while True:
                workers = set(child_pids(child.pid))
                if workers and not workers & old_workers:
                    break
                if child.exited() is not None:
                    raise child.failure(f"exited with status {child.exited()} while reloading")
                if time.monotonic() > deadline:
                    raise child.failure(f"old workers {sorted(workers & old_workers)} still running 35 s after SIGHUP")
                time.sleep(0.05)
            say(f"{name}: reloaded" + (f" without {', '.join(sorted(without))}" if without else ""))

    def rolling_restart(self, service: str = "customers") -> None:
        """Restart every instance of `service`, one at a time, without failing a request; what Kubernetes does.

        Per instance: out of every gateway's upstream first (Kubernetes: the pod leaves the Service's
        endpoints, and its preStop sleep covers the time the proxies need to notice), then SIGTERM
        (gunicorn finishes what it holds), start it again, wait for /readyz, and back into the upstream.
        """
        instances = self.config.instances(service)
        if len(instances) < 2:
            raise FleetError(f"a rolling restart of {service} needs at least two instances, not {len(instances)}")
        for instance in instances:
            self.reload_gateways(without=frozenset({instance.name}))
            self.stop_instance(instance.name)
            self.start_instance(instance.name)
            self.reload_gateways()

    def worker_pids(self, name: str) -> list[int]:
        """The worker processes of a running child (gunicorn's or nginx's), e.g. to kill one."""
        child = self.child(name)
        if child is None:
            raise FleetError(f"{name} is not running")
        return child_pids(child.pid)

    def _wait_ready(self, names: list[str]) -> None:
        """Each named child answers 200 (/readyz of an instance, /healthz of a gateway) before the deadline."""
        config = self.config
        pending = {name: self.child(name) for name in names}
        deadline = time.monotonic() + config.ready_timeout
        while pending:
            for name, child in list(pending.items()):
                url, cafile = self._ready_url[name]
                if child.exited() is not None:
                    raise child.failure(f"exited with status {child.exited()} while starting")
                if http_ok(url, cafile=cafile):
                    say(f"{name}: ready at {url}")
                    del pending[name]
            self.infra.check_alive()
            if pending and time.monotonic() > deadline:
                name, child = next(iter(pending.items()))
                raise child.failure(f"did not come up within {config.ready_timeout:.0f} s "
                                    f"(GET {self._ready_url[name][0]} never answered 200)")
            if pending:
                time.sleep(0.25)

    def check_alive(self) -> None:
        """Raise, naming it, if anything we started has exited on its own."""
        for child in self.children:
            if child.exited() is not None:
                raise child.failure(f"exited unexpectedly with status {child.exited()}")
        self.infra.check_alive()

    def stop(self) -> None:
        """Gateways, customers, auth, then Redis and Postgres; every step is attempted."""
        errors = []
        for child in reversed(self.children):
            try:
                child.stop(self.config.stop_timeout)
                say(f"{child.name}: stopped")
            except Exception as exc:
                errors.append(f"{child.name}: {exc}")
        self.children = []
        self._gateways = {}
        try:
            self.infra.stop()
        except FleetError as exc:
            errors.append(str(exc))
        if errors:
            raise FleetError("could not stop everything:\n" + "\n".join(errors))
