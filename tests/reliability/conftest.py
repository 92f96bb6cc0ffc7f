"""Reliability: faults, durability and load against the real fleet, each test recording the figures it measured.

The fleet is devfleet's test fleet (two customers instances behind nginx) in var/test-reliability,
with throttle rates raised (as for `make loadtest`), so a load measures work rather than the limits.
Every figure is printed at the end of the run and written to <state dir>/figures.json, which
docs/reliability.md quotes.
"""

import asyncio
import json
import os
import threading
from pathlib import Path

import psycopg
import pytest

import loadtest
from devfleet import Fleet, test_config

ROOT = Path(__file__).resolve().parents[2]
FIGURES: list[tuple[str, str, object]] = []


@pytest.fixture(scope="session")
def fleet():
    state_dir = Path(os.environ.get("DEVFLEET_STATE_DIR", ROOT / "var" / "test-reliability"))
    config = test_config(ROOT, state_dir)
    config.service_env = loadtest.LOAD_SERVICE_ENV
    config.gateway_auth_rate, config.gateway_auth_burst = "1000r/s", 1000
    with Fleet(config) as running:
        yield running


@pytest.fixture(scope="session")
def gateway(fleet) -> str:
    return f"http://127.0.0.1:{fleet.config.gateway_port}"


@pytest.fixture
def figure(request):
    """figure(name, value): one measured figure of this test, printed and kept for docs/reliability.md."""
    def record(name: str, value) -> None:
        FIGURES.append((request.node.name, name, value))
        print(f"{request.node.name}: {name} = {value}")
    return record


@pytest.fixture
def accounts(gateway):
    """Fresh users for one test, registered and logged in through the gateway."""
    return lambda count: loadtest.register(gateway, count)


class Background:
    """A loadtest.Load in a thread of its own, running until stop(); no retries, every answer kept."""

    def __init__(self, load: loadtest.Load, concurrency: int, mix: dict[str, int]):
        self.load, self.stopping = load, threading.Event()
        self.thread = threading.Thread(
            target=lambda: asyncio.run(load.closed(concurrency, 3600, stop=self.stopping, mix=mix)), daemon=True)

    def __enter__(self) -> "Background":
        self.thread.start()
        return self

    def __exit__(self, *exc_info) -> None:
        self.stop()

    def stop(self) -> None:
        self.stopping.set()
        self.thread.join(timeout=60)
        assert not self.thread.is_alive(), "the load did not stop within 60 s"


@pytest.fixture
def background(gateway):
    """background(accounts, concurrency=..., mix=..., keepalive=...) -> a Background to use in a `with`."""
    def start(accounts, *, concurrency: int | None = None, mix=loadtest.MIXED, keepalive: bool = True) -> Background:
        load = loadtest.Load(gateway, accounts, keepalive=keepalive)
        return Background(load, concurrency or len(accounts), mix)
    return start


@pytest.fixture
def customers_db(fleet):
    """A connection to customers' database as its own role (what the service itself can see)."""
    connection = psycopg.connect(fleet.env_for("customers")["DATABASE_URL"], autocommit=True)
    yield connection
    connection.close()


def gateway_lines(fleet, offset: int) -> list[dict]:
    """The gateway's JSON access log lines written after `offset` (bytes)."""
    with open(fleet.config.log_path("gateway")) as handle:
        handle.seek(offset)
        return [json.loads(line) for line in handle if line.startswith('{"time"')]


def pytest_terminal_summary(terminalreporter):
    if not FIGURES:
        return
    terminalreporter.section("reliability figures")
    for test, name, value in FIGURES:
        terminalreporter.write_line(f"{test}: {name} = {value}")
    state_dir = Path(os.environ.get("DEVFLEET_STATE_DIR", ROOT / "var" / "test-reliability"))
    if state_dir.is_dir():
        (state_dir / "figures.json").write_text(json.dumps([
            {"test": test, "figure": name, "value": value} for test, name, value in FIGURES], indent=2) + "\n")


def pytest_collection_modifyitems(items):
    """A fault test that hangs is itself a failure: it must never hang `make test`."""
    for item in items:
        item.add_marker(pytest.mark.timeout(300))
