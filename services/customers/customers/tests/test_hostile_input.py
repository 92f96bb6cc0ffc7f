"""Hostile input is a 400 (or the documented status), never a 500: NUL, lone surrogates, digits int() cannot read,
forged cursors."""

import base64
import json

import pytest

from customers.models import Customer

from .helpers import create, detail_url

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("field", ["name", "email", "phone", "company"])
@pytest.mark.parametrize("value", ["a\x00b", "a\ud800b"], ids=["nul", "lone-surrogate"])
def test_nul_or_a_lone_surrogate_in_a_field_is_a_400_field_error(alice, field, value):
    body = {"name": "Ada", "email": "ada@example.com", field: value}
    for version in ("v1", "v2"):
        # json.dumps escapes both as \u0000 and \ud800, as a hostile client sends them.
        response = alice.post(f"/{version}/customers/", json.dumps(body), content_type="application/json")
        assert response.status_code == 400, response.content
        errors = response.json() if version == "v1" else response.json()["errors"]
        assert list(errors) == [field]
    assert Customer.objects.count() == 0


def test_a_lone_surrogate_as_a_json_escape_is_a_field_error(alice):
    body = b'{"name": "a\\ud800", "email": "x@example.com"}'
    response = alice.post("/v2/customers/", body, content_type="application/json")
    assert response.status_code == 400
    assert list(response.json()["errors"]) == ["name"]


def test_invalid_utf8_bytes_are_a_400(alice):
    body = b'{"name": "a\xed\xa0\x80b", "email": "x@example.com"}'
    response = alice.post("/v1/customers/", body, content_type="application/json")
    assert response.status_code == 400


def test_a_nul_in_search_is_a_field_error_in_both_versions(alice):
    assert alice.get("/v1/customers/", {"search": "a\x00"}).json() == {"search": ["Null characters are not allowed."]}
    response = alice.get("/v2/customers/", {"search": "a\x00"})
    assert response.status_code == 400 and list(response.json()["errors"]) == ["search"]


@pytest.mark.parametrize("query", [{"page_size": "²"}, {"page": "²"}, {"page_size": "١٠"}, {"page": "１"}])
def test_digits_that_int_cannot_read_are_a_400_not_a_500(alice, query):
    response = alice.get("/v1/customers/", query)
    assert response.status_code == 400, response.content
    assert list(response.json()) == list(query)


def test_v2_page_size_in_other_digits_is_a_400(alice):
    assert alice.get("/v2/customers/", {"page_size": "²"}).status_code == 400


@pytest.mark.parametrize("value", ["a\x00", "a\ud800"], ids=["nul", "lone-surrogate"])
def test_a_forged_cursor_carrying_text_no_row_can_hold_is_a_400(alice, value):
    payload = json.dumps({"o": "name", "v": value, "k": "01a21c66-1907-7874-9f13-1af9143108c5", "r": False})
    cursor = base64.urlsafe_b64encode(payload.encode()).decode().rstrip("=")
    response = alice.get("/v2/customers/", {"ordering": "name", "cursor": cursor})
    assert response.status_code == 400
    assert response.json()["errors"] == {"cursor": ["Invalid cursor."]}


def test_if_match_with_a_non_ascii_digit_is_a_412_not_a_500(alice):
    created = create(alice, "v2").json()
    response = alice.patch(detail_url(created["id"], "v2"), {"name": "x"}, format="json",
                           HTTP_IF_MATCH=f'"{created["id"]}-²"')
    assert response.status_code == 412


def test_erasing_an_owner_whose_id_holds_a_nul_or_is_too_long_is_a_400(client_for):
    auth_service = client_for("client:auth", scopes=("customers:admin",))
    assert auth_service.delete("/internal/v1/owners/a%00b/customers/").status_code == 400
    assert auth_service.delete(f"/internal/v1/owners/{'a' * 256}/customers/").status_code == 400
    assert auth_service.delete(f"/internal/v1/owners/{'a' * 255}/customers/").status_code == 204


DEEP = b"[" * 100_000 + b"]" * 100_000  # 200 KB: under the gateway's 1 MiB, past Python's recursion limit


@pytest.mark.parametrize("content_type", ["application/json", "application/merge-patch+json"])
def test_json_nested_past_the_recursion_limit_is_a_400(alice, content_type):
    assert alice.post("/v2/customers/", DEEP, content_type="application/json").status_code == 400
    created = create(alice, "v2").json()
    response = alice.patch(detail_url(created["id"], "v2"), DEEP, content_type=content_type)
    assert response.status_code == 400
    assert "nested too deeply" in response.json()["detail"]


def test_a_member_named_twice_is_a_400_that_names_it_and_writes_nothing(alice):
    body = b'{"name": "Ada", "email": "ada@example.com", "email": "admin@example.com"}'
    for version in ("v1", "v2"):
        response = alice.post(f"/{version}/customers/", body, content_type="application/json")
        assert response.status_code == 400
        assert 'duplicate member name "email"' in response.json()["detail"]
    created = create(alice, "v2").json()
    response = alice.patch(detail_url(created["id"], "v2"), b'{"name": "A", "name": "B"}',
                           content_type="application/merge-patch+json")
    assert response.status_code == 400
    assert Customer.objects.get().name == created["name"]


def test_a_json_body_is_read_as_utf8_whatever_charset_its_content_type_names(alice):
    body = '{"name": "Café", "email": "cafe@example.com"}'.encode()
    response = alice.post("/v2/customers/", body, content_type="application/json; charset=latin-1")
    assert response.status_code == 201 and response.json()["name"] == "Café"
    response = alice.post("/v2/customers/", body.decode().encode("latin-1"),
                          content_type="application/json; charset=latin-1")
    assert response.status_code == 400 and "not UTF-8" in response.json()["detail"]


@pytest.mark.parametrize("body, reason", [
    (b'\xef\xbb\xbf{"name": "Ada"}', "a byte order mark is not allowed"),
    (b'{"name": "Ada", "phone": ' + b"9" * 5000 + b"}", "a number has more than 4300 digits"),
    (b'{"name": "Ada",', "line 1 column 16"),
])
def test_a_body_that_is_not_json_is_a_400_in_the_clients_terms_not_pythons(alice, body, reason):
    detail = alice.post("/v2/customers/", body, content_type="application/json").json()["detail"]
    assert reason in detail and "sys." not in detail and "utf-8-sig" not in detail


@pytest.mark.parametrize("query", ["search=caf%E9", "search=a%ED%A0%80b", "email=%FF%FE", "company=%C3"])
def test_a_query_string_that_is_not_utf8_is_a_400_not_read_with_replacement_characters(alice, query):
    v1 = alice.get(f"/v1/customers/?{query}")
    assert v1.status_code == 400 and v1.json() == {"detail": "The query string is not valid UTF-8."}
    assert v1["Deprecation"]  # the v1 lifecycle headers still apply
    v2 = alice.get(f"/v2/customers/?{query}")
    assert v2.status_code == 400 and v2["Content-Type"] == "application/problem+json"


def test_utf8_query_strings_still_work(alice):
    create(alice, "v2", name="Café 🦄", email="cafe@example.com")
    assert [row["name"] for row in alice.get("/v2/customers/?search=caf%C3%A9").json()["results"]] == ["Café 🦄"]
    assert alice.get("/v2/customers/?search=%F0%9F%A6%84").json()["results"][0]["email"] == "cafe@example.com"
