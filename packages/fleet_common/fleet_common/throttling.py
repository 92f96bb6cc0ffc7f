"""Rate limits that hold across every worker and replica: one atomic counter in Redis.

DRF's throttles keep a history list in Django's cache and update it with a get-then-set, which
loses counts under concurrency (and `LocMemCache` is per process). Here a counter is one Redis key
per (scope, caller, window), bumped by a Lua script, so the increment, the window's expiry and the
read of its remaining time happen in one step on the server.

The choice is a fixed window: the first hit starts a window of `window` seconds, every hit in it
increments the key, and the key expires with the window. It costs one key per caller and one round
trip per request (all of its throttles at once), and counts exactly; its known trade-off is that a
caller can spend a full limit at the end of one window and another at the start of the next (at
most 2x the limit across a boundary). auth's login guard counts with the same counter (`get_counter()`).

With Redis unreachable the throttles let requests through (throttling degrades, the service does
not fail) and log one warning per interval; `RedisCounter.hit()` itself raises `CounterUnavailable`,
so a caller that must not go unlimited (a brute-force limit) can choose how: auth's login guard
counts in its own process's memory meanwhile.
"""

from __future__ import annotations

import math
import threading
import time
from dataclasses import dataclass
from functools import lru_cache

import redis
import structlog
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from rest_framework import exceptions, throttling
from rest_framework.permissions import SAFE_METHODS
from rest_framework.settings import api_settings

logger = structlog.get_logger(__name__)

KEY_PREFIX = "fleet:rl:"
REDIS_TIMEOUT_SECONDS = 0.2
WARNING_INTERVAL_SECONDS = 60.0
RETRY_REDIS_AFTER_SECONDS = 1.0

# KEYS[i] = a counter; ARGV[i] = its window in ms. Returns {count, milliseconds left in the window}
# for each counter in turn: a request's throttles are counted in one round trip.
_FIXED_WINDOW = """
local out = {}
for i, key in ipairs(KEYS) do
  local count = redis.call('INCR', key)
  if count == 1 then
    redis.call('PEXPIRE', key, ARGV[i])
  end
  local ttl = redis.call('PTTL', key)
  if ttl < 0 then
    redis.call('PEXPIRE', key, ARGV[i])
    ttl = tonumber(ARGV[i])
  end
  out[#out + 1] = count
  out[#out + 1] = ttl
end
return out
"""


# Take one hit back from a window still running (never create a key, nor go below zero).
_RELEASE = """
if tonumber(redis.call('GET', KEYS[1]) or '0') > 0 then
  return redis.call('DECR', KEYS[1])
end
return 0
"""


class CounterUnavailable(Exception):
    """Redis could not be reached in time; the caller decides whether to fail open or closed."""


@dataclass(frozen=True)
class HitResult:
    """One counted hit: whether it is within the limit, and what is left of the window."""

    allowed: bool
    limit: int
    remaining: int
    reset_seconds: int


