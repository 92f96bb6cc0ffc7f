"""Where everything lives and which ports it uses, so dev, test and e2e fleets never collide."""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path

#: tools/devfleet/config.py -> the repository root, wherever the checkout is.
REPO_ROOT = Path(__file__).resolve().parents[2]

SERVICES = ("auth", "customers")
REDIS_DB = {"auth": 0, "customers": 1}


def _port_from_env(name: str, default: int) -> int:
    """`GATEWAY_PORT=9080 make dev` moves the gateway without code changes."""
    value = os.environ.get(name, str(default))
    try:
        return int(value)
    except ValueError:
        raise ValueError(f"{name} must be a port number, not {value!r}") from None


def _gateway_port_from_env() -> int:
    return _port_from_env("GATEWAY_PORT", 8080)


def _gateway_tls_port_from_env() -> int:
    return _port_from_env("GATEWAY_TLS_PORT", 8443)


@dataclass(frozen=True)
class Instance:
    """One gunicorn of a service: its name (logs, pid file, metrics dir) and its port."""

    service: str
    name: str
    port: int


@dataclass
class FleetConfig:
    """Every knob of one fleet; defaults are the `make dev` fleet."""

    root: Path = REPO_ROOT
    state_dir: Path | None = None  # default: <root>/var/dev
    # Below Linux's ephemeral range (32768-60999): a port in it may be held, for a minute after a connection
    # closed, by that connection's TIME_WAIT, and a server cannot bind it then (a `make test` run right
    # after another once found 56380 taken so).
    postgres_port: int = 15432
    redis_port: int = 16379
    auth_port: int = 8001
    customers_port: int = 8002  # the first instance; more instances take the ports after it
    customers_instances: int = 1  # gunicorn processes of customers, all behind the gateway's upstream
    gateway_port: int = field(default_factory=_gateway_port_from_env)
    gateway_tls: bool = False  # terminate TLS with a self-signed pair from <state_dir>/tls (make dev TLS=1)
    gateway_tls_port: int = field(default_factory=_gateway_tls_port_from_env)
    gateway_auth_rate: str | None = None  # GATEWAY_AUTH_RATE for render.sh; None: its default (10r/s)
    gateway_auth_burst: int | None = None  # GATEWAY_AUTH_BURST; None: its default (20)
    workers: int = 2
    django_env: str = "dev"
    test_mode: bool = False  # roles get CREATEDB (pytest-django creates test_<name> databases)
    service_env: dict[str, dict[str, str]] = field(default_factory=dict)  # per-service overrides (tests)
    pg_bin: Path | None = None  # default: the newest /usr/lib/postgresql/<15+>/bin
    ready_timeout: float = 60.0
    stop_timeout: float = 15.0

    def __post_init__(self) -> None:
        self.root = Path(self.root).resolve()
        self.state_dir = Path(self.state_dir).resolve() if self.state_dir else self.root / "var" / "dev"
        if self.pg_bin is not None:
            self.pg_bin = Path(self.pg_bin)
        if self.customers_instances < 1:
            raise ValueError(f"customers_instances must be at least 1, not {self.customers_instances}")
        ports = self.fleet_ports()
        clashes = sorted({port for port in ports.values() if list(ports.values()).count(port) > 1})
        if clashes:
            raise ValueError(f"two parts of the fleet would share port(s) {clashes}: {ports}")

    # --- paths -------------------------------------------------------------------------------
    @property
    def logs_dir(self) -> Path:
        return self.state_dir / "logs"

    @property
    def run_dir(self) -> Path:
        """Pid files of our children, so a crashed run's leftovers can be found and stopped."""
        return self.state_dir / "run"

    @property
    def lock_path(self) -> Path:
        return self.state_dir / "fleet.lock"

    @property
    def secrets_path(self) -> Path:
        return self.state_dir / "secrets.env"

    @property
    def postgres_dir(self) -> Path:
        return self.state_dir / "postgres"

    @property
    def postgres_data(self) -> Path:
        return self.postgres_dir / "data"

    @property
    def postgres_sockdir(self) -> Path:
        return self.postgres_dir / "run"

    @property
    def redis_dir(self) -> Path:
        return self.state_dir / "redis"

    @property
    def gateway_dir(self) -> Path:
        return self.state_dir / "gateway"

    @property
    def tls_dir(self) -> Path:
        """The self-signed certificate and key of a TLS gateway (cert.pem, key.pem)."""
        return self.state_dir / "tls"

    def log_path(self, name: str) -> Path:
        return self.logs_dir / f"{name}.log"

    def metrics_dir(self, instance: str) -> Path:
        """PROMETHEUS_MULTIPROC_DIR of one gunicorn: its workers' metric files, summed by /metrics."""
        return self.state_dir / "metrics" / instance

    def venv_bin(self, name: str) -> Path:
        return self.root / ".venv" / "bin" / name

    def service_dir(self, service: str) -> Path:
        return self.root / "services" / service

    # --- ports -------------------------------------------------------------------------------
    def service_port(self, service: str) -> int:
        """The port of the service's first instance."""
        return {"auth": self.auth_port, "customers": self.customers_port}[service]

    def instances(self, service: str) -> list[Instance]:
        """auth runs once; customers `customers_instances` times: customers, customers-2, ... on consecutive ports."""
        count = self.customers_instances if service == "customers" else 1
        first = self.service_port(service)
        return [Instance(service, service if i == 0 else f"{service}-{i + 1}", first + i) for i in range(count)]

    @property
    def public_url(self) -> str:
        """Where clients reach the gateway (and the JWT issuer): https when it terminates TLS."""
        if self.gateway_tls:
            return f"https://127.0.0.1:{self.gateway_tls_port}"
        return f"http://127.0.0.1:{self.gateway_port}"

    def infra_ports(self) -> dict[str, int]:
        return {"postgres": self.postgres_port, "redis": self.redis_port}

    def service_ports(self) -> dict[str, int]:
        return {instance.name: instance.port for service in SERVICES for instance in self.instances(service)}

    def gateway_ports(self) -> dict[str, int]:
        ports = {"gateway": self.gateway_port}
        if self.gateway_tls:
            ports["gateway (https)"] = self.gateway_tls_port
        return ports

    def fleet_ports(self) -> dict[str, int]:
        return {**self.infra_ports(), **self.service_ports(), **self.gateway_ports()}


