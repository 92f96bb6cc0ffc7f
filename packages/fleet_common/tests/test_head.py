"""A HEAD response carries the GET's headers and no body, so gunicorn has nothing to drop (and warn about)."""

import django
from django.conf import settings

if not settings.configured:
    settings.configure(USE_I18N=False)
    django.setup()

from django.http import HttpResponse, StreamingHttpResponse  # noqa: E402 - needs configured settings
from django.test import RequestFactory  # noqa: E402

from fleet_common.head import HeadWithoutBodyMiddleware  # noqa: E402


def answer(method: str, response):
    return HeadWithoutBodyMiddleware(lambda request: response)(RequestFactory().generic(method, "/v2/customers/"))


def test_a_head_keeps_the_gets_headers_and_content_length_but_sends_no_body():
    response = answer("HEAD", HttpResponse(b'{"count":0}', headers={"Content-Length": "11", "ETag": '"1"'}))
    assert (response.content, response["Content-Length"], response["ETag"]) == (b"", "11", '"1"')


def test_a_get_and_a_streamed_head_are_left_alone():
    assert answer("GET", HttpResponse(b"{}")).content == b"{}"
    streamed = answer("HEAD", StreamingHttpResponse(iter([b"{}"])))
    assert b"".join(streamed.streaming_content) == b"{}"
