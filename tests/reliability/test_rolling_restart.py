"""Zero downtime, shown locally: both customers instances restarted one at a time under steady mixed load.

devfleet's rolling_restart() does what Kubernetes does: the instance leaves every gateway's upstream
first (endpoint removal; nginx reloads and its old workers finish what they hold, so no keep-alive
connection to the instance remains), then gets SIGTERM (gunicorn finishes in-flight requests), starts
again, answers /readyz and rejoins. The load's clients never retry, and open a connection per request:
a reload closes idle client connections, which a client reusing one could race — a cost of the local
stand-in for endpoint removal, which in Kubernetes never touches the gateway's client side.
"""

import time

import loadtest
from conftest import gateway_lines


def test_a_rolling_restart_under_load_fails_no_request(fleet, gateway, accounts, background, figure):
    users = accounts(6)
    pids_before = {i.name: fleet.child(i.name).pid for i in fleet.config.instances("customers")}
    offset = fleet.config.log_path("gateway").stat().st_size
    with background(users, keepalive=False) as load:
        time.sleep(3)
        started = time.monotonic()
        fleet.rolling_restart("customers")
        restart_seconds = time.monotonic() - started
        time.sleep(3)
    summary = loadtest.summarize(load.load.samples, allowed=())
    lines = gateway_lines(fleet, offset)
    server_errors = [line for line in lines if line["status"] >= 500]
    writes = loadtest.verify(gateway, users)

    figure("requests during the run", summary["requests"])
    figure("failed requests", summary["errors"])
    figure("gateway 5xx", len(server_errors))
    figure("rolling restart of 2 instances (s)", round(restart_seconds, 1))
    figure("acknowledged writes lost", writes["lost"] + writes["changed"] + writes["resurrected"])
    assert all(fleet.child(name).pid != pid for name, pid in pids_before.items()), "every instance was restarted"
    assert summary["requests"] > 200
    assert summary["errors"] == 0, (summary["statuses"], load.load.errors.most_common(5))
    assert not server_errors, server_errors[:5]
    assert writes["lost"] == writes["changed"] == writes["resurrected"] == 0, writes
