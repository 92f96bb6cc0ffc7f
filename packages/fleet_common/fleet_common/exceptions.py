"""API exceptions both services raise (kept apart from the handler to avoid DRF import cycles)."""

from rest_framework import exceptions, status


class ServiceUnavailable(exceptions.APIException):
    """A dependency (database, key source) is down: the client may retry later."""

    status_code = status.HTTP_503_SERVICE_UNAVAILABLE
    default_detail = "A dependency is unavailable; try again shortly."
    default_code = "service_unavailable"
