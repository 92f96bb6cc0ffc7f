"""API exceptions both services raise (kept apart from the handler to avoid DRF import cycles)."""

from rest_framework import exceptions, status


class ServiceUnavailable(exceptions.APIException):
    """A dependency (database, key source) is down: the client may retry later."""

    status_code = status.HTTP_503_SERVICE_UNAVAILABLE
    default_detail = "A dependency is unavailable; try again shortly."
    default_code = "service_unavailable"


class PreconditionFailed(exceptions.APIException):
    """`If-Match` named a representation that is no longer current: nothing was changed."""

    status_code = status.HTTP_412_PRECONDITION_FAILED
    default_detail = "The resource has changed since the given ETag; fetch it again and retry."
    default_code = "precondition_failed"


class Conflict(exceptions.APIException):
    """The request collides with another one still in progress (an idempotency key in use)."""

    status_code = status.HTTP_409_CONFLICT
    default_detail = "A request with this Idempotency-Key is still being processed; retry shortly."
    default_code = "conflict"


class UnprocessableContent(exceptions.APIException):
    """Well-formed, but contradicts what the server already holds (a key reused with another body)."""

    status_code = status.HTTP_422_UNPROCESSABLE_ENTITY
    default_detail = "This Idempotency-Key was used with a different request."
    default_code = "idempotency_key_reused"
