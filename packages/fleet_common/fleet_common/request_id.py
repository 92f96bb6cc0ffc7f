"""Carry one request id from the gateway through every log line and every outgoing call."""

import re
import uuid
from contextvars import ContextVar

import structlog

HEADER = "X-Request-ID"
_WELL_FORMED = re.compile(r"^[A-Za-z0-9._:-]{1,128}$")
current_request_id: ContextVar[str] = ContextVar("request_id", default="")


def accept_or_generate(candidate: str | None) -> str:
    """Keep a well-formed incoming id so traces join up; replace anything else."""
    if candidate and _WELL_FORMED.match(candidate):
        return candidate
    return uuid.uuid4().hex


class RequestIdMiddleware:
    """Bind the request id to the log context and echo it on the response."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        request_id = accept_or_generate(request.headers.get(HEADER))
        request.request_id = request_id
        token = current_request_id.set(request_id)
        structlog.contextvars.bind_contextvars(request_id=request_id)
        try:
            response = self.get_response(request)
        finally:
            structlog.contextvars.unbind_contextvars("request_id")
            current_request_id.reset(token)
        response[HEADER] = request_id
        return response
