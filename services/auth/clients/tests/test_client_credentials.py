import base64
import logging
from urllib.parse import quote_plus

import jwt
import pytest
from django.core.management import CommandError, call_command

from clients.models import ServiceClient
from clients.services import client_create
from fleet_testing import database_at

pytestmark = pytest.mark.django_db
URL = "/v1/auth/oauth/token/"


@pytest.fixture
def client_and_secret():
    return client_create(name="importer", scopes=["customers:admin", "customers:read"], audience=["customers"])


def basic(client_id, secret):
    return "Basic " + base64.b64encode(f"{quote_plus(client_id)}:{quote_plus(secret)}".encode()).decode()


def test_client_secret_basic_form_encoded(api, client_and_secret):
    client, secret = client_and_secret
    response = api.post(URL, "grant_type=client_credentials&scope=customers%3Aread",
                        content_type="application/x-www-form-urlencoded",
                        HTTP_AUTHORIZATION=basic(client.client_id, secret))
    assert response.status_code == 200
    body = response.json()
    assert body["token_type"] == "Bearer" and body["scope"] == "customers:read"
    assert response["Cache-Control"] == "no-store"
    claims = jwt.decode(body["access_token"], options={"verify_signature": False})
    assert claims["sub"] == f"client:{client.client_id}"
    assert claims["scope"] == "customers:read" and claims["aud"] == ["customers"]


def test_scopes_separated_by_several_spaces_are_still_granted(api, client_and_secret):
    client, secret = client_and_secret
    response = api.post(URL, {"grant_type": "client_credentials", "client_id": client.client_id,
                              "client_secret": secret, "scope": " customers:read  customers:admin "}, format="json")
    assert response.status_code == 200 and response.json()["scope"] == "customers:admin customers:read"


def test_client_secret_post_json_gets_every_allowed_scope_by_default(api, client_and_secret):
    client, secret = client_and_secret
    response = api.post(URL, {"grant_type": "client_credentials", "client_id": client.client_id,
                              "client_secret": secret}, format="json")
    assert response.status_code == 200
    assert response.json()["scope"] == "customers:admin customers:read"


@pytest.mark.parametrize("body, status, error", [
    ({"grant_type": "password"}, 400, "unsupported_grant_type"),
    ({}, 400, "invalid_request"),
    ({"grant_type": "client_credentials", "scope": "customers:write"}, 400, "invalid_scope"),
    # Scopes are separated by spaces (RFC 6749 §3.3), not by any Unicode whitespace.
    ({"grant_type": "client_credentials", "scope": "customers:read\u3000customers:admin"}, 400, "invalid_scope"),
    ({"grant_type": "client_credentials", "scope": "customers:read\tcustomers:admin"}, 400, "invalid_scope"),
])
def test_rfc6749_errors(api, client_and_secret, body, status, error):
    client, secret = client_and_secret
    response = api.post(URL, {**body, "client_id": client.client_id, "client_secret": secret}, format="json")
    assert response.status_code == status
    assert response.json()["error"] == error
    assert response["Content-Type"].startswith("application/json")


def test_wrong_secret_is_invalid_client_with_a_basic_challenge(api, client_and_secret):
    client, _ = client_and_secret
    response = api.post(URL, "grant_type=client_credentials", content_type="application/x-www-form-urlencoded",
                        HTTP_AUTHORIZATION=basic(client.client_id, "wrong"))
    assert response.status_code == 401
    assert response.json()["error"] == "invalid_client"
    assert response["WWW-Authenticate"].startswith("Basic")


def test_two_authentication_methods_are_refused(api, client_and_secret):
    client, secret = client_and_secret
    response = api.post(URL, f"grant_type=client_credentials&client_id={client.client_id}&client_secret={secret}",
                        content_type="application/x-www-form-urlencoded", HTTP_AUTHORIZATION=basic(client.client_id, secret))
    assert response.json()["error"] == "invalid_request"


def test_malformed_body_is_an_rfc6749_error_not_a_problem(api):
    response = api.post("/v2/auth/oauth/token/", "{nope", content_type="application/json")
    assert response.status_code == 400
    assert response.json()["error"] == "invalid_request"


def test_a_body_neither_form_nor_json_is_a_415_in_rfc6749s_shape(api):
    response = api.post(URL, "grant_type=client_credentials", content_type="text/plain")
    assert response.status_code == 415
    assert response.json()["error"] == "invalid_request"
    assert "text/plain" in response.json()["error_description"]
    assert response["Cache-Control"] == "no-store"


