"""Lifecycle headers of a deprecated API version: `Deprecation` (RFC 9745), `Sunset` (RFC 8594), successor link."""

from datetime import datetime

from django.conf import settings
from django.utils.http import http_date

from .errors import api_version
from .settings import DEFAULT_API_LIFECYCLE


def lifecycle_headers(request) -> dict[str, str]:
    """The headers for this request's version, or none for a current version."""
    version = api_version(request)
    policy = getattr(settings, "API_LIFECYCLE", DEFAULT_API_LIFECYCLE).get(version)
    if not policy:
        return {}
    deprecation: datetime = policy["deprecation"]
    sunset: datetime = policy["sunset"]
    successor_path = f"/{policy['successor']}" + request.path[len(version) + 1:]
    return {
        "Deprecation": f"@{int(deprecation.timestamp())}",
        "Sunset": http_date(sunset.timestamp()),
        "Link": f'<{request.build_absolute_uri(successor_path)}>; rel="successor-version"',
    }


class DeprecationHeadersMiddleware:
    """Every response of a deprecated version says so, errors included, so clients notice early."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        for name, value in lifecycle_headers(request).items():
            if name == "Link" and response.has_header("Link"):
                value = f"{response['Link']}, {value}"
            response[name] = value
        return response
