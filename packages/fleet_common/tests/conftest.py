"""A real JWKS served over HTTP on loopback, and tokens signed with its key."""

import pytest

from fleet_testing import KeyServer


@pytest.fixture
def key_server():
    server = KeyServer()
    yield server
    server.stop()
