"""No shared cache keeps API data; a client keeps a representation only to revalidate it with its ETag."""

import django
from django.conf import settings

if not settings.configured:
    settings.configure(USE_I18N=False)
    django.setup()

from django.http import HttpResponse  # noqa: E402 - needs configured settings
from django.test import RequestFactory  # noqa: E402

from fleet_common.caching import CacheControlMiddleware  # noqa: E402


def cache_control(response) -> str:
    return CacheControlMiddleware(lambda request: response)(RequestFactory().get("/v2/customers/"))["Cache-Control"]


def test_a_representation_with_an_etag_is_private_and_revalidated():
    assert cache_control(HttpResponse(b"{}", headers={"ETag": '"1-1"'})) == "private, no-cache"
    assert cache_control(HttpResponse(status=304, headers={"ETag": '"1-1"'})) == "private, no-cache"


def test_every_other_answer_is_never_stored():
    assert cache_control(HttpResponse(b'{"results":[]}')) == "no-store"
    assert cache_control(HttpResponse(b"{}", status=201, headers={"ETag": '"1-1"'})) == "no-store"
    assert cache_control(HttpResponse(b"{}", status=404)) == "no-store"


def test_a_views_own_cache_control_stays():
    assert cache_control(HttpResponse(b"{}", headers={"Cache-Control": "public, max-age=60"})) == "public, max-age=60"
