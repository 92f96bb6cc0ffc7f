"""Brute-force limits on login, checked before any password is hashed.

Every attempt counts against the client address (DRF's `login` throttle scope, in Redis). Failed
attempts also count per username (each counted before its hash, given back if it was right): past
`AUTH_LOGIN_FAILURE_LIMIT` failures within the window, the username answers 429 until the window
ends — even to the right password, so guessing gains nothing.
The window is fixed and short (15 minutes by default), so an attacker's failures can delay the
real user at most that long and never lock them out for good. With Redis down the limits fall
back to this process's memory (per worker rather than fleet-wide): login keeps working and stays
limited.
"""

import hashlib

from django.conf import settings
from rest_framework.exceptions import Throttled

from fleet_common.throttling import CounterUnavailable, LocalCounter, get_counter, outage, record_result

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


def count_attempt(request, username: str) -> None:
    """Count this attempt as a failure before any password is hashed: past the limit, 429 with Retry-After.

    Counted first, attempts still being checked count too, so guesses sent all at once stop at the limit
    as guesses sent one by one do; `forgive_attempt` takes it back when it was no wrong password. The
    X-RateLimit-* headers of a refusal describe this limit, the one that refused the request.
    """
    limit, window = settings.AUTH_LOGIN_FAILURE_LIMIT, settings.AUTH_LOGIN_FAILURE_WINDOW
    result = _counted(lambda counter: counter.hit(_key(username), limit, window))
    if not result.allowed:
        forgive_attempt(username)  # refused unchecked: no failure either
        record_result(request, result)
        raise Throttled(wait=result.reset_seconds, detail="Too many failed logins for this account; try again later.")


def forgive_attempt(username: str) -> None:
    """The password was right, or never checked (a 503): the attempt is no failure."""
    _counted(lambda counter: counter.release(_key(username)))
