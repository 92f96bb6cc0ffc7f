"""Argon2id with explicit, measured parameters, and a bound on how many hashes run at once.

Django's default Argon2 parameters take 100 MiB per hash. OWASP's minimum is m = 19 MiB, t = 2,
p = 1; we use m = 19 MiB, t = 3, p = 1, measured at ~24 ms per hash on a 2-core CI machine
(`make bench` reports the hasher's own rate). At most `AUTH_MAX_CONCURRENT_HASHES` hashes run at
once per process, so a login flood costs bounded memory: the rest wait briefly, then get a 503.

The hashes themselves run on that many dedicated threads per process. glibc serves a 19 MiB block
from the malloc arena of the thread that asks and keeps it there once freed (after the first free it
raises its mmap threshold to that size), so hashing on whichever gunicorn thread took the request
would leave every such thread holding 19 MiB for good: 147 MiB PSS per idle auth worker instead of
~70 with 4 threads (`make bench`, docs/benchmarks.md). Two hashing threads keep at most two blocks,
reused hot; returning each block to the system instead (an explicit mmap threshold) costs ~13 ms of
page faults per hash (+50 %).
"""

import threading
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager

from django.conf import settings
from django.contrib.auth.hashers import Argon2PasswordHasher

from fleet_common.exceptions import ServiceUnavailable


class FleetArgon2PasswordHasher(Argon2PasswordHasher):
    """Argon2id, 19 MiB, 3 passes, 1 lane; hashes with other parameters verify and are re-hashed at login."""

    time_cost = 3
    memory_cost = 19 * 1024
    parallelism = 1

    def encode(self, password, salt):
        return _on_hashing_thread(super().encode, password, salt)

    def verify(self, password, encoded):
        return _on_hashing_thread(super().verify, password, encoded)


_slots: threading.BoundedSemaphore | None = None
_slots_lock = threading.Lock()
_hashing_threads: ThreadPoolExecutor | None = None


def _on_hashing_thread(function, *args):
    """Run one hash on the process's own hashing threads (made on first use, after gunicorn forks)."""
    global _hashing_threads
    with _slots_lock:
        if _hashing_threads is None:
            _hashing_threads = ThreadPoolExecutor(max_workers=settings.AUTH_MAX_CONCURRENT_HASHES,
                                                  thread_name_prefix="argon2")
    return _hashing_threads.submit(function, *args).result()


@contextmanager
def hashing_slot():
    """Wait up to a second for one of the process's hashing slots, else answer 503."""
    global _slots
    with _slots_lock:
        if _slots is None:
            _slots = threading.BoundedSemaphore(settings.AUTH_MAX_CONCURRENT_HASHES)
    if not _slots.acquire(timeout=1.0):
        raise ServiceUnavailable("Too many logins at once; try again shortly.")
    try:
        yield
    finally:
        _slots.release()
