"""The security suite's fleet: the test fleet with its rate limits raised so fuzzing is not throttled, a record of
every credential issued during the run (the last tests look for each in every log line), and the figures of the
run (docs/security.md), written to <state dir>/security-figures.json and printed at the end.

The shipped limits themselves are tested through a second gateway with the shipped edge limits, in front of a
customers instance with the shipped throttles (`production_limits`), beside this fleet.
"""

from __future__ import annotations

import json
import os
import re
from pathlib import Path
from types import SimpleNamespace

import pytest
import requests

from devfleet import Fleet
from helpers import RAISED_RATES, ROOT, Issued, User, free_port, make_staff, manage, security_config

STATE_DIR = Path(os.environ.get("DEVFLEET_STATE_DIR", ROOT / "var" / "test-security"))
FIGURES: dict[str, dict] = {}


@pytest.fixture(scope="session")
def issued() -> Issued:
    return Issued()


@pytest.fixture(scope="session")
def fleet():
    with Fleet(security_config(STATE_DIR)) as running:
        yield running


@pytest.fixture(scope="session")
def gateway(fleet) -> str:
    return f"http://127.0.0.1:{fleet.config.gateway_port}"


@pytest.fixture(scope="session")
def new_user(gateway, issued):
    return lambda **kwargs: User(gateway, issued, **kwargs)


@pytest.fixture(scope="session")
def alice(new_user) -> User:
    return new_user(prefix="alice")


@pytest.fixture(scope="session")
def bob(new_user) -> User:
    return new_user(prefix="bob")


@pytest.fixture(scope="session")
def admin(fleet, new_user) -> User:
    return make_staff(fleet, new_user(prefix="admin"))


@pytest.fixture(scope="session")
def service_client(fleet, gateway, issued):
    """A service client with customers:admin, created with the operator's command; its secret and token recorded."""
    out = manage(fleet, "auth", "service_client", "create", "security-suite",
                 "--scope", "customers:admin", "customers:read", "customers:write")
    values = dict(re.findall(r"^(client_id|client_secret)=(\S+)$", out, re.M))
    issued.add("client_secret", values["client_secret"])
    response = requests.post(f"{gateway}/v2/auth/oauth/token/", auth=(values["client_id"], values["client_secret"]),
                             data={"grant_type": "client_credentials"}, timeout=10)
    assert response.status_code == 200, response.text
    issued.add_tokens(response.json())
    return SimpleNamespace(client_id=values["client_id"], secret=values["client_secret"],
                           token=response.json()["access_token"])


@pytest.fixture(scope="session")
def production_limits(fleet):
    """The URL of a gateway with the shipped edge limits, in front of auth and of a customers gunicorn with the
    shipped throttle rates: the limits the raised fleet cannot show."""
    port, gateway_port = free_port(), free_port()
    fleet.start_extra_instance("customers", "customers-limits", port=port,
                               env={name: None for name in RAISED_RATES})
    fleet.start_gateway("gateway-limits", directory=fleet.config.state_dir / "gateway-limits", port=gateway_port,
                        tls_port=free_port(), overrides={"GATEWAY_AUTH_RATE": None, "GATEWAY_AUTH_BURST": None,
                                                         "CUSTOMERS_UPSTREAM": f"127.0.0.1:{port}"})
    yield f"http://127.0.0.1:{gateway_port}"
    fleet.stop_instance("gateway-limits")
    fleet.stop_instance("customers-limits")


# --- figures of the run -------------------------------------------------------------------------------
@pytest.fixture
def record(request):
    """`record(requests=12, ...)`: counts this test reports, in the summary table and security-figures.json."""
    entry = FIGURES.setdefault(request.node.nodeid, {"counts": {}})
    return entry["counts"].update


def _item(nodeid: str) -> str:
    module = nodeid.split("::")[0].rsplit("/", 1)[-1]
    match = re.match(r"test_owasp_(api\d+)_", module)
    if match:
        return match.group(1).upper()
    return {"test_fuzz_schemathesis.py": "fuzzing", "test_hostile_strings.py": "hostile strings",
            "test_zz_after_the_run.py": "after the run"}.get(module, module)


def pytest_runtest_logreport(report):
    if report.when == "call" or report.outcome != "passed":
        entry = FIGURES.setdefault(report.nodeid, {"counts": {}})
        entry.update(item=_item(report.nodeid), outcome=report.outcome,
                     seconds=round(entry.get("seconds", 0) + report.duration, 1))


def pytest_sessionfinish(session, exitstatus):
    if FIGURES and STATE_DIR.is_dir():
        (STATE_DIR / "security-figures.json").write_text(json.dumps(FIGURES, indent=1, sort_keys=True))


def pytest_terminal_summary(terminalreporter):
    if not FIGURES:
        return
    terminalreporter.section("security figures (docs/security.md)")
    terminalreporter.write_line("| item | test | result | s | counts |")
    terminalreporter.write_line("|---|---|---|---|---|")
    for nodeid, entry in FIGURES.items():
        counts = ", ".join(f"{key} {value}" for key, value in entry["counts"].items())
        name = nodeid.split("::", 1)[-1]
        terminalreporter.write_line(f"| {entry.get('item', '')} | `{name}` | {entry.get('outcome', '')} | "
                                    f"{entry.get('seconds', '')} | {counts} |")


# --- order ------------------------------------------------------------------------------------------
def pytest_collection_modifyitems(session, config, items):
    """Fuzzing first (its own identities, before anything is throttled); the checks of the whole run last."""
    def rank(item) -> int:
        if item.get_closest_marker("last"):
            return 2
        return 0 if "test_fuzz_schemathesis" in item.nodeid else 1
    items.sort(key=rank)


def pytest_configure(config):
    config.addinivalue_line("markers", "last: run after every other test of the suite")
