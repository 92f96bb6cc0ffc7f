"""Examples for the API reference: what a client sends and what it gets back (docs only, never used by code)."""

from drf_spectacular.utils import OpenApiExample

ACCESS = ("eyJhbGciOiJSUzI1NiIsImtpZCI6IjNRb1ZpLWxHdDBrNUN3Y3FSQkxtZ3pHbGtIWlJnMGdrUmRsV2JQbVlNcFUiLCJ0eXAiOiJKV1QifQ"
          ".eyJzdWIiOiIzZjJiOGMxZS01ZDRhLTRiNmYtOWU4ZC03YzZiNWE0ZjNlMmQiLCJ0b2tlbl90eXBlIjoiYWNjZXNzIn0.c2lnbmF0dXJl")
REFRESH = "q3Yt8mZK1vJx0b5d9R2wP7sLhE4nU6aC0fGiTzXyWkQ"
KID = "3QoVi-lGt0k5CwcqRBLmgzGlkHZRg0gkRdlWbPmYMpU"

LOGIN_REQUEST = OpenApiExample(
    "Username and password", request_only=True,
    value={"username": "ada", "password": "correct horse battery staple"})
REFRESH_REQUEST = OpenApiExample("A refresh token", request_only=True, value={"refresh": REFRESH})
TOKEN_PAIR_RESPONSE = OpenApiExample(
    "A token pair", response_only=True,
    value={"access": ACCESS, "refresh": REFRESH, "token_type": "Bearer", "expires_in": 300})
JWKS_RESPONSE = OpenApiExample("One RSA key", response_only=True, value={"keys": [{
    "kty": "RSA", "kid": KID, "alg": "RS256", "use": "sig",
    "n": "0vx7agoebGcQSuuPiLJXZptN9nndrQmbXEps2aiAFbWhM78LhWx4cbbfAAtVT86zwu1RK7aPFFxuhDR1L6tSoc_BJECP",
    "e": "AQAB"}]})
METADATA_RESPONSE = OpenApiExample("make dev", response_only=True, value={
    "issuer": "http://127.0.0.1:8080",
    "jwks_uri": "http://127.0.0.1:8080/.well-known/jwks.json",
    "token_endpoint": "http://127.0.0.1:8080/v2/auth/oauth/token/",
    "grant_types_supported": ["client_credentials"],
    "token_endpoint_auth_methods_supported": ["client_secret_basic", "client_secret_post"],
    "response_types_supported": [],
    "scopes_supported": ["customers:read", "customers:write", "customers:admin"],
    "access_token_signing_alg_values_supported": ["RS256"],
})
