"""Where everything lives and which ports it uses, so dev, test and e2e fleets never collide."""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path

#: tools/devfleet/config.py -> the repository root, wherever the checkout is.
REPO_ROOT = Path(__file__).resolve().parents[2]

SERVICES = ("auth", "customers")
REDIS_DB = {"auth": 0, "customers": 1}


def _gateway_port_from_env() -> int:
    """`GATEWAY_PORT=9080 make dev` moves the gateway without code changes."""
    value = os.environ.get("GATEWAY_PORT", "8080")
    try:
        return int(value)
    except ValueError:
        raise ValueError(f"GATEWAY_PORT must be a port number, not {value!r}") from None


@dataclass
class FleetConfig:
    """Every knob of one fleet; defaults are the `make dev` fleet."""

    root: Path = REPO_ROOT
    state_dir: Path | None = None  # default: <root>/var/dev
    postgres_port: int = 55432
    redis_port: int = 56379
    auth_port: int = 8001
    customers_port: int = 8002
    gateway_port: int = field(default_factory=_gateway_port_from_env)
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

    def log_path(self, name: str) -> Path:
        return self.logs_dir / f"{name}.log"

    def venv_bin(self, name: str) -> Path:
        return self.root / ".venv" / "bin" / name

    def service_dir(self, service: str) -> Path:
        return self.root / "services" / service

    # --- ports -------------------------------------------------------------------------------
    def service_port(self, service: str) -> int:
        return {"auth": self.auth_port, "customers": self.customers_port}[service]

    def infra_ports(self) -> dict[str, int]:
        return {"postgres": self.postgres_port, "redis": self.redis_port}

    def fleet_ports(self) -> dict[str, int]:
        return {**self.infra_ports(), "auth": self.auth_port, "customers": self.customers_port,
                "gateway": self.gateway_port}


def dev_config(root: Path | None = None) -> FleetConfig:
    """The `make dev` fleet: data kept under <root>/var/dev across runs."""
    return FleetConfig(root=root or REPO_ROOT)


def test_port_offset() -> int:
    """`DEVFLEET_PORT_OFFSET` shifts every test port, so test runs in several checkouts never collide."""
    return int(os.environ.get("DEVFLEET_PORT_OFFSET", "0"))


def test_config(root: Path | None, state_dir: Path) -> FleetConfig:
    """The test fleet (e2e and the service suites): its own ports, so it runs beside `make dev`."""
    offset = test_port_offset()
    return FleetConfig(
        root=root or REPO_ROOT,
        state_dir=state_dir,
        postgres_port=55433 + offset,
        redis_port=56380 + offset,
        auth_port=8011 + offset,
        customers_port=8012 + offset,
        gateway_port=8090 + offset,
        django_env="test",
        test_mode=True,
    )


test_config.__test__ = False  # not a pytest test, though its name starts with "test"