@pytest.mark.parametrize("version", ["v1", "v2"])
def test_a_method_other_than_post_is_a_405_in_rfc6749s_shape_with_allow(api, version):
    response = api.get(f"/{version}/auth/oauth/token/")
    assert response.status_code == 405 and response["Allow"] == "POST, OPTIONS"
    assert response.json() == {"error": "invalid_request", "error_description": 'Method "GET" not allowed.'}
    assert response["Content-Type"].startswith("application/json")


def test_a_disabled_client_gets_no_token(api, client_and_secret):
    client, secret = client_and_secret
    call_command("service_client", "disable", client.client_id)
    response = api.post(URL, {"grant_type": "client_credentials", "client_id": client.client_id,
                              "client_secret": secret}, format="json")
    assert response.status_code == 401
    assert response["WWW-Authenticate"] == 'Basic realm="oauth"'  # client_secret_post too: every 401 has one


def test_no_client_credentials_at_all_is_a_401_that_says_how_to_authenticate(api):
    response = api.post(URL, "grant_type=client_credentials", content_type="application/x-www-form-urlencoded")
    assert response.status_code == 401 and response.json()["error"] == "invalid_client"
    assert response["WWW-Authenticate"] == 'Basic realm="oauth"'


@pytest.mark.parametrize("value", ["Basic é", "Basic !!!!", "Basic " + base64.b64encode(b"\xff:\xfe").decode()])
def test_malformed_basic_credentials_are_an_invalid_client_401(api, value):
    response = api.post(URL, "grant_type=client_credentials", content_type="application/x-www-form-urlencoded",
                        HTTP_AUTHORIZATION=value)
    assert response.status_code == 401
    assert response.json() == {"error": "invalid_client", "error_description": "Malformed Basic credentials."}


def test_a_form_of_over_1000_fields_is_an_rfc6749_invalid_request(api):
    body = "grant_type=client_credentials&" + "&".join(f"p{i}=1" for i in range(1001))
    response = api.post(URL, body, content_type="application/x-www-form-urlencoded")
    assert response.status_code == 400 and response.json()["error"] == "invalid_request"
    assert response.json()["error_description"].startswith("Too many parameters")


def test_rotating_the_secret_retires_the_old_one(api, client_and_secret, capsys):
    client, old = client_and_secret
    call_command("service_client", "rotate-secret", client.client_id)
    new = capsys.readouterr().out.strip().split("=", 1)[1]
    post = lambda secret: api.post(URL, {"grant_type": "client_credentials", "client_id": client.client_id,  # noqa: E731
                                         "client_secret": secret}, format="json")
    assert post(old).status_code == 401
    assert post(new).status_code == 200


def test_create_command_prints_the_secret_once_and_stores_a_hash(capsys):
    call_command("service_client", "create", "billing", "--scope", "customers:read")
    out = capsys.readouterr().out
    secret = out.split("client_secret=")[1].split()[0]
    client = ServiceClient.objects.get(name="billing")
    assert secret not in client.secret_hash


@pytest.mark.parametrize("name", ["", "my importer", "a:b", "_leading", "é", "x" * 56])
def test_a_client_name_that_would_make_an_odd_id_or_subject_is_refused(name):
    with pytest.raises(CommandError, match="client name"):
        call_command("service_client", "create", name, "--scope", "customers:read")
    assert not ServiceClient.objects.exists()


def test_the_longest_client_name_still_makes_an_id_that_fits():
    client, _ = client_create(name="x" * 55, scopes=["customers:read"], audience=["customers"])
    assert len(client.client_id) == 64


@pytest.mark.django_db(transaction=True)
def test_a_lost_database_is_rfc_6749s_temporarily_unavailable_and_its_cause_is_logged(api, client_and_secret, caplog):
    client, secret = client_and_secret
    with database_at(1), caplog.at_level(logging.WARNING, logger="fleet_common.errors"):  # nothing listens there
        response = api.post(URL, {"grant_type": "client_credentials", "client_id": client.client_id,
                                  "client_secret": secret}, format="json")
    assert response.status_code == 503 and response["Retry-After"] == "5"
    assert response.json()["error"] == "temporarily_unavailable"
    [logged] = [record.msg for record in caplog.records if record.name == "fleet_common.errors"]
    assert logged["event"] == "database_unavailable" and "Connection refused" in logged["reason"]
    assert secret not in caplog.text
