"""HEAD (RFC 9110 §9.3.2): the GET's status and headers, no body."""


class HeadWithoutBodyMiddleware:
    """A HEAD response's headers alone, `Content-Length` still the GET's (setting `content` leaves headers be).

    gunicorn would drop the body itself, but with a warning per request that no request id ties to anything.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if request.method == "HEAD" and not response.streaming and response.content:
            response.content = b""
        return response
