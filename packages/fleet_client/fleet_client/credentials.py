"""Service tokens by the client-credentials grant, cached and renewed before they expire."""

from __future__ import annotations

import itertools
import threading
import time

import requests

from .errors import OAuthError, TransportError
from .retry import RETRY_STATUSES, wait_to_retry


class ClientCredentials:
    """Obtain a token from `token_url` with client_secret_basic; renew it `renew_before` seconds early.

    A fetch that fails to connect, is throttled (429) or meets 502/503/504 is tried again, with backoff
    and honouring Retry-After, for at most `retry_budget` seconds: asking for a token changes nothing.
    """

    def __init__(self, token_url: str, client_id: str, client_secret: str, *, scope: str | None = None,
                 renew_before: float = 60, timeout: tuple[float, float] = (3.05, 10), retry_budget: float = 20,
                 backoff: float = 0.2, session: requests.Session | None = None):
        self.token_url, self.client_id, self._secret = token_url, client_id, client_secret
        self.scope, self.renew_before, self.timeout = scope, renew_before, timeout
        self.retry_budget, self.backoff = retry_budget, backoff
        self.session = session or requests.Session()
        self._token: str | None = None
        self._expires_at = 0.0
        self._lock = threading.Lock()

    def token(self) -> str:
        """A token valid for at least `renew_before` more seconds; one fetch at a time."""
        with self._lock:
            if self._token is None or time.monotonic() >= self._expires_at - self.renew_before:
                self._fetch()
            return self._token

    def invalidate(self) -> None:
        """Forget the cached token (after a 401: keys rotated or the client's secret changed)."""
        with self._lock:
            self._token = None

    def _fetch(self) -> None:
        response = self._post()
        body = _json(response)
        if response.status_code != 200:
            raise OAuthError(response.status_code, body.get("error", "server_error"), body.get("error_description", ""))
        self._token = body["access_token"]
        self._expires_at = time.monotonic() + float(body["expires_in"])

    def _post(self) -> requests.Response:
        """The token endpoint's answer, after retries where another attempt may succeed."""
        data = {"grant_type": "client_credentials", **({"scope": self.scope} if self.scope else {})}
        deadline = time.monotonic() + self.retry_budget
        for attempt in itertools.count(1):
            try:
                response = self.session.post(self.token_url, data=data, auth=(self.client_id, self._secret),
                                             timeout=self.timeout)
            except requests.RequestException as error:
                if wait_to_retry(attempt, deadline, self.backoff):
                    continue
                raise TransportError(f"token endpoint unreachable: {type(error).__name__}") from error
            if response.status_code in RETRY_STATUSES and wait_to_retry(attempt, deadline, self.backoff, response):
                continue
            return response


def _json(response: requests.Response) -> dict:
    try:
        body = response.json()
    except ValueError:
        return {}
    return body if isinstance(body, dict) else {}
