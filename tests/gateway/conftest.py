"""Fixtures of the gateway suite: the gateway on its own, in front of stand-in upstreams (harness.py).

Everything lives under var/test-gateway/ (wiped at the start of the session); every port is one the
kernel hands out, so this suite never collides with a fleet or another checkout's tests.
"""

import re
import shutil
import tempfile
from pathlib import Path

import pytest

from devfleet.tls import self_signed_pair
from harness import NGINX, STATE, Blackhole, Gateway, Upstream


def pytest_configure(config):
    """Wipe var/test-gateway once, in the main process (not in each pytest-xdist worker)."""
    if not hasattr(config, "workerinput"):
        shutil.rmtree(STATE, ignore_errors=True)
        STATE.mkdir(parents=True)
        STATE.chmod(0o755)  # nginx workers run as nobody when the master is root: they must traverse it


@pytest.fixture(scope="session", autouse=True)
def _nginx_installed():
    if not NGINX:
        pytest.fail("nginx is not installed (Debian: apt-get install -y nginx)")


@pytest.fixture
def workdir(request) -> Path:
    """A directory of this test's own under var/test-gateway/, traversable by nginx's workers."""
    path = Path(tempfile.mkdtemp(prefix=re.sub(r"[^A-Za-z0-9_.-]+", "_", request.node.name)[:60] + "-", dir=STATE))
    path.chmod(0o755)
    return path


@pytest.fixture(scope="session")
def tls_pair() -> tuple[Path, Path]:
    """The self-signed pair devfleet makes for `make dev TLS=1` (valid for 127.0.0.1)."""
    return self_signed_pair(Path(tempfile.mkdtemp(prefix="tls-", dir=STATE)))


@pytest.fixture
def upstreams():
    """Make stand-in upstreams; each is shut down after the test."""
    made = []

    def make(behaviour: str = "echo", **options):
        upstream = Blackhole() if behaviour == "blackhole" else Upstream(behaviour, **options)
        made.append(upstream)
        return upstream

    yield make
    for upstream in made:
        upstream.close()


@pytest.fixture
def gateway(workdir):
    """Start a gateway: gateway(AUTH_UPSTREAM=..., CUSTOMERS_UPSTREAM=..., ...); stopped after the test."""
    started = []

    def start(name: str = "gw", **variables: str) -> Gateway:
        directory = workdir / name
        directory.mkdir(mode=0o755)
        running = Gateway(directory, **variables)
        started.append(running)
        return running

    yield start
    for running in started:
        running.stop()
