"""Hostile input to auth is a 400 or 401, never a 500: NUL, lone surrogates, bodies that are not objects."""

import base64
import json

import pytest

from clients.services import client_create

pytestmark = pytest.mark.django_db
OAUTH = "/v2/auth/oauth/token/"


def post_json(api, path, body):
    """json.dumps escapes NUL and lone surrogates as \\u0000 and \\ud800, as a hostile client sends them."""
    return api.post(path, json.dumps(body), content_type="application/json")


@pytest.mark.parametrize("field", ["username", "password"])
@pytest.mark.parametrize("value", ["ad\x00a", "ad\ud800a"], ids=["nul", "lone-surrogate"])
def test_register_refuses_nul_and_lone_surrogates_with_a_field_error(api, field, value):
    body = {"username": "ada", "password": "a long enough pass phrase", field: value}
    response = post_json(api, "/v2/auth/users/", body)
    assert response.status_code == 400
    assert field in response.json()["errors"]


@pytest.mark.parametrize("value", ["ad\x00a", "ad\ud800a"], ids=["nul", "lone-surrogate"])
def test_login_with_nul_or_a_lone_surrogate_is_a_400(api, value):
    response = post_json(api, "/v1/auth/token/", {"username": value, "password": value})
    assert response.status_code == 400
    assert set(response.json()) == {"username", "password"}


@pytest.mark.parametrize("body", [False, [], "token", 42, None])
def test_a_client_credentials_body_that_is_not_an_object_is_invalid_request(api, body):
    response = post_json(api, OAUTH, body)
    assert response.status_code == 400
    assert response.json()["error"] == "invalid_request"


@pytest.mark.parametrize("field", ["client_id", "client_secret"])
@pytest.mark.parametrize("value", ["a\x00b", "a\ud800b"], ids=["nul", "lone-surrogate"])
def test_client_credentials_with_nul_or_a_lone_surrogate_is_invalid_request(api, field, value):
    body = {"grant_type": "client_credentials", "client_id": "importer", "client_secret": "s", field: value}
    response = post_json(api, OAUTH, body)
    assert response.status_code == 400
    assert response.json()["error"] == "invalid_request"


def test_a_form_encoded_nul_in_the_client_id_is_invalid_request(api):
    response = api.post(OAUTH, "grant_type=client_credentials&client_id=a%00b&client_secret=s",
                        content_type="application/x-www-form-urlencoded")
    assert response.status_code == 400


def test_a_nul_in_basic_credentials_is_invalid_client(api):
    client, secret = client_create(name="importer", scopes=["customers:read"], audience=["customers"])
    credentials = base64.b64encode(f"{client.client_id}%00:{secret}".encode()).decode()
    response = api.post(OAUTH, "grant_type=client_credentials", content_type="application/x-www-form-urlencoded",
                        HTTP_AUTHORIZATION=f"Basic {credentials}")
    assert response.status_code == 401
    assert response.json()["error"] == "invalid_client"


def test_a_username_outside_the_documented_pattern_is_a_field_error(api):
    response = post_json(api, "/v2/auth/users/", {"username": "ada lovelace", "password": "a long enough pass phrase"})
    assert response.status_code == 400
    assert list(response.json()["errors"]) == ["username"]


@pytest.mark.parametrize("method", ["GET", "PUT", "DELETE", "QUERY"])
def test_another_method_on_the_token_endpoint_is_a_405_with_allow(api, method):
    response = api.generic(method, OAUTH)
    assert response.status_code == 405
    assert response["Allow"] == "POST, OPTIONS"


DEEP = b'{"a":' * 50_000 + b"1" + b"}" * 50_000  # under the gateway's 1 MiB, past Python's recursion limit


@pytest.mark.parametrize("path", ["/v1/auth/token/", "/v2/auth/users/", "/v2/auth/token/refresh/"])
def test_json_nested_past_the_recursion_limit_is_a_400(api, path):
    assert api.post(path, DEEP, content_type="application/json").status_code == 400


def test_json_nested_past_the_recursion_limit_is_invalid_request_at_the_token_endpoint(api):
    response = api.post(OAUTH, DEEP, content_type="application/json")
    assert response.status_code == 400
    assert response.json()["error"] == "invalid_request"


