"""DrainingSyncWorker under a real gunicorn: on SIGTERM the connections waiting in its listen backlog are served; on SIGQUIT not."""

import os
import signal
import socket
import subprocess
import sys
import threading
import time

import pytest
import requests

from fleet_testing import free_port

# Each request takes 0.5 s, so with one worker the later ones wait in the listen backlog; the first marks its start.
APP = """
import os
import time
from pathlib import Path


def application(environ, start_response):
    Path(os.environ["STARTED_MARK"]).touch()
    time.sleep(0.5)
    start_response("200 OK", [("Content-Type", "text/plain")])
    return [b"done"]
"""
REQUESTS = 4


def wait_for_listener(port: int, process: subprocess.Popen) -> None:
    deadline = time.monotonic() + 15
    while time.monotonic() < deadline:
        assert process.poll() is None, "gunicorn exited at start-up"
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
            return
        except OSError:
            time.sleep(0.05)
    raise AssertionError("gunicorn did not listen within 15 s")


@pytest.mark.parametrize(("extra_args", "stop", "completed"), [
    ([], signal.SIGTERM, REQUESTS),
    (["--worker-class", "sync"], signal.SIGTERM, 1),
    ([], signal.SIGQUIT, 0),  # a fast stop stays fast: the request in hand fails, the waiting ones are dropped
], ids=["draining", "gunicorn's own sync worker", "SIGQUIT drains nothing"])
def test_sigterm_serves_the_connections_already_waiting_and_sigquit_does_not(tmp_path, extra_args, stop, completed):
    (tmp_path / "app.py").write_text(APP)
    started = tmp_path / "started"
    port = free_port()
    env = {**os.environ, "GUNICORN_BIND": f"127.0.0.1:{port}", "GUNICORN_WORKERS": "1", "GUNICORN_THREADS": "1",
           "PROMETHEUS_MULTIPROC_DIR": str(tmp_path / "metrics"), "STARTED_MARK": str(started)}
    process = subprocess.Popen([sys.executable, "-m", "gunicorn", "-c", "python:fleet_common.gunicorn_conf",
                                "--chdir", str(tmp_path), *extra_args, "app:application"],
                               env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        wait_for_listener(port, process)
        results: list[int | str] = []

        def get() -> None:
            try:
                results.append(requests.get(f"http://127.0.0.1:{port}/", timeout=10).status_code)
            except requests.RequestException as exc:
                results.append(type(exc).__name__)

        clients = [threading.Thread(target=get) for _ in range(REQUESTS)]
        for client in clients:
            client.start()
        deadline = time.monotonic() + 5
        while not started.exists() and time.monotonic() < deadline:
            time.sleep(0.01)
        time.sleep(0.1)  # the other connections are in the backlog by now
        process.send_signal(stop)
        for client in clients:
            client.join(timeout=15)
        assert process.wait(timeout=15) == 0
    finally:
        if process.poll() is None:
            process.kill()
    assert results.count(200) == completed, results
