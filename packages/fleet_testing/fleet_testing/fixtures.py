"""pytest fixtures both services' suites load (`pytest_plugins = ["fleet_testing.fixtures"]`)."""

import pytest


@pytest.fixture
def other_session():
    """A second session on the test database: holds a lock or a transaction open, as another request would."""
    from django.db import DEFAULT_DB_ALIAS, connections

    other = connections.create_connection(DEFAULT_DB_ALIAS)
    other.ensure_connection()
    yield other
    other.close()
