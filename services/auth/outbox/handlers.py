"""How each topic is delivered: a service-to-service call with the fleet client and a service token."""

import time

from django.conf import settings

from fleet_client import FleetClient
from fleet_common.claims import AUTH_SUBJECT, CUSTOMERS_ADMIN
from tokens.access import FleetAccessToken
from tokens.lifetimes import service_token_lifetime


class LocalServiceCredentials:
    """auth is the issuer, so it mints its own service token instead of asking itself over HTTP."""

    def __init__(self, scopes: list[str], audience: list[str]):
        self.scopes, self.audience = scopes, audience
        self._token, self._expires_at = None, 0.0

    def token(self) -> str:
        if self._token is None or time.monotonic() > self._expires_at - 60:
            lifetime = service_token_lifetime()
            self._token = str(FleetAccessToken.for_subject(sub=AUTH_SUBJECT, username=AUTH_SUBJECT,
                                                           scopes=self.scopes, audience=self.audience,
                                                           lifetime=lifetime))
            self._expires_at = time.monotonic() + lifetime.total_seconds()
        return self._token

    def invalidate(self) -> None:
        self._token = None


_customers: FleetClient | None = None


def customers_client() -> FleetClient:
    """The internal address of customers; short budgets, since the outbox itself retries."""
    global _customers
    if _customers is None:
        _customers = FleetClient(settings.CUSTOMERS_INTERNAL_URL,
                                 LocalServiceCredentials([CUSTOMERS_ADMIN], ["customers"]),
                                 timeout=(2, 5), retry_budget=2)
    return _customers


def erase_user_customers(payload: dict) -> None:
    """A deleted user's customers go too: no orphan remains in customers."""
    customers_client().request("DELETE", f"/internal/v1/owners/{payload['user_id']}/customers/")


HANDLERS = {"user.deleted": erase_user_customers}
