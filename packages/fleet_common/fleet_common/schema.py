"""OpenAPI descriptions of what the shared package adds to DRF."""

from drf_spectacular.extensions import OpenApiAuthenticationExtension


class BearerTokenScheme(OpenApiAuthenticationExtension):
    """Document the bearer JWT that every service verifies."""

    target_class = "fleet_common.authentication.BearerTokenAuthentication"
    match_subclasses = True
    name = "bearerAuth"

    def get_security_definition(self, auto_schema):
        return {"type": "http", "scheme": "bearer", "bearerFormat": "JWT",
                "description": "An access token from `POST /v2/auth/token/` or the client-credentials grant."}
