"""Child processes we own: started in their own session, logged to a file, stopped exactly and only them."""

from __future__ import annotations

import datetime
import http.client
import os
import shutil
import signal
import socket
import ssl
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from pathlib import Path

from .errors import FleetError

SBIN_DIRS = ("/usr/local/sbin", "/usr/sbin", "/sbin")


def say(message: str) -> None:
    """One concise progress line; stderr so `dev`'s log stream on stdout stays clean."""
    print(f"devfleet: {message}", file=sys.stderr, flush=True)


def find_binary(name: str) -> str | None:
    """Like `which`, but also looks in sbin, which is not on a non-root PATH (nginx lives there)."""
    path = os.pathsep.join([os.environ.get("PATH", ""), *SBIN_DIRS])
    return shutil.which(name, path=path)


def make_dirs(path: Path, mode: int = 0o755) -> None:
    """mkdir -p with an explicit mode (not the umask's), so the postgres user can traverse what we made."""
    missing = []
    while not path.exists():
        missing.append(path)
        path = path.parent
    for directory in reversed(missing):
        directory.mkdir(exist_ok=True)
        os.chmod(directory, mode)


def tail(path: Path, lines: int = 30) -> str:
    """The end of a log, for error messages."""
    try:
        with open(path, "rb") as handle:
            handle.seek(0, os.SEEK_END)
            handle.seek(max(0, handle.tell() - 64 * 1024))
            text = handle.read().decode("utf-8", "replace")
    except OSError as exc:
        return f"(no log: {exc})"
    return "\n".join(text.splitlines()[-lines:])


def run_checked(argv: list[str], *, what: str, cwd: Path | None = None, env: dict | None = None,
                input: str | None = None, timeout: float | None = 600) -> str:
    """Run to completion; on failure raise with the command's whole output, never swallow it."""
    try:
        result = subprocess.run(
            argv, cwd=cwd, env=env, input=input, text=True, timeout=timeout,
            stdin=None if input is not None else subprocess.DEVNULL,
            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, start_new_session=True,
        )
    except FileNotFoundError as exc:
        raise FleetError(f"{what}: cannot run {argv[0]}: {exc.strerror}") from None
    except subprocess.TimeoutExpired as exc:
        raise FleetError(f"{what} did not finish within {timeout:.0f} s:\n{exc.output or ''}") from None
    if result.returncode != 0:
        raise FleetError(f"{what} failed (exit {result.returncode}):\n{result.stdout.rstrip()}")
    return result.stdout


# --- ports and probes ------------------------------------------------------------------------
def port_busy(port: int, host: str = "127.0.0.1") -> bool:
    """Bind the way servers do (SO_REUSEADDR): fails only if something really listens there."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            sock.bind((host, port))
        except OSError:
            return True
    return False


def check_ports_free(ports: dict[str, int]) -> None:
    """Refuse before starting anything, naming every busy port, rather than fail half-way."""
    busy = [f"port {port} ({name})" for name, port in ports.items() if port_busy(port)]
    if busy:
        raise FleetError(f"{', '.join(busy)} already in use on 127.0.0.1; stop whatever listens there "
                         "or choose other ports")


_NO_PROXY_OPENER = urllib.request.build_opener(urllib.request.ProxyHandler({}))


def http_ok(url: str, timeout: float = 2.0, cafile: Path | None = None) -> bool:
    """GET answers 200; never through an HTTP proxy from the environment; https verified against `cafile`."""
    opener = _NO_PROXY_OPENER
    if cafile is not None:
        context = ssl.create_default_context(cafile=str(cafile))
        opener = urllib.request.build_opener(urllib.request.ProxyHandler({}), urllib.request.HTTPSHandler(context=context))
    try:
        with opener.open(url, timeout=timeout) as response:
            return response.status == 200
    except (urllib.error.URLError, http.client.HTTPException, OSError, ValueError):
        return False


def redis_ping(port: int, timeout: float = 1.0) -> bool:
    """Redis answers PING, without a client library."""
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=timeout) as sock:
            sock.sendall(b"PING\r\n")
            return sock.recv(64).startswith(b"+PONG")
    except OSError:
        return False


# --- /proc helpers for exact process identity -----------------------------------------------
def _proc_stat(pid: int) -> dict | None:
    """State, session and start time of a process: pid plus start time names it uniquely."""
    try:
        raw = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    fields = raw[raw.rfind(")") + 2:].split()
    return {"state": fields[0], "session": int(fields[3]), "start": int(fields[19])}


def child_pids(parent: int) -> list[int]:
    """Live (not zombie) processes whose parent is `parent`: gunicorn's workers, nginx's, Postgres's backends."""
    children = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            raw = (entry / "stat").read_text()
        except OSError:
            continue
        fields = raw[raw.rfind(")") + 2:].split()
        if int(fields[1]) == parent and fields[0] != "Z":
            children.append(int(entry.name))
    return sorted(children)


