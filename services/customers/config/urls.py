"""Every route of customers: two views, explicit URLs, under /v1/ and /v2/."""

from django.urls import include, path, re_path

from customers import internal_views, views
from fleet_common import health
from fleet_common.routes import UUID

urlpatterns = [
    re_path(r"^(?P<version>v1|v2)/customers/$", views.CustomerListView.as_view(), name="customer-list"),
    re_path(rf"^(?P<version>v1|v2)/customers/(?P<pk>{UUID})/$", views.CustomerDetailView.as_view(),
            name="customer-detail"),
    path("internal/v1/owners/<str:owner>/customers/", internal_views.OwnerCustomersView.as_view(),
         name="internal-owner-customers"),
    path("healthz", health.healthz),
    path("readyz", health.readyz),
    path("", include("django_prometheus.urls")),  # /metrics, on the service's own port only
]

handler400 = "fleet_common.errors.bad_request"
handler403 = "fleet_common.errors.permission_denied"
handler404 = "fleet_common.errors.not_found"
handler500 = "fleet_common.errors.server_error"
