"""No local fleet listens on a port the kernel may hand to an outgoing connection: a port in the ephemeral
range can be held, for a minute after that connection closed, by its TIME_WAIT, and a server cannot bind it."""

import os
import shutil
import socket
from pathlib import Path

import pytest

from bench.fleet import CEILINGS, bench_config, ceiling_port
from devfleet import REPO_ROOT, FleetError, Infra
from devfleet.config import dev_config, test_config
from devfleet.postgres import Postgres

PAGINATION_BENCH_SHIFT = 7  # services/customers/bench/pagination.py: the test fleet's Postgres and Redis + 7


def ephemeral_ports() -> range:
    low, high = map(int, Path("/proc/sys/net/ipv4/ip_local_port_range").read_text().split())
    return range(low, high + 1)


@pytest.mark.parametrize("offset", ["0", "200", "700"])
def test_every_fleet_port_is_outside_the_ephemeral_range(monkeypatch, tmp_path, offset):
    monkeypatch.setenv("DEVFLEET_PORT_OFFSET", offset)
    test, bench = test_config(REPO_ROOT, tmp_path), bench_config(REPO_ROOT, tmp_path)
    ports = {
        **{f"dev {part}": port for part, port in dev_config(gateway_tls=True).fleet_ports().items()},
        **{f"test {part}": port for part, port in test.fleet_ports().items()},
        **{f"bench {part}": port for part, port in bench.fleet_ports().items()},
        **{name: ceiling_port(bench, name) for name in CEILINGS},
        "pagination bench postgres": test.postgres_port + PAGINATION_BENCH_SHIFT,
        "pagination bench redis": test.redis_port + PAGINATION_BENCH_SHIFT,
    }
    ephemeral = ephemeral_ports()
    assert {part: port for part, port in ports.items() if port in ephemeral} == {}, ephemeral


def test_a_port_taken_while_initdb_runs_is_named_before_any_server_starts(monkeypatch):
    """A first run's initdb takes seconds, in which another fleet starting beside this one may take a port."""
    monkeypatch.setenv("DEVFLEET_PORT_OFFSET", str(int(os.environ.get("DEVFLEET_PORT_OFFSET", "0")) + 60))
    state_dir = REPO_ROOT / "var" / "test-ops-busy-port"
    shutil.rmtree(state_dir, ignore_errors=True)
    config = test_config(REPO_ROOT, state_dir)
    taken = []
    initdb = Postgres.ensure_cluster

    def initdb_then_another_fleet_takes_the_port(self):
        initdb(self)
        taken.append(socket.create_server(("127.0.0.1", config.postgres_port)))

    monkeypatch.setattr(Postgres, "ensure_cluster", initdb_then_another_fleet_takes_the_port)
    try:
        with pytest.raises(FleetError, match=rf"port {config.postgres_port} \(postgres\) already in use"):
            Infra(config).start()
    finally:
        for server in taken:
            server.close()
    assert taken and not Postgres(config).is_running()
    shutil.rmtree(state_dir)
