"""When a failed attempt may be tried again, and how long to wait before it."""

from __future__ import annotations

import random
import time

import requests

# Throttled (not processed) or the service unavailable: the same request may succeed later.
RETRY_STATUSES = {429, 502, 503, 504}


def retry_after(response: requests.Response | None) -> float | None:
    """The response's `Retry-After` in seconds (the delay form; a date is ignored)."""
    value = response.headers.get("Retry-After") if response is not None else None
    try:
        return float(value) if value is not None else None
    except ValueError:
        return None


def wait_to_retry(attempt: int, deadline: float, backoff: float, response: requests.Response | None = None) -> bool:
    """Sleep before the next attempt if `deadline` allows it: exponential backoff, jitter, at least Retry-After."""
    delay = min(backoff * 2 ** (attempt - 1), 5.0) * random.uniform(0.5, 1.0)
    delay = max(delay, retry_after(response) or 0.0)
    if time.monotonic() + delay > deadline:
        return False
    time.sleep(delay)
    return True