def test_a_member_named_twice_is_a_400_even_at_the_token_endpoint(api):
    body = b'{"username": "ada", "password": "a long enough pass phrase", "username": "root"}'
    response = api.post("/v2/auth/users/", body, content_type="application/json")
    assert response.status_code == 400 and 'duplicate member name "username"' in response.json()["detail"]
    response = api.post(OAUTH, b'{"grant_type": "client_credentials", "grant_type": "password"}',
                        content_type="application/json")
    assert response.status_code == 400 and response.json()["error"] == "invalid_request"


@pytest.mark.parametrize("lookalike", ["ﬁona", "ｆｉｏｎａ", "FIONA", "Fiona"])
def test_a_username_that_only_looks_like_another_is_taken(api, lookalike):
    """NFKC, then unique ignoring case: a ligature, full-width letters or another case are the same name."""
    body = {"password": "a long enough pass phrase"}
    assert post_json(api, "/v2/auth/users/", {**body, "username": "fiona"}).status_code == 201
    response = post_json(api, "/v2/auth/users/", {**body, "username": lookalike})
    assert response.status_code == 400 and list(response.json()["errors"]) == ["username"]


def test_the_database_refuses_a_case_variant_that_raced_past_the_check():
    from django.db import IntegrityError, transaction

    from accounts.models import User

    User.objects.create(username="ada")
    with pytest.raises(IntegrityError), transaction.atomic():
        User.objects.create(username="ADA")


def test_a_normalized_name_logs_in_as_it_was_written(api):
    body = {"username": "ﬁnn", "password": "a long enough pass phrase"}
    assert post_json(api, "/v2/auth/users/", body).json()["username"] == "finn"
    assert post_json(api, "/v2/auth/token/", body).status_code == 200


@pytest.mark.parametrize("username", ["\ufb01" * 76, "\ufdfa" * 10, "a\ufdfa"],
                         ids=["longer-once-normalised", "far-longer", "a-space-once-normalised"])
def test_a_username_is_checked_again_once_normalised(api, username):
    """76 "ﬁ" are 152 letters after NFKC, past the column's 150; U+FDFA becomes words with spaces."""
    response = post_json(api, "/v2/auth/users/", {"username": username, "password": "a long enough pass phrase"})
    assert response.status_code == 400 and list(response.json()["errors"]) == ["username"]


def test_an_email_longer_than_254_characters_is_a_400_everywhere(api, user, staff, bearer):
    email = "a" * 288 + "@example.com"  # a valid format up to 320
    body = {"username": "ada", "password": "a long enough pass phrase", "email": email}
    assert post_json(api, "/v2/auth/users/", body).status_code == 400
    assert bearer().patch("/v2/auth/me/", {"email": email}, format="json").status_code == 400
    admin = bearer("root")
    assert admin.patch(f"/v2/auth/users/{user.pk}/", {"email": email}, format="json").status_code == 400
    assert bearer().patch("/v2/auth/me/", {"email": "a" * 242 + "@example.com"}, format="json").status_code == 200


@pytest.mark.parametrize("groups", [["a\x00b"], ["a\ud800b"], [{"a": 1}], [1], [None], [[[[]]]]])
def test_a_group_that_is_not_a_name_is_a_400(user, staff, bearer, groups):
    response = bearer("root").patch(f"/v2/auth/users/{user.pk}/", json.dumps({"groups": groups}),
                                    content_type="application/json")
    assert response.status_code == 400
    assert response.json()["errors"]["groups"] == ["Must be a group's name."]


def test_a_group_nested_past_the_parsers_depth_is_a_400(user, staff, bearer):
    body = '{"groups": ' + "[" * 600 + "]" * 600 + "}"
    response = bearer("root").patch(f"/v2/auth/users/{user.pk}/", body, content_type="application/json")
    assert response.status_code == 400


def test_a_group_name_no_group_has_is_a_400_that_names_it(user, staff, bearer):
    response = bearer("root").patch(f"/v2/auth/users/{user.pk}/", {"groups": ["nope"]}, format="json")
    assert response.status_code == 400 and response.json()["errors"]["groups"] == ["Group nope does not exist."]
