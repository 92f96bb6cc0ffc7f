"""v1 announces its deprecation, sunset and successor on every response; v2 does not."""

import re
from datetime import datetime, timezone
from email.utils import parsedate_to_datetime

import pytest
from rest_framework.test import APIClient

from .helpers import create

pytestmark = pytest.mark.django_db


def test_v1_responses_carry_deprecation_sunset_and_a_successor_link(alice, settings):
    settings.API_LIFECYCLE = {"v1": {"deprecation": datetime(2026, 12, 1, tzinfo=timezone.utc),
                                     "sunset": datetime(2027, 12, 1, tzinfo=timezone.utc), "successor": "v2"}}
    customer_id = create(alice).json()["id"]
    response = alice.get(f"/v1/customers/{customer_id}/")
    assert response["Deprecation"] == f"@{int(datetime(2026, 12, 1, tzinfo=timezone.utc).timestamp())}"
    assert parsedate_to_datetime(response["Sunset"]) == datetime(2027, 12, 1, tzinfo=timezone.utc)
    assert response["Sunset"].endswith(" GMT")
    assert response["Link"] == f'<http://testserver/v2/customers/{customer_id}/>; rel="successor-version"'


def test_v1_errors_carry_them_too():
    response = APIClient().get("/v1/customers/")
    assert response.status_code == 401
    assert re.fullmatch(r"@\d+", response["Deprecation"]) and "successor-version" in response["Link"]


def test_v2_responses_carry_no_lifecycle_headers(alice):
    response = alice.get("/v2/customers/")
    assert "Deprecation" not in response and "Sunset" not in response


def test_the_dates_come_from_the_environment(monkeypatch):
    import environ

    from fleet_common.settings import api_lifecycle
    monkeypatch.setenv("API_V1_DEPRECATED_AT", "2027-01-02")
    monkeypatch.setenv("API_V1_SUNSET_AT", "2028-03-04T05:06:07+00:00")
    lifecycle = api_lifecycle(environ.Env())["v1"]
    assert lifecycle["deprecation"] == datetime(2027, 1, 2, tzinfo=timezone.utc)
    assert lifecycle["sunset"] == datetime(2028, 3, 4, 5, 6, 7, tzinfo=timezone.utc)