def _boot_id() -> str:
    return Path("/proc/sys/kernel/random/boot_id").read_text().strip()


def _exe(pid: int) -> str:
    try:
        return os.readlink(f"/proc/{pid}/exe")
    except OSError:
        return "?"


def _session_members(session: int, not_before: int, exe: str) -> list[int]:
    """Live processes of one session, started no earlier than its leader, running its program: ours only."""
    members = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            pid = int(entry.name)
            stat = _proc_stat(pid)
            if (stat and stat["session"] == session and stat["start"] >= not_before and stat["state"] != "Z"
                    and _exe(pid) == exe):
                members.append(pid)
    return members


def stop_leftovers(run_dir: Path, timeout: float) -> None:
    """Stop children a crashed run left behind (recorded in pid files), and only those."""
    if not run_dir.is_dir():
        return
    order = ["gateway", "customers", "auth", "redis"]  # reverse start order; unknown names last

    def rank(pid_file: Path) -> tuple[int, str]:
        kind = pid_file.stem.split("-", 1)[0]  # customers-2 is a customers, gateway-tls a gateway
        return (order.index(kind) if kind in order else 99, pid_file.stem)

    pid_files = sorted(run_dir.glob("*.pid"), key=rank)
    for pid_file in pid_files:
        try:
            pid_text, start_text, boot_id, exe = pid_file.read_text().split(maxsplit=3)
            pid, start, exe = int(pid_text), int(start_text), exe.strip()
        except (OSError, ValueError):
            pid_file.unlink(missing_ok=True)
            continue
        if boot_id == _boot_id() and _session_members(pid, start, exe):
            say(f"stopping {pid_file.stem} left running by a previous run (pid {pid})")
            _terminate_session(pid, start, exe, timeout)
        pid_file.unlink(missing_ok=True)


def _terminate_session(leader: int, start: int, exe: str, timeout: float) -> None:
    """SIGTERM the leader, then SIGKILL whatever of its session remains after the timeout."""
    stat = _proc_stat(leader)
    if stat and stat["start"] == start and stat["state"] != "Z" and _exe(leader) == exe:
        os.kill(leader, signal.SIGTERM)
    deadline = time.monotonic() + timeout
    while _session_members(leader, start, exe) and time.monotonic() < deadline:
        time.sleep(0.1)
    for pid in _session_members(leader, start, exe):
        try:
            os.kill(pid, signal.SIGKILL)
        except ProcessLookupError:
            pass