class RedisCounter:
    """Fixed-window counters in one Redis database, safe to share between threads."""

    def __init__(self, client: redis.Redis, *, prefix: str = KEY_PREFIX):
        self.client = client
        self.prefix = prefix
        self._script = client.register_script(_FIXED_WINDOW)
        self._release = client.register_script(_RELEASE)
        self._own = threading.local()  # each thread's own connection for hit()

    @classmethod
    def from_url(cls, url: str, *, timeout: float = REDIS_TIMEOUT_SECONDS) -> "RedisCounter":
        """Short timeouts: a slow Redis must not slow every request down."""
        client = redis.Redis.from_url(url, socket_connect_timeout=timeout, socket_timeout=timeout,
                                      retry_on_timeout=False)
        return cls(client)

    def hit(self, key: str, limit: int, window: int) -> HitResult:
        """Count one hit on `key`; allowed while the window's count is at most `limit`."""
        return self.hit_many([(key, limit, window)])[0]

    def hit_many(self, counters: list[tuple[str, int, int]]) -> list[HitResult]:
        """Count one hit on each (key, limit, window) in one round trip, each as `hit` would."""
        keys = [self.prefix + key for key, _, _ in counters]
        windows = [int(window * 1000) for _, _, window in counters]
        try:
            reply = self._run_script(keys, windows)
        except redis.RedisError as error:
            raise CounterUnavailable(str(error)) from error
        return [HitResult(allowed=count <= limit, limit=limit, remaining=max(0, limit - count),
                          reset_seconds=max(1, math.ceil(ttl_ms / 1000)))
                for (_, limit, _), count, ttl_ms in zip(counters, map(int, reply[::2]), map(int, reply[1::2]))]

    def _run_script(self, keys: list[str], windows_ms: list[int]) -> list:
        """EVALSHA on this thread's own connection: one request and its reply, without the client's pool,
        retry and telemetry layers, which were a third of every hit's CPU (47 -> 30 us in-process).

        Like the client, it reconnects once when Redis dropped the connection (a restart, an idle
        timeout), and loads the script once when Redis no longer has it; a timeout is not retried.
        """
        connection = getattr(self._own, "connection", None)
        if connection is None:
            connection = self._own.connection = self.client.connection_pool.make_connection()
        reconnected = reloaded = False
        while True:
            try:
                connection.send_command("EVALSHA", self._script.sha, len(keys), *keys, *windows_ms)
                return connection.read_response()
            except redis.exceptions.NoScriptError:
                if reloaded:
                    raise
                reloaded = True
                self.client.script_load(_FIXED_WINDOW)
            except redis.ConnectionError:  # the connection is closed by now: the next send opens a new one
                if reconnected:
                    raise
                reconnected = True

    def release(self, key: str) -> None:
        """Take back one hit on `key` (an attempt counted in advance that turned out not to count)."""
        try:
            self._release(keys=[self.prefix + key])
        except redis.RedisError as error:
            raise CounterUnavailable(str(error)) from error


class LocalCounter:
    """The same fixed windows in this process's memory: a fallback for limits that must hold while
    Redis is down (they then count per process, not fleet-wide)."""

    MAX_KEYS = 10_000  # past this many live windows, expired ones are dropped: memory stays bounded

    def __init__(self):
        self._lock = threading.Lock()
        self._windows: dict[str, tuple[int, float]] = {}  # key -> (count, window end, monotonic)

    def hit(self, key: str, limit: int, window: int) -> HitResult:
        with self._lock:
            if len(self._windows) > self.MAX_KEYS:
                now = time.monotonic()
                self._windows = {k: v for k, v in self._windows.items() if v[1] > now}
            count, ends = self._current(key)
            if count == 0:
                ends = time.monotonic() + window
            self._windows[key] = (count + 1, ends)
        return HitResult(allowed=count + 1 <= limit, limit=limit, remaining=max(0, limit - count - 1),
                         reset_seconds=max(1, math.ceil(ends - time.monotonic())))

    def release(self, key: str) -> None:
        with self._lock:
            count, ends = self._current(key)
            if count > 0:
                self._windows[key] = (count - 1, ends)

    def _current(self, key: str) -> tuple[int, float]:
        count, ends = self._windows.get(key, (0, 0.0))
        if ends <= time.monotonic():
            self._windows.pop(key, None)
            return 0, 0.0
        return count, ends


@lru_cache(maxsize=1)
def get_counter() -> RedisCounter:
    """One client per process; redis-py's pool is fork-safe (it reconnects in a new pid)."""
    return RedisCounter.from_url(settings.REDIS_URL)


class _Outage:
    """Remembers a Redis outage: skip Redis briefly after a failure, and warn once per interval."""

    def __init__(self):
        self._lock = threading.Lock()
        self.skip_until = 0.0
        self.warned_at = float("-inf")

    def skipping(self) -> bool:
        return time.monotonic() < self.skip_until

    def record(self, error: Exception) -> None:
        now = time.monotonic()
        with self._lock:
            self.skip_until = now + RETRY_REDIS_AFTER_SECONDS
            if now - self.warned_at < WARNING_INTERVAL_SECONDS:
                return
            self.warned_at = now
        logger.warning("throttle_store_unavailable", error=str(error) or type(error).__name__,
                       effect="requests are not rate limited until Redis answers")


outage = _Outage()


def counted(request, view, counter: tuple[str, int, int]) -> HitResult:
    """One throttle's hit; the first of a request's throttles counts the view's others in the same round trip,
    and they take their results from the request."""
    django_request = getattr(request, "_request", request)
    pending = getattr(django_request, "pending_throttle_hits", {})
    if counter[0] in pending:
        return pending.pop(counter[0])
    others = [other for throttle in getattr(view, "get_throttles", list)() if isinstance(throttle, RedisThrottleMixin)
              if (other := throttle.counter(request, view)) is not None and other[0] != counter[0]]
    result, *results = get_counter().hit_many([counter, *others])
    django_request.pending_throttle_hits = {key: hit for (key, _, _), hit in zip(others, results)}
    return result


