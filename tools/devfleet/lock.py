"""One fleet per state dir: an flock the kernel releases even if the holder crashes."""

from __future__ import annotations

import fcntl
import os
from pathlib import Path

from .errors import FleetError
from .processes import make_dirs


class StateLock:
    """Non-blocking exclusive flock on <state_dir>/fleet.lock, holding the holder's pid for the message."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._fd: int | None = None

    @property
    def held(self) -> bool:
        return self._fd is not None

    def acquire(self) -> None:
        """Take the lock or fail at once, touching nothing but the lock file itself."""
        if self._fd is not None:
            return
        make_dirs(self.path.parent)
        fd = os.open(self.path, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o644)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            holder = os.pread(fd, 32, 0).decode(errors="replace").strip() or "unknown"
            os.close(fd)
            raise FleetError(f"a fleet is already running from {self.path.parent} (pid {holder})") from None
        os.ftruncate(fd, 0)
        os.pwrite(fd, f"{os.getpid()}\n".encode(), 0)
        self._fd = fd

    def release(self) -> None:
        if self._fd is None:
            return
        os.ftruncate(self._fd, 0)
        fcntl.flock(self._fd, fcntl.LOCK_UN)
        os.close(self._fd)
        self._fd = None
