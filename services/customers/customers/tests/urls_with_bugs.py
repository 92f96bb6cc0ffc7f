"""The real routes plus two views with bugs, to see how a bug is answered."""

from django.db import connection
from django.urls import re_path
from rest_framework.permissions import AllowAny
from rest_framework.views import APIView

from config.urls import handler400, handler403, handler404, handler500, urlpatterns as real  # noqa: F401


class Crash(APIView):
    permission_classes = [AllowAny]

    def get(self, request, version):
        return 1 / 0


class BadSQL(APIView):
    permission_classes = [AllowAny]

    def get(self, request, version):
        with connection.cursor() as cursor:
            cursor.execute("SELECT no_such_column FROM customers_customer")


urlpatterns = [
    *real,
    re_path(r"^(?P<version>v1|v2)/crash/$", Crash.as_view()),
    re_path(r"^(?P<version>v1|v2)/bad-sql/$", BadSQL.as_view()),
]
