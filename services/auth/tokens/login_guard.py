"""Brute-force limits on login, checked before any password is hashed.

Every attempt counts against the client address (DRF's `login` throttle scope, in Redis). Failed
attempts also count per username: past `AUTH_LOGIN_FAILURE_LIMIT` failures within the window, the
username answers 429 until the window ends — even to the right password, so guessing gains nothing.
The window is fixed and short (15 minutes by default), so an attacker's failures can delay the
real user at most that long and never lock them out for good. With Redis down the limits fall
back to this process's memory (per worker rather than fleet-wide): login keeps working and stays
limited.
"""

import hashlib

from django.conf import settings
from rest_framework.exceptions import Throttled

from fleet_common.throttling import CounterUnavailable, HitResult, LocalCounter, get_counter, outage, record_result

_fallback = LocalCounter()


def username_digest(username: str) -> str:
    """A username's pseudonym for Redis keys and log lines: a password typed as a username is not kept in clear."""
    return hashlib.sha256(username.strip().lower().encode()).hexdigest()


def _key(username: str) -> str:
    return "login-failures:" + username_digest(username)


def _counted(operation):
    """`operation(counter)` on Redis's counter, or on this process's while Redis does not answer."""
    if not outage.skipping():
        try:
            return operation(get_counter())
        except CounterUnavailable as error:
            outage.record(error)
    return operation(_fallback)


def check_username_not_blocked(request, username: str) -> None:
    """Raise 429 with Retry-After if this username has failed too often in the current window.

    The X-RateLimit-* headers then describe this limit, the one that refused the request.
    """
    failures, reset = _counted(lambda counter: counter.peek(_key(username)))
    limit = settings.AUTH_LOGIN_FAILURE_LIMIT
    if failures >= limit:
        record_result(request, HitResult(allowed=False, limit=limit, remaining=0, reset_seconds=reset))
        raise Throttled(wait=reset, detail="Too many failed logins for this account; try again later.")


def record_failure(username: str) -> None:
    key, limit, window = _key(username), settings.AUTH_LOGIN_FAILURE_LIMIT, settings.AUTH_LOGIN_FAILURE_WINDOW
    _counted(lambda counter: counter.hit(key, limit, window))
