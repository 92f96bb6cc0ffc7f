"""Service tokens by the client-credentials grant, cached and renewed before they expire."""

from __future__ import annotations

import threading
import time

import requests

from .errors import OAuthError, TransportError


class ClientCredentials:
    """Obtain a token from `token_url` with client_secret_basic; renew it `renew_before` seconds early."""

    def __init__(self, token_url: str, client_id: str, client_secret: str, *, scope: str | None = None,
                 renew_before: float = 60, timeout: tuple[float, float] = (3.05, 10),
                 session: requests.Session | None = None):
        self.token_url, self.client_id, self._secret = token_url, client_id, client_secret
        self.scope, self.renew_before, self.timeout = scope, renew_before, timeout
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
        data = {"grant_type": "client_credentials", **({"scope": self.scope} if self.scope else {})}
        try:
            response = self.session.post(self.token_url, data=data, auth=(self.client_id, self._secret),
                                         timeout=self.timeout)
        except requests.RequestException as error:
            raise TransportError(f"token endpoint unreachable: {type(error).__name__}") from error
        body = _json(response)
        if response.status_code != 200:
            raise OAuthError(response.status_code, body.get("error", "server_error"), body.get("error_description", ""))
        self._token = body["access_token"]
        self._expires_at = time.monotonic() + float(body["expires_in"])


def _json(response: requests.Response) -> dict:
    try:
        body = response.json()
    except ValueError:
        return {}
    return body if isinstance(body, dict) else {}
