"""Every route of auth: versioned API under /v1/auth/ and /v2/auth/, keys under /.well-known/."""

from django.urls import include, path, re_path

from fleet_common import health
from tokens.views import AuthorizationServerMetadataView, JWKSView

api = [
    path("", include("accounts.urls")),
    path("", include("tokens.urls")),
    path("", include("clients.urls")),
]

urlpatterns = [
    re_path(r"^(?P<version>v1|v2)/auth/", include(api)),
    path(".well-known/jwks.json", JWKSView.as_view(), name="jwks"),
    path(".well-known/oauth-authorization-server", AuthorizationServerMetadataView.as_view(), name="oauth-metadata"),
    path("healthz", health.healthz),
    path("readyz", health.readyz),
    path("", include("django_prometheus.urls")),  # /metrics, on the service's own port only
]

handler400 = "fleet_common.errors.bad_request"
handler403 = "fleet_common.errors.permission_denied"
handler404 = "fleet_common.errors.not_found"
handler500 = "fleet_common.errors.server_error"
