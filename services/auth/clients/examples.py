"""Examples for the API reference: what a client sends and what it gets back (docs only, never used by code)."""

from drf_spectacular.utils import OpenApiExample

from tokens.examples import ACCESS

FORM_REQUEST = OpenApiExample(
    "client_secret_basic (credentials in the Authorization header)", request_only=True,
    media_type="application/x-www-form-urlencoded",
    value={"grant_type": "client_credentials", "scope": "customers:read"})
JSON_REQUEST = OpenApiExample(
    "client_secret_post (credentials in the body)", request_only=True, media_type="application/json",
    value={"grant_type": "client_credentials", "scope": "customers:read", "client_id": "importer-3f9a2c1b",
           "client_secret": "s3cr3t-printed-once-by-service_client-create"})
TOKEN_RESPONSE = OpenApiExample(
    "A service token", response_only=True,
    value={"access_token": ACCESS, "token_type": "Bearer", "expires_in": 600, "scope": "customers:read"})
INVALID_CLIENT = OpenApiExample(
    "invalid_client", value={"error": "invalid_client", "error_description": "Client authentication failed."})
INVALID_SCOPE = OpenApiExample(
    "invalid_scope",
    value={"error": "invalid_scope", "error_description": "The requested scope is not allowed for this client."})
TEMPORARILY_UNAVAILABLE = OpenApiExample(
    "temporarily_unavailable",
    value={"error": "temporarily_unavailable", "error_description": "A dependency is unavailable; try again shortly."})
UNSUPPORTED_MEDIA_TYPE = OpenApiExample(
    "invalid_request (415)",
    value={"error": "invalid_request", "error_description": 'Unsupported media type "text/plain" in request.'})
BODY_TOO_LARGE = OpenApiExample(
    "invalid_request (413)",
    value={"error": "invalid_request", "error_description": "The request body exceeds the gateway's limit of 1 MiB."})
THROTTLED = OpenApiExample(
    "temporarily_unavailable (429)",
    value={"error": "temporarily_unavailable", "error_description": "Request was throttled. Expected available in 5 "
                                                                    "seconds."})
