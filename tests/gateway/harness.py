"""What the gateway tests run: render.sh, nginx with the rendered configuration, and stand-in upstreams
whose behaviour each test chooses (answer, hang up, stall, refuse). No Django, no database."""

import json
import os
import socket
import subprocess
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import requests

from devfleet.processes import find_binary
from fleet_testing import free_port

ROOT = Path(__file__).resolve().parents[2]
RENDER = ROOT / "gateway" / "render.sh"
STATE = ROOT / "var" / "test-gateway"
NGINX = find_binary("nginx")


def render(outdir: Path, **variables: str) -> subprocess.CompletedProcess:
    """gateway/render.sh with exactly these variables (nothing inherited from the caller's GATEWAY_*)."""
    env = {"PATH": os.environ["PATH"], **variables}
    return subprocess.run(["bash", str(RENDER), str(outdir)], env=env, capture_output=True, text=True)


def nginx_argv(confdir: Path, *extra: str) -> list[str]:
    prefix = confdir.parent / "prefix"
    (prefix / "tmp").mkdir(parents=True, exist_ok=True)
    return [NGINX, "-e", "stderr", "-p", str(prefix), "-c", str(confdir / "nginx.conf"), *extra]


class Upstream:
    """A stand-in service on 127.0.0.1: records every request, then does what `behaviour` says.

    echo    200 with a JSON body describing the request (method, path, headers), plus `headers`
    status  `status` with `headers` and `body`
    slow    like echo, after `delay` seconds
    hangup  reads the request and closes the connection without a byte of response
    """

    def __init__(self, behaviour: str = "echo", *, status: int = 200, headers: dict | None = None,
                 body: bytes | None = None, delay: float = 0.0):
        self.behaviour, self.status, self.headers, self.body, self.delay = behaviour, status, headers or {}, body, delay
        self.requests: list[dict] = []
        self.in_flight = 0
        self.max_in_flight = 0
        self._lock = threading.Lock()
        upstream = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"  # keep-alive, as gunicorn's gthread workers

            def handle_request(self):
                length = int(self.headers.get("Content-Length") or 0)
                self.rfile.read(length)
                seen = {"method": self.command, "path": self.path, "headers": dict(self.headers),
                        "connection": self.client_address[1]}  # nginx's source port: one per upstream connection
                with upstream._lock:
                    upstream.requests.append(seen)
                    upstream.in_flight += 1
                    upstream.max_in_flight = max(upstream.max_in_flight, upstream.in_flight)
                try:
                    upstream.respond(self, seen)
                finally:
                    with upstream._lock:
                        upstream.in_flight -= 1

            do_GET = do_HEAD = do_POST = do_PUT = do_PATCH = do_DELETE = handle_request

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.port = self.server.server_port
        self.address = f"127.0.0.1:{self.port}"
        threading.Thread(target=self.server.serve_forever, args=(0.05,), daemon=True).start()

    def respond(self, handler: BaseHTTPRequestHandler, seen: dict) -> None:
        if self.behaviour == "hangup":
            handler.close_connection = True
            return
        if self.behaviour == "slow":
            time.sleep(self.delay)
        body = self.body if self.behaviour == "status" else json.dumps(seen).encode()
        handler.send_response(self.status if self.behaviour == "status" else 200)
        handler.send_header("Content-Type", "application/json")
        for name, value in self.headers.items():
            handler.send_header(name, value)
        handler.send_header("Content-Length", str(len(body)))
        handler.end_headers()
        if handler.command != "HEAD":
            handler.wfile.write(body)

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


class Blackhole:
    """A port that accepts no connection in time: its backlog is full, so the kernel drops new SYNs."""

    def __init__(self):
        self.listener = socket.socket()
        self.listener.bind(("127.0.0.1", 0))
        self.listener.listen(0)
        self.address = f"127.0.0.1:{self.listener.getsockname()[1]}"
        self.fillers = []
        for _ in range(8):  # fill the accept queue, whatever its exact length
            filler = socket.socket()
            filler.settimeout(0.2)
            try:
                filler.connect(self.listener.getsockname())
            except OSError:
                filler.close()
                break
            self.fillers.append(filler)

    def close(self) -> None:
        for sock in [*self.fillers, self.listener]:
            sock.close()


class Gateway:
    """nginx from the real templates, rendered with `variables`, in the foreground, logging to a file."""

    def __init__(self, workdir: Path, **variables: str):
        self.workdir = workdir
        self.port = int(variables.setdefault("GATEWAY_PORT", str(free_port())))
        self.tls_port = int(variables.setdefault("GATEWAY_TLS_PORT", str(free_port())))
        self.url = f"http://127.0.0.1:{self.port}"
        self.https_url = f"https://127.0.0.1:{self.tls_port}"
        self.confdir = workdir / "conf"
        rendered = render(self.confdir, **variables)
        assert rendered.returncode == 0, rendered.stderr
        self.log_path = workdir / "nginx.log"
        with open(self.log_path, "ab") as log:
            self.process = subprocess.Popen(nginx_argv(self.confdir, "-g", "daemon off;"), stdin=subprocess.DEVNULL,
                                            stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
        deadline = time.monotonic() + 10
        while True:
            try:
                if requests.get(f"{self.url}/healthz", timeout=1).status_code == 200:
                    break
            except requests.ConnectionError:
                pass
            assert self.process.poll() is None, self.log()
            assert time.monotonic() < deadline, f"nginx did not answer /healthz:\n{self.log()}"
            time.sleep(0.05)

    def log(self) -> str:
        return self.log_path.read_text(errors="replace")

    def access_log(self) -> list[dict]:
        return [json.loads(line) for line in self.log().splitlines() if line.startswith('{"time"')]

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(10)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, 9)
                self.process.wait()
