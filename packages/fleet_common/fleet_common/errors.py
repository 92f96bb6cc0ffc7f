"""One error shape per API version: DRF's own body in v1, RFC 9457 problem details in v2."""

from http import HTTPStatus

import structlog
from django.conf import settings
from django.core.exceptions import RequestDataTooBig, TooManyFieldsSent
from django.db import InterfaceError, OperationalError
from django.http import JsonResponse
from rest_framework.views import exception_handler as drf_exception_handler

from .exceptions import ServiceUnavailable

PROBLEM_CONTENT_TYPE = "application/problem+json"
PROBLEM_VERSIONS = {"v2"}

logger = structlog.get_logger(__name__)


def api_version(request) -> str | None:
    """The version segment of the path (`/v2/...`), also for requests no view resolved."""
    match = getattr(request, "resolver_match", None)
    if match and "version" in match.kwargs:
        return match.kwargs["version"]
    first = request.path.lstrip("/").split("/", 1)[0]
    return first if first in ("v1", "v2") else None


def wants_problem(request) -> bool:
    return api_version(request) in PROBLEM_VERSIONS


def problem_body(request, status_code: int, data) -> dict:
    """Shape DRF error data as an RFC 9457 problem; field errors go in `errors`."""
    body = {"type": "about:blank", "title": HTTPStatus(status_code).phrase, "status": status_code}
    if isinstance(data, dict) and "detail" in data and len(data) <= 2:
        body["detail"] = str(data["detail"])
        if "code" in data:
            body["code"] = data["code"]
    elif isinstance(data, dict):
        body["detail"] = "The request has invalid fields."
        body["errors"] = data
    elif isinstance(data, list):
        body["detail"] = "The request is invalid."
        body["errors"] = {"non_field_errors": data}
    else:
        body["detail"] = str(data)
    body["instance"] = request.path
    request_id = getattr(request, "request_id", None)
    if request_id:
        body["request_id"] = request_id
    return body


#: SQLSTATEs that say "try again later" (class 08, connection exceptions, too): a server going away
#: or not accepting connections (57P01-03), a statement cut short by statement_timeout (57014) or
#: lock_timeout (55P03), a transaction lost to a concurrent one (40001, 40P01). Any retry is safe:
#: the transaction was rolled back.
RETRY_LATER_SQLSTATES = {"57P01", "57P02", "57P03", "57014", "55P03", "40001", "40P01"}


def is_database_unavailable(exc: Exception) -> bool:
    """The database cannot serve this now (retry later: 503), as opposed to a failing query (a bug: 500)."""
    if isinstance(exc, InterfaceError):
        return True
    if not isinstance(exc, OperationalError):
        return False
    sqlstate = getattr(exc.__cause__, "sqlstate", None)
    return sqlstate is None or sqlstate.startswith("08") or sqlstate in RETRY_LATER_SQLSTATES


def unavailable_as_503(exc: Exception) -> Exception:
    """A database that cannot serve now becomes a 503, whose cause is logged, since the client sees only "retry"
    (the driver's first line: no row values, no password). Any other exception is returned as it is."""
    if not is_database_unavailable(exc):
        return exc
    cause = exc.__cause__ or exc
    logger.warning("database_unavailable", error=type(cause).__name__, sqlstate=getattr(cause, "sqlstate", None),
                   reason=str(cause).split("\n", 1)[0][:200])
    return ServiceUnavailable()


def exception_handler(exc, context):
    """DRF's handler plus: a database that cannot serve now is a 503, and v2 speaks problem+json."""
    exc = unavailable_as_503(exc)
    response = drf_exception_handler(exc, context)
    if response is None:
        return None  # A bug: Django logs it and answers with `server_error` below.
    request = context["request"]
    if isinstance(exc, ServiceUnavailable):
        response["Retry-After"] = "5"
    if wants_problem(request):
        response.data = problem_body(request, response.status_code, response.data)
        response.content_type = PROBLEM_CONTENT_TYPE
    return response


def error_response(request, status_code: int, detail: str) -> JsonResponse:
    """A JSON error for requests no DRF view handled (unknown URL, crash): never an HTML page."""
    compact = {"separators": (",", ":")}  # as DRF's renderer writes every other body
    if wants_problem(request):
        body = problem_body(request, status_code, {"detail": detail})
        return JsonResponse(body, status=status_code, content_type=PROBLEM_CONTENT_TYPE, json_dumps_params=compact)
    return JsonResponse({"detail": detail}, status=status_code, json_dumps_params=compact)


def refused_request_detail(exception) -> str:
    """What a client can do about a request Django refused as suspicious (its own messages name its settings)."""
    if isinstance(exception, TooManyFieldsSent):
        return (f"Too many parameters: at most {settings.DATA_UPLOAD_MAX_NUMBER_FIELDS:,} in the query string, "
                f"and as many in a form.")
    if isinstance(exception, RequestDataTooBig):
        return f"The body is over {settings.DATA_UPLOAD_MAX_MEMORY_SIZE:,} bytes."
    return "Bad request."


def bad_request(request, exception=None):
    return error_response(request, 400, refused_request_detail(exception))


def permission_denied(request, exception=None):
    return error_response(request, 403, "You do not have permission to perform this action.")


def not_found(request, exception=None):
    return error_response(request, 404, "Not found.")


def server_error(request):
    return error_response(request, 500, "A server error occurred.")
