"""Proportional set size (PSS) of the fleet's processes, from /proc/<pid>/smaps_rollup.

PSS divides each shared page among the processes that map it, so the PSS of every process adds up
to what the fleet really takes (copy-on-write pages of a gunicorn master are shared with its workers).
"""

from __future__ import annotations

import threading
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
