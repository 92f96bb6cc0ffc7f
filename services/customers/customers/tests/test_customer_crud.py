import uuid

import pytest

from customers.models import Customer

pytestmark = pytest.mark.django_db
URL = "/v1/customers/"


def create(client, **fields):
    body = {"name": "Ada Lovelace", "email": "ada@example.com", "phone": "+44 20 1234", "company": "Engines", **fields}
    return client.post(URL, body, format="json")


def test_create_returns_201_with_location_and_a_uuid7_id(alice):
    response = create(alice)
    assert response.status_code == 201
    body = response.json()
    assert uuid.UUID(body["id"]).version == 7
    assert response["Location"].endswith(f"/v1/customers/{body['id']}/")
    assert body["owner"] == alice.sub


def test_read_only_fields_in_the_body_change_nothing(alice):
    body = create(alice, owner=str(uuid.uuid4()), id=str(uuid.uuid4()), created_at="2000-01-01T00:00:00Z").json()
    assert body["owner"] == alice.sub
    customer = Customer.objects.get()
    assert str(customer.id) == body["id"] and customer.created_at.year > 2000


def test_retrieve_update_delete(alice):
    url = f"{URL}{create(alice).json()['id']}/"
    assert alice.get(url).status_code == 200
    assert alice.patch(url, {"company": "Analytical"}, format="json").json()["company"] == "Analytical"
    replaced = alice.put(url, {"name": "Ada", "email": "ada@new.example"}, format="json")
    assert replaced.status_code == 200 and replaced.json()["phone"] == ""
    assert alice.delete(url).status_code == 204
    assert alice.get(url).status_code == 404


def test_an_id_is_found_in_either_case(alice):
    """RFC 9562 §4: a UUID's hex digits are case-insensitive on input; the answer spells it in lower case."""
    created = create(alice).json()
    response = alice.get(f"{URL}{created['id'].upper()}/")
    assert response.status_code == 200 and response.json()["id"] == created["id"]


def test_another_owner_gets_404_for_every_method(alice, bob):
    url = f"{URL}{create(alice).json()['id']}/"
    assert bob.get(url).status_code == 404
    assert bob.put(url, {"name": "x", "email": "x@example.com"}, format="json").status_code == 404
    assert bob.patch(url, {"name": "x"}, format="json").status_code == 404
    assert bob.delete(url).status_code == 404
    assert Customer.objects.get().name == "Ada Lovelace"


def test_every_404_of_the_detail_path_says_the_same_in_each_version(alice, bob):
    """Unknown, another owner's, or not an id at all: a client cannot tell them apart, and the docs' example holds."""
    theirs = create(bob).json()["id"]
    for version in ("v1", "v2"):
        bodies = []
        for pk in ("0190d3f0-0000-7000-8000-000000000000", theirs, "not-a-uuid"):
            response = alice.get(f"/{version}/customers/{pk}/")
            assert response.status_code == 404
            body = response.json()
            bodies.append(body["detail"] if version == "v1" else (body["title"], body["detail"]))
        assert bodies == [bodies[0]] * 3 and "Not found." in str(bodies[0])


def test_lists_never_include_other_owners_rows(alice, bob):
    create(alice)
    create(bob, email="bob@example.com")
    body = alice.get(URL).json()
    assert body["count"] == 1
    assert body["results"][0]["owner"] == alice.sub


def test_duplicate_email_per_owner_is_a_field_error(alice, bob):
    create(alice)
    response = create(alice, email="ADA@example.com")
    assert response.status_code == 400
    assert "email" in response.json()
    assert create(bob).status_code == 201


def test_invalid_body_lists_field_errors(alice):
    response = alice.post(URL, {"name": 42, "email": "not-an-email"}, format="json")
    assert response.status_code == 400
    assert set(response.json()) == {"name", "email"}


def test_unknown_id_is_404(alice):
    assert alice.get(f"{URL}{uuid.uuid4()}/").status_code == 404


def test_wrong_method_is_405(alice):
    assert alice.put(URL, {}, format="json").status_code == 405
