"""Run wrk on loopback for a fixed time and read its summary back as JSON (a Lua `done` prints it)."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path

MARKER = "BENCH-RESULT "

# Appended to every script: wrk's own summary as one JSON line (latencies in microseconds).
DONE = r"""
done = function(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    'BENCH-RESULT {"requests":%d,"duration_us":%d,"bytes":%d,"p50_us":%d,"p90_us":%d,"p99_us":%d,'
    .. '"mean_us":%.1f,"max_us":%d,"errors":{"connect":%d,"read":%d,"write":%d,"status":%d,"timeout":%d}}\n',
    summary.requests, summary.duration, summary.bytes, latency:percentile(50), latency:percentile(90),
    latency:percentile(99), latency.mean, latency.max, e.connect, e.read, e.write, e.status, e.timeout))
end
"""

# Each wrk thread learns its number, so scripts can give every thread its own slice of data.
THREAD_IDS = r"""
local next_thread = 0
setup = function(thread)
  thread:set("tid", next_thread)
  next_thread = next_thread + 1
end
"""


def lua_string(value: str) -> str:
    """A Lua string literal of plain ASCII text (what the bench puts in: paths, tokens, JSON bodies)."""
    if not all(32 <= ord(c) < 127 for c in value) or "\\" in value:
        raise ValueError(f"not plain ASCII text: {value!r}")
    return "'" + value.replace("'", "\\'") + "'"


def headers_lua(headers: dict[str, str]) -> str:
    return "".join(f"wrk.headers[{lua_string(k)}] = {lua_string(v)}\n" for k, v in headers.items())


def static_script(*, method: str = "GET", headers: dict[str, str] | None = None, body: str | None = None) -> str:
    """The same request every time (wrk's fast path: no Lua per request)."""
    text = f"wrk.method = {lua_string(method)}\n" + headers_lua(headers or {})
    if body is not None:
        text += f"wrk.body = {lua_string(body)}\n"
    return text + DONE


def create_script(*, path: str, headers: dict[str, str], run_id: str) -> str:
    """POST a new customer each time: a unique e-mail per run, thread and request."""
    return THREAD_IDS + headers_lua(headers) + f"""
local path, run_id, counter = {lua_string(path)}, {lua_string(run_id)}, 0
request = function()
  counter = counter + 1
  local body = string.format('{{"name":"Bench %d","email":"bench-%s-%d-%d@example.com","company":"Bench"}}',
                             counter, run_id, tid, counter)
  return wrk.format("POST", path, nil, body)
end
""" + DONE


def refresh_script(*, path: str, headers: dict[str, str], tokens_file: Path, threads: int) -> str:
    """POST a refresh token never spent before: thread `tid` takes every `threads`-th line of the file."""
    return THREAD_IDS + headers_lua(headers) + f"""
local path, tokens, index = {lua_string(path)}, {{}}, 0
init = function(args)
  local n = 0
  for line in io.lines({lua_string(str(tokens_file))}) do
    if n % {int(threads)} == tid then tokens[#tokens + 1] = line end
    n = n + 1
  end
end
request = function()
  index = index + 1
  local token = tokens[index] or "exhausted"
  return wrk.format("POST", path, nil, '{{"refresh":"' .. token .. '"}}')
end
""" + DONE


@dataclass
class WrkResult:
    requests: int
    seconds: float
    rps: float
    p50_ms: float
    p90_ms: float
    p99_ms: float
    errors: dict[str, int]

    @property
    def error_count(self) -> int:
        return sum(self.errors.values())

    def as_dict(self) -> dict:
        return {"requests": self.requests, "seconds": round(self.seconds, 3), "rps": round(self.rps, 1),
                "p50_ms": round(self.p50_ms, 3), "p90_ms": round(self.p90_ms, 3), "p99_ms": round(self.p99_ms, 3),
                "errors": self.errors}


def wrk_binary() -> str | None:
    return shutil.which("wrk")


def ensure_wrk() -> str:
    """wrk, installed with apt-get when missing and we are root."""
    found = wrk_binary()
    if found:
        return found
    if os.geteuid() != 0:
        raise SystemExit("bench: wrk is not installed; run: sudo apt-get install -y wrk")
    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    print("bench: installing wrk (apt-get install -y wrk)", flush=True)
    if subprocess.run(["apt-get", "install", "-y", "wrk"], env=env, stdin=subprocess.DEVNULL).returncode != 0:
        subprocess.run(["apt-get", "update"], env=env, stdin=subprocess.DEVNULL, check=True)
        subprocess.run(["apt-get", "install", "-y", "wrk"], env=env, stdin=subprocess.DEVNULL, check=True)
    return wrk_binary() or "wrk"


def run(url: str, script: str, *, script_path: Path, seconds: float, threads: int, connections: int,
        timeout_s: float = 5.0) -> WrkResult:
    """One wrk run against a 127.0.0.1 URL, bounded in time."""
    if not re.match(r"^http://127\.0\.0\.1:\d+/", url):
        raise ValueError(f"the bench loads loopback only, not {url}")
    script_path.parent.mkdir(parents=True, exist_ok=True)
    script_path.write_text(script)
    argv = [wrk_binary() or "wrk", "-t", str(threads), "-c", str(connections), "-d", f"{seconds:g}s",
            "--timeout", f"{timeout_s:g}s", "-s", str(script_path), url]
    env = {k: v for k, v in os.environ.items() if k.lower() not in ("http_proxy", "https_proxy", "all_proxy")}
    completed = subprocess.run(argv, capture_output=True, text=True, timeout=seconds + 60, env=env)
    line = next((ln for ln in completed.stdout.splitlines() if ln.startswith(MARKER)), None)
    if completed.returncode != 0 or line is None:
        raise RuntimeError(f"wrk failed (exit {completed.returncode}): {completed.stdout}\n{completed.stderr}")
    data = json.loads(line[len(MARKER):])
    seconds_run = data["duration_us"] / 1e6
    return WrkResult(requests=data["requests"], seconds=seconds_run, rps=data["requests"] / seconds_run,
                     p50_ms=data["p50_us"] / 1000, p90_ms=data["p90_us"] / 1000, p99_ms=data["p99_us"] / 1000,
                     errors=data["errors"])
