"""Refuse a query string that is not UTF-8 (400), rather than read it with U+FFFD in place of its bytes.

Django decodes `QUERY_STRING` with `errors="replace"`, so `?search=caf%E9` silently searches for "caf\ufffd".
A request whose parameters cannot be read as sent is malformed, like one whose JSON body is not UTF-8.
"""

from urllib.parse import unquote_to_bytes

from .errors import error_response


def is_utf8_query(query: str) -> bool:
    """WSGI hands the query string over as latin-1 text: back to its bytes, unquoted, then strictly UTF-8."""
    try:
        unquote_to_bytes(query.encode("iso-8859-1").replace(b"+", b" ")).decode("utf-8")
    except (UnicodeEncodeError, UnicodeDecodeError):
        return False
    return True


class StrictQueryStringMiddleware:
    """A 400 in the version's error format for a query string that is not UTF-8, before any view reads it."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        query = request.META.get("QUERY_STRING", "")
        if query and not is_utf8_query(query):
            return error_response(request, 400, "The query string is not valid UTF-8.")
        return self.get_response(request)
