"""Two refreshes racing with one token: the row lock lets exactly one win."""

from concurrent.futures import ThreadPoolExecutor

import pytest
from django.db import connection
from rest_framework.test import APIClient

pytestmark = pytest.mark.django_db(transaction=True)


def test_two_concurrent_refreshes_yield_exactly_one_new_pair(user, login):
    raw = login()["refresh"]

    def attempt(_):
        try:
            return APIClient().post("/v1/auth/token/refresh/", {"refresh": raw}, format="json").status_code
        finally:
            connection.close()

    with ThreadPoolExecutor(max_workers=2) as pool:
        statuses = sorted(pool.map(attempt, range(2)))
    assert statuses == [200, 401]