class RedisThrottleMixin:
    """Replace SimpleRateThrottle's cache history with one atomic hit in Redis; keeps DRF's interface.

    A request's throttles are counted together (`counted`): one round trip, however many apply.
    """

    result: HitResult | None = None

    def get_rate(self):
        """Read the rates at call time, so settings changes (and tests) take effect; a missing rate is an error."""
        try:
            return api_settings.DEFAULT_THROTTLE_RATES[self.scope]
        except KeyError:
            raise ImproperlyConfigured(f"No throttle rate set for the {self.scope!r} scope") from None

    def counter(self, request, view) -> tuple[str, int, int] | None:
        """The (key, limit, window) this throttle counts the request against, if it applies."""
        if self.rate is None:
            return None
        key = self.get_cache_key(request, view)
        return None if key is None else (key, self.num_requests, self.duration)

    def allow_request(self, request, view):
        counter = self.counter(request, view)
        if counter is None or outage.skipping():
            return True
        try:
            self.result = counted(request, view, counter)
        except CounterUnavailable as error:
            outage.record(error)
            return True
        record_result(request, self.result)
        return self.result.allowed

    def wait(self):
        return self.result.reset_seconds if self.result else None


class AnonRateThrottle(RedisThrottleMixin, throttling.AnonRateThrottle):
    """Unauthenticated callers, by client address (X-Forwarded-For behind NUM_PROXIES)."""


class UserRateThrottle(RedisThrottleMixin, throttling.UserRateThrottle):
    """Authenticated callers, by token subject."""


class ScopedRateThrottle(RedisThrottleMixin, throttling.ScopedRateThrottle):
    """Views naming a `throttle_scope`, per caller and scope."""

    def counter(self, request, view):
        self.scope = getattr(view, self.scope_attr, None)
        if not self.scope:
            return None
        self.rate = self.get_rate()
        self.num_requests, self.duration = self.parse_rate(self.rate)
        return super().counter(request, view)


class WriteScopedRateThrottle(ScopedRateThrottle):
    """A tighter scope for writes only: views name it in `write_throttle_scope`; reads pass."""

    scope_attr = "write_throttle_scope"

    def counter(self, request, view):
        if request.method in SAFE_METHODS:
            return None
        return super().counter(request, view)


class ThrottledBeforePermissionsMixin:
    """For views that need a token: count each request before authentication or the permissions refuse it.

    DRF authenticates, then checks permissions, then throttles, so a request with a bad token or none got
    its 401 without ever counting, and the anonymous rate never applied there.
    """

    _throttles_checked = False

    def perform_authentication(self, request):
        try:
            super().perform_authentication(request)
        except exceptions.AuthenticationFailed:
            self.check_throttles(request)  # as the anonymous caller DRF has just made it
            raise

    def check_permissions(self, request):
        self.check_throttles(request)
        super().check_permissions(request)

    def check_throttles(self, request):
        if not self._throttles_checked:  # DRF's initial() asks again after the permissions
            self._throttles_checked = True
            super().check_throttles(request)


# --- rate-limit response headers -------------------------------------------------------------------
LIMIT_HEADER, REMAINING_HEADER, RESET_HEADER = "X-RateLimit-Limit", "X-RateLimit-Remaining", "X-RateLimit-Reset"


def record_result(request, result: HitResult) -> None:
    """Keep the tightest result of the request's throttles where the middleware can see it."""
    django_request = getattr(request, "_request", request)
    current = getattr(django_request, "rate_limit", None)
    if current is None or (result.remaining, -result.reset_seconds) < (current.remaining, -current.reset_seconds):
        django_request.rate_limit = result


class RateLimitHeadersMiddleware:
    """`X-RateLimit-Limit`, `-Remaining` and `-Reset` (seconds until the window resets) on throttled views."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        result = getattr(request, "rate_limit", None)
        if result is not None:
            response[LIMIT_HEADER] = str(result.limit)
            response[REMAINING_HEADER] = str(result.remaining)
            response[RESET_HEADER] = str(result.reset_seconds)
            if response.status_code == 429 and not response.has_header("Retry-After"):
                response["Retry-After"] = str(result.reset_seconds)
        return response
