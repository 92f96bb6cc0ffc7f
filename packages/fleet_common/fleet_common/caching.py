"""Cache-Control on every answer that does not set its own: API data is personal, so no shared cache keeps it."""

REVALIDATE = "private, no-cache"  # the client may keep it, and asks with If-None-Match before reusing it (a 304)
NEVER_STORE = "no-store"  # nothing to revalidate with: no cache keeps it at all
# A token response's own headers (RFC 6749 §5.1), Pragma included for HTTP/1.0 caches.
TOKEN_RESPONSE_HEADERS = {"Cache-Control": NEVER_STORE, "Pragma": "no-cache"}


class CacheControlMiddleware:
    """`private, no-cache` for a representation with an `ETag`, `no-store` for every other answer.

    Views that know better (the JWKS, public and fresh for a minute) set their own, which stays.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if "Cache-Control" not in response:
            revalidatable = response.status_code in (200, 304) and "ETag" in response
            response["Cache-Control"] = REVALIDATE if revalidatable else NEVER_STORE
        return response
