"""Every JSON log line of a request carries its id, Django's own 5xx line included; a client's fault is no error."""

import json
import logging

import structlog
from django.core.exceptions import DisallowedHost

from fleet_common.logging import json_formatter_config


def formatted(record: logging.LogRecord) -> dict:
    config = json_formatter_config("customers")
    formatter = config.pop("()")(**config)
    return json.loads(formatter.format(record))


def djangos_line(request) -> logging.LogRecord:
    record = logging.LogRecord("django.request", logging.ERROR, __file__, 1, "Service Unavailable: %s",
                               ("/v2/customers/",), None)
    record.request, record.status_code = request, 503  # as django.utils.log.log_response passes them
    return record


class Request:
    request_id = "req-123"


def test_djangos_own_line_after_the_middleware_takes_the_id_from_its_request():
    line = formatted(djangos_line(Request()))
    assert (line["event"], line["request_id"], line["service"]) == ("Service Unavailable: /v2/customers/", "req-123",
                                                                    "customers")


def test_an_id_bound_to_the_context_is_kept_and_a_line_without_a_request_has_none():
    with structlog.contextvars.bound_contextvars(request_id="bound-1"):
        assert formatted(djangos_line(Request()))["request_id"] == "bound-1"
    assert "request_id" not in formatted(djangos_line(object()))


def test_a_suspicious_request_is_one_warning_line_without_a_traceback():
    try:
        raise DisallowedHost("Invalid HTTP_HOST header: 'evil.example'.")
    except DisallowedHost as error:
        exc_info = (type(error), error, error.__traceback__)
    suspicious = logging.LogRecord("django.security.DisallowedHost", logging.ERROR, __file__, 1, str(exc_info[1]),
                                   (), exc_info)
    line = formatted(suspicious)
    assert (line["level"], line["event"]) == ("warning", "Invalid HTTP_HOST header: 'evil.example'.")
    assert "exception" not in line
    failure = logging.LogRecord("django.request", logging.ERROR, __file__, 1, "Internal Server Error", (), exc_info)
    assert (formatted(failure)["level"], "Traceback" in formatted(failure)["exception"]) == ("error", True)
