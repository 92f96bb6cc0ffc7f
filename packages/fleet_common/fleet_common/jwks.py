"""Auth's public keys, fetched rarely: cached per process, persisted across restarts, kept through outages."""

import json
import os
import tempfile
import threading
import time
import urllib.request

import jwt
import structlog
from prometheus_client import Counter

from .request_id import HEADER, current_request_id

logger = structlog.get_logger(__name__)

# Summed over every worker by /metrics (multiprocess mode): at steady state it stays still, because
# keys are fetched once per refresh interval per process, never per request (`make bench` checks it).
# `reason`: "scheduled" (the background refresh once per refresh interval), "unknown_kid" (a token signed
# with a key not yet known, at most once per min_refetch_interval) or "no_keys" (none known yet).
FETCHES = Counter("fleet_jwks_fetches", "JWKS documents fetched from auth by this service's verifiers.", ["reason"])


def parse_jwks(document: dict) -> dict[str, jwt.PyJWK]:
    """Key objects by `kid`, parsed once; keys without a `kid` or of an unknown type are skipped."""
    keys = {}
    for entry in document.get("keys", []):
        kid = entry.get("kid") if isinstance(entry, dict) else None
        if not isinstance(kid, str):
            continue
        try:
            keys[kid] = jwt.PyJWK(entry)
        except (jwt.PyJWKError, jwt.InvalidKeyError, ValueError, TypeError):
            logger.warning("jwks_key_skipped", kid=kid)
    return keys


class JWKSClient:
    """Fetch a JWKS over HTTP without putting auth on every request's path.

    Keys are refreshed once `refresh_interval` has passed, by a background thread while every request
    goes on with the keys it has; refetched on an unknown `kid` at most once per `min_refetch_interval`
    (that request waits, as it must); and the last good copy is written to `cache_path` so a restarted
    process can verify while auth is down.
    """

    def __init__(self, url: str, *, cache_path: str | None = None, refresh_interval: float = 300,
                 min_refetch_interval: float = 30, timeout: float = 3):
        self.url = url
        self.cache_path = cache_path
        self.refresh_interval = refresh_interval
        self.min_refetch_interval = min_refetch_interval
        self.timeout = timeout
        self.keys: dict[str, jwt.PyJWK] = {}
        self.fetched_at = float("-inf")  # when auth last confirmed the keys in memory (a persisted copy: never)
        self.attempted_at = float("-inf")  # when a fetch last started, successful or not
        self._fetch_lock = threading.Lock()
        self._load_persisted()

    def key_for(self, kid: str) -> jwt.PyJWK | None:
        """A known key at once (refreshed behind it when stale); an unknown one only after a refetch."""
        key = self.keys.get(kid)
        if key is None:
            self._refresh_now(kid)
            return self.keys.get(kid)
        if time.monotonic() - self.fetched_at > self.refresh_interval:
            self._refresh_in_background()
        return key

    def has_keys(self) -> bool:
        if not self.keys:
            self._refresh_now()
        return bool(self.keys)

    def _refresh_in_background(self) -> None:
        """Stale keys still verify: no request waits on auth (or on DNS) for a routine refresh."""
        if self._fetch_lock.acquire(blocking=False):
            threading.Thread(target=self._update_then_release, name="jwks-refresh", daemon=True).start()

    def _update_then_release(self) -> None:
        try:
            self._update("scheduled")
        finally:
            self._fetch_lock.release()

    def _refresh_now(self, kid: str | None = None) -> None:
        """Fetch what is missing, one thread at a time; a fetch in flight is waited out, as it may bring it."""
        with self._fetch_lock:
            if not self.keys:
                self._update("no_keys")
            elif kid is not None and kid not in self.keys \
                    and time.monotonic() - self.attempted_at >= self.min_refetch_interval:
                self._update("unknown_kid")

    def _update(self, reason: str) -> None:
        """Fetch, and keep the new keys if the document has any; the caller holds the fetch lock."""
        self.attempted_at = time.monotonic()
        try:
            document = self._fetch(reason)
            keys = parse_jwks(document)
        except Exception as error:  # noqa: BLE001 - any failure keeps the last good keys
            logger.warning("jwks_fetch_failed", url=self.url, error=type(error).__name__)
            return
        if keys:
            self.keys, self.fetched_at = keys, time.monotonic()
            self._persist(document)

    def _fetch(self, reason: str) -> dict:
        FETCHES.labels(reason=reason).inc()
        request = urllib.request.Request(self.url, headers={"Accept": "application/json"})
        if current_request_id.get():
            request.add_header(HEADER, current_request_id.get())
        with urllib.request.urlopen(request, timeout=self.timeout) as response:  # noqa: S310 - our own URL
            return json.load(response)

    def _persist(self, document: dict) -> None:
        if not self.cache_path:
            return
        try:
            directory = os.path.dirname(self.cache_path) or "."
            os.makedirs(directory, exist_ok=True)
            with tempfile.NamedTemporaryFile("w", dir=directory, delete=False) as handle:
                json.dump(document, handle)
            os.replace(handle.name, self.cache_path)
        except OSError as error:
            logger.warning("jwks_persist_failed", path=self.cache_path, error=str(error))

    def _load_persisted(self) -> None:
        """Start from the last good copy; it counts as stale, so the first request refreshes it."""
        if not self.cache_path or not os.path.exists(self.cache_path):
            return
        try:
            with open(self.cache_path) as handle:
                self.keys = parse_jwks(json.load(handle))
        except (OSError, ValueError) as error:
            logger.warning("jwks_cache_unreadable", path=self.cache_path, error=str(error))
