"""Examples for the API reference: what a client sends and what it gets back (docs only, never used by code)."""

from drf_spectacular.utils import OpenApiExample

USER = {
    "id": "3f2b8c1e-5d4a-4b6f-9e8d-7c6b5a4f3e2d",
    "username": "ada",
    "email": "ada@example.com",
    "is_staff": False,
    "is_active": True,
    "scopes": ["customers:read", "customers:write"],
    "date_joined": "2026-05-04T10:00:00Z",
}
ADMIN_USER = {**USER, "groups": []}

REGISTER_REQUEST = OpenApiExample(
    "New user", request_only=True,
    value={"username": "ada", "password": "correct horse battery staple", "email": "ada@example.com"})
USER_RESPONSE = OpenApiExample("A user", value=USER, response_only=True, status_codes=[200, 201])
ADMIN_USER_RESPONSE = OpenApiExample("A user", value=ADMIN_USER, response_only=True)
ADMIN_USER_LIST_RESPONSE = OpenApiExample("Users", value=ADMIN_USER, response_only=True)  # listed by spectacular
ME_PATCH_REQUEST = OpenApiExample("A new email", request_only=True, value={"email": "ada@lovelace.example"})
ADMIN_PATCH_REQUEST = OpenApiExample(
    "Read-only access", request_only=True, value={"groups": ["customers-readonly"]})
PASSWORD_CHANGE_REQUEST = OpenApiExample(
    "New password", request_only=True,
    value={"current_password": "correct horse battery staple", "new_password": "another unusual pass phrase"})
