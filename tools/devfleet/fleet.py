"""The whole fleet as local processes: Infra, both services under gunicorn, and the nginx gateway."""

from __future__ import annotations

import shutil
import time
from pathlib import Path

from .config import SERVICES, FleetConfig
from .errors import FleetError
from .infra import Infra, base_env
from .processes import Child, find_binary, http_ok, make_dirs, run_checked, say


class Fleet:
    """start() brings everything up in order and waits until it answers; stop() undoes exactly that."""

    def __init__(self, config: FleetConfig) -> None:
        self.config = config
        self.infra = Infra(config)
        self.children: list[Child] = []  # services and gateway, in start order

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
        return {
            "gateway": f"http://127.0.0.1:{config.gateway_port}",
            "auth": f"http://127.0.0.1:{config.auth_port}",
            "customers": f"http://127.0.0.1:{config.customers_port}",
            "postgres": f"postgres://127.0.0.1:{config.postgres_port} (databases: {', '.join(SERVICES)})",
            "redis": f"redis://127.0.0.1:{config.redis_port}",
            "logs": str(config.logs_dir),
        }

    def log_paths(self) -> dict[str, Path]:
        return {name: self.config.log_path(name) for name in ("postgres", "redis", *SERVICES, "gateway")}

    def start(self) -> None:
        if self.children:
            return
        config = self.config
        python, nginx = self._preflight()
        services = {s: config.service_port(s) for s in SERVICES}
        self.infra.start(extra_ports={**services, "gateway": config.gateway_port})
        try:
            for service in SERVICES:
                self._prepare_service(service, python)
            for service in SERVICES:
                self._start_service(service)
            self._start_gateway(nginx)
            self._wait_ready()
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

    def _start_service(self, service: str) -> None:
        config = self.config
        child = Child(
            service,
            [str(config.venv_bin("gunicorn")), "-c", "python:fleet_common.gunicorn_conf", "config.wsgi"],
            cwd=config.service_dir(service), env=self.env_for(service),
            log_path=config.log_path(service), run_dir=config.run_dir,
        )
        child.start()
        self.children.append(child)

    def _nginx_argv(self, nginx: str, *extra: str) -> list[str]:
        gateway = self.config.gateway_dir
        # -e stderr: nginx's own startup errors land in our log, not in /var/log/nginx.
        return [nginx, "-e", "stderr", "-p", str(gateway), "-c", str(gateway / "nginx.conf"),
                "-g", "daemon off;", *extra]

    def _start_gateway(self, nginx: str) -> None:
        """Render the same template compose and Kubernetes use, test it, then run nginx in the foreground."""
        config = self.config
        gateway = config.gateway_dir
        render = config.root / "gateway" / "render.sh"
        make_dirs(gateway)
        (gateway / "nginx.conf").unlink(missing_ok=True)
        shutil.rmtree(gateway / "conf.d", ignore_errors=True)  # no stale server blocks from an older render
        env = base_env()
        env.update({
            "GATEWAY_PORT": str(config.gateway_port),
            "AUTH_UPSTREAM": f"127.0.0.1:{config.auth_port}",
            "CUSTOMERS_UPSTREAM": f"127.0.0.1:{config.customers_port}",
        })
        run_checked(["bash", str(render), str(gateway)], env=env, cwd=config.root, what="gateway/render.sh")
        if not (gateway / "nginx.conf").exists():
            raise FleetError(f"gateway/render.sh did not write {gateway / 'nginx.conf'}")
        for directory in ("tmp", "logs"):  # temp paths and nginx's default pid/log dir under the prefix
            make_dirs(gateway / directory)
        run_checked(self._nginx_argv(nginx, "-t"), env=env, cwd=gateway, what="nginx -t")
        child = Child("gateway", self._nginx_argv(nginx), cwd=gateway, env=env,
                      log_path=config.log_path("gateway"), run_dir=config.run_dir)
        child.start()
        self.children.append(child)

    def _wait_ready(self) -> None:
        """Every service's /readyz and the gateway's /healthz answer 200, or a clear error within the deadline."""
        config = self.config
        pending = {child.name: child for child in self.children}
        url = {
            **{s: f"http://127.0.0.1:{config.service_port(s)}/readyz" for s in SERVICES},
            "gateway": f"http://127.0.0.1:{config.gateway_port}/healthz",
        }
        deadline = time.monotonic() + config.ready_timeout
        while pending:
            for name, child in list(pending.items()):
                if child.exited() is not None:
                    raise child.failure(f"exited with status {child.exited()} while starting")
                if http_ok(url[name]):
                    say(f"{name}: ready at {url[name]}")
                    del pending[name]
            self.infra.check_alive()
            if pending and time.monotonic() > deadline:
                name, child = next(iter(pending.items()))
                raise child.failure(f"did not come up within {config.ready_timeout:.0f} s "
                                    f"(GET {url[name]} never answered 200)")
            if pending:
                time.sleep(0.25)

    def stop_service(self, service: str) -> None:
        """Stop one service as an outage would (fault tests); `start_service` brings it back."""
        child = next(child for child in self.children if child.name == service)
        child.stop(self.config.stop_timeout)
        self.children.remove(child)
        say(f"{service}: stopped")

    def start_service(self, service: str) -> None:
        self._start_service(service)
        self._wait_ready()

    def check_alive(self) -> None:
        """Raise, naming it, if anything we started has exited on its own."""
        for child in self.children:
            if child.exited() is not None:
                raise child.failure(f"exited unexpectedly with status {child.exited()}")
        self.infra.check_alive()

    def stop(self) -> None:
        """Gateway, customers, auth, then Redis and Postgres; every step is attempted."""
        errors = []
        for child in reversed(self.children):
            try:
                child.stop(self.config.stop_timeout)
                say(f"{child.name}: stopped")
            except Exception as exc:
                errors.append(f"{child.name}: {exc}")
        self.children = []
        try:
            self.infra.stop()
        except FleetError as exc:
            errors.append(str(exc))
        if errors:
            raise FleetError("could not stop everything:\n" + "\n".join(errors))
