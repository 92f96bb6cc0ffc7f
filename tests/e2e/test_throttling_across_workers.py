"""The rate limit holds across processes and workers: 16 clients, 2 gunicorns of 4 workers, one shared count."""

import json
import os
import signal
import subprocess
import threading
import time
from collections import Counter

import pytest
import requests

from devfleet import REPO_ROOT
from fleet_testing import free_port

LIMIT = 200
CLIENTS = 16
REQUESTS_PER_CLIENT = 25  # 400 requests in all: twice the limit


def pids_in(log_path, path_prefix: str) -> Counter:
    """Worker pids from the JSON access log lines (fleet_common.logging.AccessLogMiddleware)."""
    pids = Counter()
    for line in log_path.read_text().splitlines():
        try:
            record = json.loads(line)
        except ValueError:
            continue
        if record.get("event") == "request" and record.get("path", "").startswith(path_prefix):
            pids[record["pid"]] += 1
    return pids


@pytest.fixture
def two_customers_processes(fleet, tmp_path):
    """Two more customers gunicorns of 4 workers each, sharing the fleet's Redis, with a low user rate."""
    processes, logs = [], []
    ports = [free_port(), free_port()]
    for port in ports:
        env = fleet.env_for("customers")
        env.update({"GUNICORN_BIND": f"127.0.0.1:{port}", "GUNICORN_WORKERS": "4",
                    "THROTTLE_RATE_USER": f"{LIMIT}/hour"})
        log_path = tmp_path / f"customers-{port}.log"
        with open(log_path, "wb") as log:
            processes.append(subprocess.Popen(
                [str(REPO_ROOT / ".venv" / "bin" / "gunicorn"), "-c", "python:fleet_common.gunicorn_conf",
                 "config.wsgi"], cwd=REPO_ROOT / "services" / "customers", env=env, stdout=log,
                stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL, start_new_session=True))
        logs.append(log_path)
    try:
        _wait_for_every_worker(ports, logs, processes)
        yield ports, logs
    finally:
        for process in processes:
            os.killpg(process.pid, signal.SIGTERM)
        for process in processes:
            try:
                process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait()


def _wait_for_every_worker(ports, logs, processes, timeout: float = 60) -> None:
    """Probe /healthz (not throttled) until each process has answered from all four of its workers."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        for process in processes:
            assert process.poll() is None, "a customers gunicorn exited while starting"
        for port in ports:
            try:
                requests.get(f"http://127.0.0.1:{port}/healthz", timeout=2)
            except requests.RequestException:  # not listening yet, or every worker still booting
                pass
        if all(len(pids_in(log, "/healthz")) >= 4 for log in logs):
            return
        time.sleep(0.02)
    pytest.fail(f"workers did not all answer within {timeout} s: {[dict(pids_in(log, '/healthz')) for log in logs]}")


def test_sixteen_clients_against_eight_workers_get_the_limit_within_ten_percent(two_customers_processes, new_user):
    ports, logs = two_customers_processes
    user = new_user()
    barrier, statuses = threading.Barrier(CLIENTS), []

    def client(index: int):
        port = ports[index % 2]
        barrier.wait()
        for _ in range(REQUESTS_PER_CLIENT):  # a new connection each time, as many clients make
            response = requests.get(f"http://127.0.0.1:{port}/v2/customers/", headers=user.headers, timeout=15)
            statuses.append(response.status_code)

    threads = [threading.Thread(target=client, args=(i,)) for i in range(CLIENTS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    counts = Counter(statuses)
    assert set(counts) <= {200, 429} and sum(counts.values()) == CLIENTS * REQUESTS_PER_CLIENT, counts
    assert abs(counts[200] - LIMIT) <= LIMIT * 0.10, counts
    workers = Counter()
    for log in logs:
        workers.update(pids_in(log, "/v2/customers/"))
    assert len(workers) >= 6, f"requests were served by only {len(workers)} workers: {dict(workers)}"
    print(f"\naccepted {counts[200]} of {sum(counts.values())} (limit {LIMIT}); "
          f"{len(workers)} worker pids served them: {dict(workers)}")
