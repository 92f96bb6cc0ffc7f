"""Postgres and Redis for one state dir: what the service test suites need, and the base of a Fleet."""

from __future__ import annotations

import os
import shutil
import time
from urllib.parse import quote

from . import secretsfile
from .config import REDIS_DB, SERVICES, FleetConfig
from .errors import FleetError
from .lock import StateLock
from .postgres import Postgres
from .processes import Child, check_ports_free, find_binary, make_dirs, redis_ping, say, stop_leftovers

#: Never inherited by a service: it would point Django at the wrong settings or database.
LEAKY_ENV = ("DJANGO_SETTINGS_MODULE", "DATABASE_URL")


def base_env() -> dict[str, str]:
    """The caller's environment minus what would leak into a service (settings, databases, libpq)."""
    env = {key: value for key, value in os.environ.items()
           if key not in LEAKY_ENV and not key.startswith("PG")}
    for key in ("NO_PROXY", "no_proxy"):  # an HTTP proxy must never sit between our own processes
        hosts = [h for h in env.get(key, "").split(",") if h]
        env[key] = ",".join(hosts + [h for h in ("127.0.0.1", "localhost") if h not in hosts])
    return env


class Infra:
    """Start/stop Postgres and Redis for `config`; stop() stops exactly what start() started."""

    def __init__(self, config: FleetConfig) -> None:
        self.config = config
        self.lock = StateLock(config.lock_path)
        self.postgres = Postgres(config)
        self.redis: Child | None = None
        self._secrets: dict[str, str] | None = None

    def __enter__(self) -> "Infra":
        self.start()
        return self

    def __exit__(self, *exc_info) -> None:
        self.stop()

    @property
    def running(self) -> bool:
        return self.postgres.started or self.redis is not None

    def acquire_lock(self) -> None:
        """Callable on its own so `dev` can refuse a second fleet before doing anything else."""
        self.lock.acquire()

    @property
    def secrets(self) -> dict[str, str]:
        if self._secrets is None:
            make_dirs(self.config.state_dir)
            self._secrets = secretsfile.load_or_create(self.config.secrets_path)
        return self._secrets

    def start(self, *, extra_ports: dict[str, int] | None = None) -> None:
        """Lock, clear our own leftovers, check ports, then Postgres (provisioned) and Redis."""
        if self.running:
            return
        config = self.config
        self.acquire_lock()
        try:
            say(f"state in {config.state_dir}")
            for directory in (config.logs_dir, config.run_dir, config.redis_dir, config.state_dir / "customers"):
                make_dirs(directory)
            make_dirs(config.state_dir / "auth" / "keys", 0o700)  # private signing keys
            stop_leftovers(config.run_dir, config.stop_timeout)
            if self.postgres.is_running():
                say("postgres: stopping the one a previous run left running")
                self.postgres.stop()
            redis_server = find_binary("redis-server")
            if not redis_server:
                raise FleetError("redis-server is not installed (Debian: apt-get install -y redis-server)")
            passwords = {service: self.secrets[secretsfile.db_password_key(service)] for service in SERVICES}
            self.postgres.prepare()
            self.postgres.ensure_cluster()
            # After initdb (seconds on a first run), so a fleet starting meanwhile cannot take a port unnoticed.
            check_ports_free({**config.infra_ports(), **(extra_ports or {})})
            self.postgres.start()
            self.postgres.provision(passwords, test_mode=config.test_mode)
            self._start_redis(redis_server)
        except BaseException:
            self.stop()
            raise

    def _start_redis(self, redis_server: str) -> None:
        config = self.config
        self.redis = Child(
            "redis",
            [redis_server, "--port", str(config.redis_port), "--bind", "127.0.0.1", "--dir", str(config.redis_dir),
             "--save", "60", "1", "--appendonly", "no", "--daemonize", "no"],
            cwd=config.redis_dir, env=base_env(), log_path=config.log_path("redis"), run_dir=config.run_dir,
        )
        self.redis.start()
        deadline = time.monotonic() + config.ready_timeout
        while not redis_ping(config.redis_port):
            if self.redis.exited() is not None:
                raise self.redis.failure(f"exited with status {self.redis.exited()} while starting")
            if time.monotonic() > deadline:
                raise self.redis.failure(f"did not answer PING within {config.ready_timeout:.0f} s")
            time.sleep(0.05)
        say(f"redis: up on 127.0.0.1:{config.redis_port} (data {config.redis_dir})")

    def stop_redis(self) -> None:
        """Stop Redis alone (an outage for tests); start_redis() brings it back on the same port and data."""
        if self.redis is None:
            raise FleetError("redis is not running")
        self.redis.stop(self.config.stop_timeout)
        self.redis = None
        say("redis: stopped")

    def start_redis(self) -> None:
        if self.redis is not None:
            raise FleetError("redis is already running")
        redis_server = find_binary("redis-server")
        if not redis_server:
            raise FleetError("redis-server is not installed (Debian: apt-get install -y redis-server)")
        self._start_redis(redis_server)

    def check_alive(self) -> None:
        """Raise if Redis has died (Postgres is a daemon: its readiness is what the services report)."""
        if self.redis is not None and self.redis.exited() is not None:
            raise self.redis.failure(f"exited unexpectedly with status {self.redis.exited()}")

    def stop(self) -> None:
        """Reverse order; each step runs even if an earlier one failed; the lock goes last."""
        errors = []
        if self.redis is not None:
            try:
                self.redis.stop(self.config.stop_timeout)
                say("redis: stopped")
            except Exception as exc:  # keep stopping the rest
                errors.append(f"redis: {exc}")
            self.redis = None
        if self.postgres.started:
            try:
                self.postgres.stop()
                say("postgres: stopped")
            except Exception as exc:
                errors.append(f"postgres: {exc}")
        self.lock.release()
        if errors:
            raise FleetError("could not stop everything:\n" + "\n".join(errors))

    def env_for(self, service: str) -> dict[str, str]:
        """The environment a service runs with against this infra (no process needs to be running)."""
        if service not in SERVICES:
            raise ValueError(f"unknown service {service!r}; expected one of {SERVICES}")
        config = self.config
        password = quote(self.secrets[secretsfile.db_password_key(service)], safe="")
        env = base_env()
        env.update({
            "DJANGO_ENV": config.django_env,
            "DJANGO_SETTINGS_MODULE": "config.settings",
            "DJANGO_SECRET_KEY": self.secrets[secretsfile.secret_key_key(service)],
            "DJANGO_ALLOWED_HOSTS": "localhost,127.0.0.1",
            "REDIS_URL": f"redis://127.0.0.1:{config.redis_port}/{REDIS_DB[service]}",
            "JWT_ISSUER": config.public_url,
            "SERVICE_NAME": service,
            "GUNICORN_BIND": f"127.0.0.1:{config.service_port(service)}",
            "GUNICORN_WORKERS": str(config.workers),
            "PYTHONUNBUFFERED": "1",
            "DATABASE_URL": f"postgres://{service}:{password}@127.0.0.1:{config.postgres_port}/{service}",
        })
        if service == "auth":
            env["AUTH_SIGNING_KEYS_DIR"] = str(config.state_dir / "auth" / "keys")
            env["GUNICORN_THREADS"] = "4"  # as auth's image sets: requests go on while logins hash
            env["CUSTOMERS_INTERNAL_URL"] = f"http://127.0.0.1:{config.customers_port}"
        else:
            env["AUTH_JWKS_URL"] = f"http://127.0.0.1:{config.auth_port}/.well-known/jwks.json"
            env["JWKS_CACHE_PATH"] = str(config.state_dir / "customers" / "jwks-cache.json")
        env.update(config.service_env.get(service, {}))
        return env


def wipe_state_dir(config: FleetConfig) -> None:
    """A fresh state dir for tests; the caller holds its lock, so the lock file itself stays."""
    state_dir = config.state_dir
    make_dirs(state_dir)
    for entry in state_dir.iterdir():
        if entry == config.lock_path:
            continue
        if entry.is_dir() and not entry.is_symlink():
            shutil.rmtree(entry)
        else:
            entry.unlink()
