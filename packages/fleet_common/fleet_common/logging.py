"""JSON log lines with the request id, and never a secret in them."""

import logging
import os
import re
import sys
import time

import structlog

SECRET_KEYS = ("password", "secret", "token", "authorization", "cookie", "refresh", "access")
_NAMES_A_SECRET = re.compile("|".join(SECRET_KEYS), re.IGNORECASE)  # one search per field, not seven
REDACTED = "[redacted]"


def redact_secrets(_logger, _method, event_dict):
    """Blank any field whose name suggests a credential, whatever the caller logged."""
    for key in list(event_dict):
        if key != "event" and _NAMES_A_SECRET.search(key):
            event_dict[key] = REDACTED
    return event_dict


SHARED_PROCESSORS = [
    structlog.contextvars.merge_contextvars,
    structlog.stdlib.add_log_level,
    structlog.stdlib.add_logger_name,
    structlog.processors.TimeStamper(fmt="iso", utc=True),
    redact_secrets,
]


def request_id_of_djangos_own_lines(_logger, _method, event_dict):
    """Django logs a 5xx (`django.request`) after the middleware has unbound the id: take it from the request."""
    request = getattr(event_dict.get("_record"), "request", None)
    if "request_id" not in event_dict and getattr(request, "request_id", None):
        event_dict["request_id"] = request.request_id
    return event_dict


def client_faults_as_warnings(_logger, _method, event_dict):
    """Django logs a request's bad Host header or oversized form as an error with a traceback; it is the client's 400."""
    record = event_dict.get("_record")
    if record is not None and record.name.startswith("django.security."):
        event_dict["level"] = "warning"
        event_dict.pop("exc_info", None)
    return event_dict


def logging_config(service: str, level: str = "INFO") -> dict:
    """Django LOGGING dict: every record, ours or a library's, leaves as one JSON line."""
    global access_log
    access_log = access_logger(service, level)
    structlog.configure(
        processors=[*SHARED_PROCESSORS, structlog.stdlib.ProcessorFormatter.wrap_for_formatter],
        logger_factory=structlog.stdlib.LoggerFactory(),
        wrapper_class=structlog.stdlib.BoundLogger,
        cache_logger_on_first_use=True,
    )
    return {
        "version": 1,
        "disable_existing_loggers": False,
        "formatters": {"json": json_formatter_config(service)},
        "handlers": {"stdout": {"class": "logging.StreamHandler", "formatter": "json"}},
        "root": {"handlers": ["stdout"], "level": level},
        "loggers": {
            # Our access log replaces Django's; its 4xx/5xx lines would only repeat it.
            "django.request": {"level": "ERROR", "propagate": True},
            "django.server": {"level": "ERROR", "propagate": True},
        },
    }


def naming_service(service: str):
    """A processor that adds the service's name to every line."""
    return lambda _logger, _method, event_dict: {**event_dict, "service": service}


def json_formatter_config(service: str) -> dict:
    """The formatter stanza, shared with gunicorn's own log configuration."""
    return {
        "()": structlog.stdlib.ProcessorFormatter,
        "processors": [
            naming_service(service),
            structlog.stdlib.ProcessorFormatter.remove_processors_meta,
            structlog.processors.format_exc_info,
            structlog.processors.JSONRenderer(),
        ],
        "foreign_pre_chain": [*SHARED_PROCESSORS, request_id_of_djangos_own_lines, client_faults_as_warnings],
    }


class _AccessWriter(structlog.WriteLogger):
    """stdout, under the name `add_logger_name` reads."""

    name = "access"


def access_logger(service: str, level: str = "INFO"):
    """The access log's own logger: the same JSON line as every other, written straight to stdout.

    It writes one line per request, so it skips the standard library's records, handlers and
    formatter: 9 us a line instead of 24 (measured in-process; docs/benchmarks.md).
    """
    return structlog.wrap_logger(
        _AccessWriter(sys.stdout),
        processors=[*SHARED_PROCESSORS, naming_service(service), structlog.processors.JSONRenderer()],
        wrapper_class=structlog.make_filtering_bound_logger(logging.getLevelName(level.upper())),
    )


access_log = structlog.get_logger("access")  # until logging_config names the service


class AccessLogMiddleware:
    """One line per request with status, duration and worker pid; the query string is left out (it may carry secrets)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        started = time.perf_counter()
        response = self.get_response(request)
        access_log.info(
            "request",
            method=request.method,
            path=request.path,
            status=response.status_code,
            duration_ms=round((time.perf_counter() - started) * 1000, 2),
            remote_addr=request.META.get("REMOTE_ADDR"),
            pid=os.getpid(),
        )
        return response