def dev_config(root: Path | None = None, **overrides) -> FleetConfig:
    """The `make dev` fleet: data kept under <root>/var/dev across runs."""
    return FleetConfig(root=root or REPO_ROOT, **overrides)


def test_port_offset() -> int:
    """`DEVFLEET_PORT_OFFSET` shifts every test port, so test runs in several checkouts never collide."""
    return int(os.environ.get("DEVFLEET_PORT_OFFSET", "0"))


# Every test speaks from 127.0.0.1, so the services' per-address limits are raised for test fleets; they
# are tested with low rates in each service's own suite. The per-username login failure limit stays as shipped.
TEST_AUTH_RATES = {
    "THROTTLE_RATE_ANON": "100000/min",
    "THROTTLE_RATE_LOGIN": "100000/min",
    "THROTTLE_RATE_REGISTER": "100000/hour",
    "THROTTLE_RATE_TOKEN_REFRESH": "100000/min",
    "THROTTLE_RATE_OAUTH_TOKEN": "100000/min",
}
TEST_CUSTOMERS_RATES = {"THROTTLE_RATE_ANON": "100000/min"}


def test_config(root: Path | None, state_dir: Path) -> FleetConfig:
    """The test fleet (e2e and the service suites): its own ports, so it runs beside `make dev`.

    Two customers instances (8012 and 8013), so e2e exercises the gateway's upstream with
    several servers. The credential rate limit is the production default, which sequential
    tests never reach; the e2e test that exhausts it speaks from its own loopback address.
    """
    offset = test_port_offset()
    return FleetConfig(
        root=root or REPO_ROOT,
        state_dir=state_dir,
        postgres_port=15433 + offset,
        redis_port=16380 + offset,
        auth_port=8011 + offset,
        customers_port=8012 + offset,
        customers_instances=2,
        gateway_port=8090 + offset,
        gateway_tls_port=8453 + offset,
        gateway_auth_rate="10r/s",
        gateway_auth_burst=20,
        django_env="test",
        test_mode=True,
        service_env={"auth": dict(TEST_AUTH_RATES), "customers": dict(TEST_CUSTOMERS_RATES)},
    )


test_config.__test__ = False  # not a pytest test, though its name starts with "test"
