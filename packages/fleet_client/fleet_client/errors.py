"""Typed errors: callers catch `NotFound` or `RateLimited`, not status codes."""

from __future__ import annotations


class FleetClientError(Exception):
    """Anything this client raises."""


class TransportError(FleetClientError):
    """The service could not be reached (or kept failing) within the retry budget."""


class OAuthError(FleetClientError):
    """An RFC 6749 §5.2 error from the token endpoint, e.g. `invalid_client`."""

    def __init__(self, status: int, error: str, description: str = ""):
        super().__init__(f"{status} {error}: {description}".rstrip(": "))
        self.status, self.error, self.description = status, error, description


class ApiError(FleetClientError):
    """An error answer; `problem` is the RFC 9457 body (v2) or DRF's body (v1)."""

    status = 0

    def __init__(self, status: int, problem: dict, request_id: str | None = None, retry_after: float | None = None):
        detail = problem.get("detail") or problem.get("title") or problem
        super().__init__(f"{status}: {detail}")
        self.status, self.problem, self.request_id, self.retry_after = status, problem, request_id, retry_after

    @property
    def field_errors(self) -> dict:
        """Per-field messages: `errors` in a problem (v2), the body's other members in v1."""
        if "errors" in self.problem or "status" in self.problem:
            return self.problem.get("errors", {})
        return {key: value for key, value in self.problem.items() if key != "detail"}


class BadRequest(ApiError):
    status = 400


class Unauthorized(ApiError):
    status = 401


class Forbidden(ApiError):
    status = 403


class NotFound(ApiError):
    status = 404


class Conflict(ApiError):
    status = 409


class PreconditionFailed(ApiError):
    status = 412


class Unprocessable(ApiError):
    status = 422


class RateLimited(ApiError):
    status = 429


class ServiceUnavailable(ApiError):
    status = 503


ERRORS_BY_STATUS = {cls.status: cls for cls in ApiError.__subclasses__()}


def error_for(status: int, body: dict, request_id: str | None, retry_after: float | None) -> ApiError:
    return ERRORS_BY_STATUS.get(status, ApiError)(status, body, request_id, retry_after)
