"""No local fleet listens on a port the kernel may hand to an outgoing connection: a port in the ephemeral
range can be held, for a minute after that connection closed, by its TIME_WAIT, and a server cannot bind it."""

from pathlib import Path

import pytest

from bench.fleet import CEILINGS, bench_config, ceiling_port
from devfleet import REPO_ROOT
from devfleet.config import dev_config, test_config

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