class Child:
    """A long-running server we started: own session (no stray Ctrl-C), output appended to its log."""

    def __init__(self, name: str, argv: list[str], *, cwd: Path, env: dict, log_path: Path,
                 run_dir: Path) -> None:
        self.name, self.argv, self.cwd, self.env = name, argv, cwd, env
        self.log_path = log_path
        self.pid_file = run_dir / f"{name}.pid"
        self.process: subprocess.Popen | None = None

    def start(self) -> None:
        stamp = datetime.datetime.now().isoformat(timespec="seconds")
        with open(self.log_path, "ab") as log:
            log.write(f"--- devfleet: starting {self.name} at {stamp} ---\n".encode())
            log.flush()
            try:
                self.process = subprocess.Popen(
                    self.argv, cwd=self.cwd, env=self.env, stdin=subprocess.DEVNULL,
                    stdout=log, stderr=subprocess.STDOUT, start_new_session=True,
                )
            except FileNotFoundError as exc:
                raise FleetError(f"{self.name}: cannot run {self.argv[0]}: {exc.strerror}") from None
        # pid + start time + boot id + program name this process exactly, for stop_leftovers().
        pid = self.process.pid
        stat = _proc_stat(pid)
        exe = _exe(pid)  # Popen returns after the exec succeeded: this is the program, not us
        self.pid_file.write_text(f"{pid} {stat['start'] if stat else 0} {_boot_id()} {exe}\n")

    @property
    def pid(self) -> int | None:
        return self.process.pid if self.process else None

    def exited(self) -> int | None:
        """The exit code if it has exited (not reaped, so its session can still be swept), else None."""
        if self.process is None:
            return None
        if self.process.returncode is not None:
            return self.process.returncode
        info = os.waitid(os.P_PID, self.process.pid, os.WEXITED | os.WNOHANG | os.WNOWAIT)
        if info is None:
            return None
        killed = info.si_code in (os.CLD_KILLED, os.CLD_DUMPED)
        return -info.si_status if killed else info.si_status

    def failure(self, what: str) -> FleetError:
        return FleetError(f"{self.name} {what}; last 30 lines of {self.log_path}:\n{tail(self.log_path)}")

    def stop(self, timeout: float) -> None:
        """SIGTERM (graceful for gunicorn, nginx and redis), SIGKILL the session after the timeout."""
        if self.process is None:
            return
        pid = self.process.pid
        if self.exited() is None:
            try:
                os.kill(pid, signal.SIGTERM)
            except ProcessLookupError:
                pass
            deadline = time.monotonic() + timeout
            while self.exited() is None and time.monotonic() < deadline:
                time.sleep(0.05)
            if self.exited() is None:
                say(f"{self.name} (pid {pid}) ignored SIGTERM for {timeout:.0f} s: killing it")
        # The leader is a zombie or alive, so its pid (the session id) cannot be reused yet:
        # SIGKILL to the whole session reaches only what it started, such as orphaned workers.
        try:
            os.killpg(pid, signal.SIGKILL)
        except (ProcessLookupError, PermissionError):
            pass
        self.process.wait()
        self.pid_file.unlink(missing_ok=True)
        self.process = None


class LogStreamer:
    """Echo new lines of several log files to stdout, prefixed by their name (`make dev`'s terminal)."""

    def __init__(self, logs: dict[str, Path]) -> None:
        self._logs = logs
        self._offsets = {name: (path.stat().st_size if path.exists() else 0) for name, path in logs.items()}
        self._partial = {name: b"" for name in logs}
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="devfleet-logs", daemon=True)
        self._width = max(len(name) for name in logs)

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        """Flush what is left, but only if streaming had begun (a failed start already says why)."""
        if not self._thread.is_alive():
            return
        self._stop.set()
        self._thread.join(timeout=2)
        self._poll()

    def _run(self) -> None:
        while not self._stop.wait(0.2):
            self._poll()

    def _poll(self) -> None:
        for name, path in self._logs.items():
            try:
                with open(path, "rb") as handle:
                    handle.seek(self._offsets[name])
                    chunk = handle.read()
            except OSError:
                continue
            if not chunk:
                continue
            self._offsets[name] += len(chunk)
            *lines, self._partial[name] = (self._partial[name] + chunk).split(b"\n")
            for line in lines:
                text = line.decode("utf-8", "replace")
                sys.stdout.write(f"{name:<{self._width}} | {text}\n")
            sys.stdout.flush()
