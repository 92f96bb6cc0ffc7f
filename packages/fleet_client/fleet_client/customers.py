"""The customers resource (v2): typed calls over `FleetClient`."""

from __future__ import annotations

import uuid
from collections.abc import Iterator

from .client import FleetClient


class CustomersAPI:
    """`/v2/customers/`: create (idempotently), read, change with If-Match, delete, iterate pages."""

    def __init__(self, client: FleetClient, prefix: str = "/v2/customers/"):
        self.client, self.prefix = client, prefix

    def create(self, data: dict, *, idempotency_key: str | None = None) -> dict:
        """POST with an Idempotency-Key (generated if none), so a retried create never duplicates."""
        key = idempotency_key or str(uuid.uuid4())
        return self.client.request("POST", self.prefix, json=data, idempotency_key=key).json()

    def get(self, customer_id: str) -> dict:
        return self.client.request("GET", f"{self.prefix}{customer_id}/").json()

    def get_with_etag(self, customer_id: str) -> tuple[dict, str | None]:
        response = self.client.request("GET", f"{self.prefix}{customer_id}/")
        return response.json(), response.headers.get("ETag")

    def update(self, customer_id: str, changes: dict, *, if_match: str | None = None) -> dict:
        headers = {"If-Match": if_match} if if_match else None
        return self.client.request("PATCH", f"{self.prefix}{customer_id}/", json=changes, headers=headers).json()

    def delete(self, customer_id: str) -> None:
        self.client.request("DELETE", f"{self.prefix}{customer_id}/")

    def iterate(self, **filters) -> Iterator[dict]:
        """Every customer visible to the caller, following the cursor's `next` links."""
        response = self.client.request("GET", self.prefix, params=filters or None).json()
        while True:
            yield from response["results"]
            if not response.get("next"):
                return
            response = self.client.request("GET", response["next"]).json()
