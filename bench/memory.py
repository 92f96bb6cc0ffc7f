"""Proportional set size (PSS) of the fleet's processes, from /proc/<pid>/smaps_rollup.

PSS divides each shared page among the processes that map it, so the PSS of every process adds up
to what the fleet really takes (copy-on-write pages of a gunicorn master are shared with its workers).
"""

from __future__ import annotations

import os
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path


def pss_kib(pid: int) -> int | None:
    try:
        for line in Path(f"/proc/{pid}/smaps_rollup").read_text().splitlines():
            if line.startswith("Pss:"):
                return int(line.split()[1])
    except (OSError, ValueError, IndexError):
        return None
    return None


def children(pid: int) -> list[int]:
    try:
        return [int(p) for p in Path(f"/proc/{pid}/task/{pid}/children").read_text().split()]
    except (OSError, ValueError):
        return []


def cpu_seconds(pid: int, tid: int | None = None) -> float:
    """User plus system CPU time so far of one process, or of one of its threads."""
    try:
        raw = Path(f"/proc/{pid}/stat" if tid is None else f"/proc/{pid}/task/{tid}/stat").read_text()
    except OSError:
        return 0.0
    fields = raw[raw.rfind(")") + 2:].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def cpu_snapshot(groups: list["Group"]) -> dict[str, dict[int, float]]:
    """CPU seconds per process of every group: diff two snapshots for what a scenario cost each server."""
    return {g.name: {pid: cpu_seconds(pid) for pid in (g.pid, *children(g.pid))} for g in groups}


def thread_cpu_snapshot(group: "Group") -> dict[int, dict[int, float]]:
    """CPU seconds of every thread of each worker of `group`: {worker pid: {thread id: seconds}}."""
    snap = {}
    for pid in children(group.pid):
        try:
            tids = [int(task.name) for task in Path(f"/proc/{pid}/task").iterdir()]
        except OSError:
            continue
        snap[pid] = {tid: cpu_seconds(pid, tid) for tid in tids}
    return snap


def busiest_threads_seconds(before: dict, after: dict, count: int) -> float:
    """Seconds used between two thread snapshots by the `count` busiest threads of each worker."""
    total = 0.0
    for pid, threads in after.items():
        used = sorted((t - before.get(pid, {}).get(tid, 0.0) for tid, t in threads.items()), reverse=True)
        total += sum(used[:count])
    return total


def cpu_used(before: dict, after: dict) -> dict[str, float]:
    """Seconds per group between two snapshots (processes gone meanwhile are not counted)."""
    return {name: sum(t - before.get(name, {}).get(pid, 0.0) for pid, t in procs.items())
            for name, procs in after.items()}


def wait_until_idle(groups: list["Group"], *, cores: float = 0.1, interval: float = 0.25,
                    timeout: float = 5.0) -> float:
    """Wait until the fleet uses under `cores` of a core over `interval` (at most `timeout`); the seconds waited.

    Requests a scenario left queued when wrk stopped (logins waiting for a hashing thread) must not run into
    the next scenario's window.
    """
    started = time.monotonic()
    before = cpu_snapshot(groups)
    while time.monotonic() - started < timeout:
        time.sleep(interval)
        after = cpu_snapshot(groups)
        if sum(cpu_used(before, after).values()) < cores * interval:
            break
        before = after
    return time.monotonic() - started


def busiest_worker_share(before: dict, after: dict, group: "Group") -> float:
    """The largest share one worker of `group` had of its workers' CPU between two snapshots."""
    used = [t - before.get(group.name, {}).get(pid, 0.0) for pid, t in after.get(group.name, {}).items()
            if pid != group.pid]
    return max(used) / sum(used) if sum(used) > 0 else 1.0


@dataclass(frozen=True)
class Group:
    """One server of the fleet: a master (or lone process) and its workers."""

    name: str
    pid: int


def snapshot(groups: list[Group]) -> dict[str, dict]:
    """{group: {"master": kib, "workers": {pid: kib}}} for the processes alive now."""
    result = {}
    for group in groups:
        workers = {pid: kib for pid in children(group.pid) if (kib := pss_kib(pid)) is not None}
        result[group.name] = {"master": pss_kib(group.pid) or 0, "workers": workers}
    return result


def total_kib(snap: dict[str, dict]) -> int:
    return sum(entry["master"] + sum(entry["workers"].values()) for entry in snap.values())


@dataclass
class PeakSampler:
    """Samples in a thread while load runs; keeps each process's largest PSS and the largest fleet total."""

    groups: list[Group]
    interval: float = 0.5
    peak_worker: dict[str, int] = field(default_factory=dict)  # group -> largest PSS of any one worker
    peak_total: int = 0
    _stop: threading.Event = field(default_factory=threading.Event)
    _thread: threading.Thread | None = None

    def __enter__(self) -> "PeakSampler":
        self._stop.clear()
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self._stop.set()
        if self._thread:
            self._thread.join()

    def _run(self) -> None:
        while not self._stop.wait(self.interval):
            snap = snapshot(self.groups)
            self.peak_total = max(self.peak_total, total_kib(snap))
            for name, entry in snap.items():
                largest = max(entry["workers"].values(), default=entry["master"])
                self.peak_worker[name] = max(self.peak_worker.get(name, 0), largest)
