"""HTTP to the fleet with timeouts, a request id, and retries only where a retry is safe."""

from __future__ import annotations

import time
import uuid
from contextvars import ContextVar

import requests

from .credentials import ClientCredentials
from .errors import TransportError, error_for
from .retry import RETRY_STATUSES, retry_after, wait_to_retry

IDEMPOTENT = {"GET", "HEAD", "OPTIONS", "PUT", "DELETE"}
# A caller may set this (per incoming request, say) so outgoing calls carry its request id; unset, each call
# gets a new one. auth's outbox sets it to the id of the request whose change it delivers.
request_id_var: ContextVar[str] = ContextVar("fleet_client_request_id", default="")


class FleetClient:
    """One base URL (the gateway, or a service on the internal network) and one set of credentials.

    Retries happen on connection errors and 429/502/503/504, with exponential backoff and jitter, for
    idempotent methods and for a POST that carries an `Idempotency-Key` (the service replays it),
    never beyond `retry_budget` seconds in all. The same `X-Request-ID` goes with every attempt.
    """

    def __init__(self, base_url: str, credentials: ClientCredentials | None = None, *,
                 timeout: tuple[float, float] = (3.05, 10), retry_budget: float = 20, backoff: float = 0.2,
                 session: requests.Session | None = None):
        self.base_url = base_url.rstrip("/")
        self.credentials, self.timeout = credentials, timeout
        self.retry_budget, self.backoff = retry_budget, backoff
        self.session = session or requests.Session()

    def request(self, method: str, path: str, *, json=None, params=None, headers=None,
                idempotency_key: str | None = None) -> requests.Response:
        """Send, retrying when safe; return a 2xx/3xx response or raise a typed error."""
        method = method.upper()
        headers = {"Accept": "application/json", **(headers or {})}
        headers.setdefault("X-Request-ID", request_id_var.get() or uuid.uuid4().hex)
        if idempotency_key:
            headers["Idempotency-Key"] = idempotency_key
        retryable = method in IDEMPOTENT or bool(idempotency_key)
        url = path if path.startswith("http") else f"{self.base_url}{path}"
        deadline = time.monotonic() + self.retry_budget
        refreshed_token = False
        for attempt in range(1, 100):
            if self.credentials:
                headers["Authorization"] = f"Bearer {self.credentials.token()}"
            try:
                response = self.session.request(method, url, json=json, params=params, headers=headers,
                                                timeout=self.timeout)
            except requests.RequestException as error:
                if not retryable or not wait_to_retry(attempt, deadline, self.backoff):
                    raise TransportError(f"{method} {url}: {type(error).__name__}") from error
                continue
            if response.status_code == 401 and self.credentials and not refreshed_token:
                self.credentials.invalidate()  # the token may predate a key or secret rotation
                refreshed_token = True
                continue
            if response.status_code in RETRY_STATUSES and retryable \
                    and wait_to_retry(attempt, deadline, self.backoff, response):
                continue
            if response.status_code >= 400:
                raise self._error(response)
            return response
        raise TransportError(f"{method} {url}: too many attempts")

    @staticmethod
    def _error(response: requests.Response):
        try:
            body = response.json()
        except ValueError:
            body = {"detail": response.text[:200]}
        if not isinstance(body, dict):
            body = {"detail": body}
        return error_for(response.status_code, body, response.headers.get("X-Request-ID"), retry_after(response))
