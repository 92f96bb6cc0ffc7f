"""Examples for the API reference: what a client sends and what it gets back (docs only, never used by code)."""

from drf_spectacular.utils import OpenApiExample

CUSTOMER = {
    "id": "0196a1b2-c3d4-7e5f-8a6b-7c8d9e0f1a2b",
    "name": "Charles Babbage",
    "email": "charles@example.com",
    "phone": "+44 20 7946 0000",
    "company": "Engines Ltd",
    "owner": "3f2b8c1e-5d4a-4b6f-9e8d-7c6b5a4f3e2d",
    "created_at": "2026-05-04T10:15:00Z",
    "updated_at": "2026-05-04T10:15:00Z",
}

CUSTOMER_RESPONSE = OpenApiExample("A customer", value=CUSTOMER, response_only=True, status_codes=[200, 201])
CREATE_REQUEST = OpenApiExample(
    "New customer", request_only=True,
    value={"name": "Charles Babbage", "email": "charles@example.com", "company": "Engines Ltd"})
REPLACE_REQUEST = OpenApiExample(
    "Every field", request_only=True,
    value={"name": "Charles Babbage", "email": "charles@example.com", "phone": "+44 20 7946 0000",
           "company": "Engines Ltd"})
PATCH_REQUEST = OpenApiExample("A new phone number", request_only=True, value={"phone": "+44 20 7946 0000"})
MERGE_PATCH_REQUEST = OpenApiExample(
    "Blank the company", request_only=True, media_type="application/merge-patch+json",
    value={"company": None})
