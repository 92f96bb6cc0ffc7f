"""v1 keeps DRF's error bodies; v2 answers every error as RFC 9457 problem+json; only a lost database is a 503."""

import logging
import socket
import time
import uuid

import psycopg
import pytest
from django.db import connection
from rest_framework.test import APIClient

from fleet_common.postgresql.unreachable import BACKOFF_SECONDS
from fleet_testing import database_at

from .helpers import create, detail_url

pytestmark = pytest.mark.django_db
PROBLEM = "application/problem+json"


def assert_problem(response, status: int) -> dict:
    assert response.status_code == status, response.content
    assert response["Content-Type"] == PROBLEM
    body = response.json()
    assert body["status"] == status and body["type"] == "about:blank" and body["title"] and body["detail"]
    return body


def test_v2_invalid_body_is_a_400_problem_with_per_field_errors(alice):
    body = assert_problem(create(alice, "v2", name=42, email="not-an-email"), 400)
    assert set(body["errors"]) == {"name", "email"}


def test_v1_invalid_body_keeps_drf_field_errors(alice):
    response = create(alice, "v1", name=42, email="not-an-email")
    assert response.status_code == 400 and response["Content-Type"] == "application/json"
    assert set(response.json()) == {"name", "email"}


@pytest.mark.parametrize("version", ["v1", "v2"])
def test_malformed_json_is_400(alice, version):
    response = alice.post(f"/{version}/customers/", "{not json", content_type="application/json")
    assert response.status_code == 400


@pytest.mark.parametrize("version", ["v1", "v2"])
def test_a_wrong_content_type_is_415(alice, version):
    response = alice.post(f"/{version}/customers/", "name=a&email=b", content_type="application/x-www-form-urlencoded")
    assert response.status_code == 415


def test_v2_answers_every_error_as_problem_json(alice, bob, client_for):
    url = detail_url(create(alice, "v2").json()["id"], "v2")
    assert_problem(APIClient().get("/v2/customers/"), 401)
    assert_problem(client_for(alice.sub, scopes=("customers:read",)).delete(url), 403)
    assert_problem(bob.get(url), 404)
    assert_problem(alice.get(detail_url(uuid.uuid4(), "v2")), 404)
    assert_problem(alice.put("/v2/customers/", {}, format="json"), 405)
    assert_problem(alice.patch(url, {"name": "x"}, format="json", HTTP_IF_MATCH='"stale"'), 412)
    assert_problem(alice.post("/v2/customers/", "x", content_type="text/plain"), 415)
    assert_problem(alice.post("/v2/customers/", "{not json", content_type="application/json"), 400)


@pytest.mark.parametrize("version", ["v1", "v2"])
def test_over_1000_query_parameters_is_a_400_that_says_so(alice, version):
    response = alice.get(f"/{version}/customers/?" + "&".join(f"p{i}=1" for i in range(1001)))
    assert response.status_code == 400
    assert response.json()["detail"].startswith("Too many parameters: at most 1,000")


def test_v1_errors_keep_drf_detail_bodies(alice, bob):
    url = detail_url(create(alice).json()["id"])
    for response in (APIClient().get("/v1/customers/"), bob.get(url), alice.put("/v1/customers/", {}, format="json")):
        assert response["Content-Type"] == "application/json"
        assert set(response.json()) == {"detail"}


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("version", ["v1", "v2"])
def test_a_refused_connection_is_a_503_and_the_next_request_is_served(alice, version, caplog):
    create(alice)
    with database_at(1), caplog.at_level(logging.WARNING, logger="fleet_common.errors"):  # nothing listens there
        response = alice.get(f"/{version}/customers/")
    assert response.status_code == 503 and response["Retry-After"]
    if version == "v2":
        assert_problem(response, 503)
    # The client is told only to retry; the log says why.
    [logged] = [record.msg for record in caplog.records if record.name == "fleet_common.errors"]
    assert logged["event"] == "database_unavailable" and logged["error"] == "OperationalError"
    assert "Connection refused" in logged["reason"] and "\n" not in logged["reason"]
    # Asking again costs a millisecond: with the database back, the very next request is served.
    assert alice.get(f"/{version}/customers/").status_code == 200


@pytest.mark.django_db(transaction=True)
def test_a_connection_that_times_out_is_a_503_then_the_database_rests_for_the_backoff(alice):
    create(alice)
    silent = socket.create_server(("127.0.0.1", 0))  # the kernel accepts connections, nobody answers: a frozen server
    try:
        with database_at(silent.getsockname()[1], connect_timeout=2):  # libpq's shortest
            started = time.monotonic()
            response = alice.get("/v2/customers/")
            waited = time.monotonic() - started
    finally:
        silent.close()
    assert_problem(response, 503)
    assert waited >= 1.5  # it waited out the connect timeout: not a refusal
    # For a moment the process does not ask the database again (fleet_common.postgresql.unreachable), though
    # it is back: so the requests queued behind this one do not each wait out a timeout of their own.
    assert_problem(alice.get("/v2/customers/"), 503)
    time.sleep(BACKOFF_SECONDS)
    assert alice.get("/v2/customers/").status_code == 200


@pytest.mark.parametrize("path", ["/v2/crash/", "/v2/bad-sql/", "/v1/crash/"])
def test_a_bug_is_a_logged_500_with_no_traceback_in_the_body(settings, path, caplog):
    settings.ROOT_URLCONF = "customers.tests.urls_with_bugs"
    response = APIClient(raise_request_exception=False).get(path)
    assert response.status_code == 500
    text = response.content.decode()
    assert "Traceback" not in text and "ZeroDivision" not in text and "no_such_column" not in text
    assert response.json()["detail"] == "A server error occurred."
    assert any(record.levelname == "ERROR" for record in caplog.records)


@pytest.mark.django_db(transaction=True)
def test_waiting_out_the_statement_timeout_on_a_locked_row_is_a_503_and_changes_nothing(alice):
    created = create(alice).json()
    url = detail_url(created["id"])
    params = connection.get_connection_params()
    options = connection.settings_dict["OPTIONS"]
    saved = options.get("options")
    connection.close()
    options["options"] = "-c statement_timeout=300"  # the shipped 5 s, shortened
    try:
        with psycopg.connect(**{k: v for k, v in params.items() if k not in ("options", "cursor_factory", "context")},
                             autocommit=False) as holder:
            holder.execute("SELECT 1 FROM customers_customer WHERE id = %s FOR UPDATE", [created["id"]])
            response = alice.patch(url, {"name": "Changed"}, format="json")
            holder.rollback()
    finally:
        connection.close()
        options["options"] = saved
    assert response.status_code == 503 and response["Retry-After"]
    assert alice.get(url).json()["name"] == created["name"]
