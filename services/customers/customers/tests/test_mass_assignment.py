"""The server's fields cannot be set from a body; only customers:admin may set the owner, and only on create."""

import uuid

import pytest

from customers.models import Customer

from .helpers import create, detail_url

pytestmark = pytest.mark.django_db
IMPORTED_OWNER = "0190d3f0-0000-7000-8000-00000000000a"
SERVER_FIELDS = {"id": str(uuid.uuid4()), "owner": str(uuid.uuid4()), "created_at": "2000-01-01T00:00:00Z",
                 "updated_at": "2000-01-01T00:00:00Z", "version": 99}


@pytest.mark.parametrize("version", ["v1", "v2"])
def test_server_fields_in_a_create_body_change_nothing(alice, version):
    body = create(alice, version, **SERVER_FIELDS).json()
    customer = Customer.objects.get()
    assert body["id"] == str(customer.pk) != SERVER_FIELDS["id"]
    assert customer.owner == body["owner"] == alice.sub
    assert customer.created_at.year > 2000 and customer.updated_at.year > 2000
    assert customer.version == 1


@pytest.mark.parametrize("method", ["put", "patch"])
def test_server_fields_in_an_update_body_change_nothing(alice, method):
    created = create(alice).json()
    body = {"name": "Ada", "email": "ada@example.com", **SERVER_FIELDS}
    response = getattr(alice, method)(detail_url(created["id"]), body, format="json")
    assert response.status_code == 200
    customer = Customer.objects.get()
    assert (str(customer.pk), customer.owner) == (created["id"], alice.sub)
    assert customer.created_at.isoformat().startswith(created["created_at"][:19])
    assert customer.version == 2 and customer.updated_at.year > 2000


@pytest.mark.parametrize("owner, stored", [(IMPORTED_OWNER, IMPORTED_OWNER),
                                           (IMPORTED_OWNER.upper(), IMPORTED_OWNER),  # as tokens spell it
                                           ("client:importer-3f9a2c1b", "client:importer-3f9a2c1b")])
def test_an_admin_may_set_the_owner_on_create_for_imports(admin, owner, stored):
    response = create(admin, owner=owner)
    assert response.status_code == 201
    assert response.json()["owner"] == stored
    assert Customer.objects.get().owner == stored


@pytest.mark.parametrize("owner", ["imported-owner", "client:", IMPORTED_OWNER[:-1], f"{IMPORTED_OWNER}x", "Bob"])
def test_an_owner_no_token_could_carry_is_a_field_error(admin, owner):
    """A subject is a user's id or client:<id>: any other owner would hold rows that no token can reach."""
    response = create(admin, owner=owner)
    assert response.status_code == 400 and list(response.json()) == ["owner"]
    assert not Customer.objects.exists()


def test_without_customers_admin_an_owner_is_ignored_but_still_checked_against_the_schema(alice):
    assert create(alice, owner=IMPORTED_OWNER).json()["owner"] == alice.sub
    assert create(alice, owner="not a subject at all", email="other@example.com").status_code == 400


def test_an_admin_without_an_owner_creates_their_own(admin):
    assert create(admin).json()["owner"] == admin.sub


def test_an_admin_import_checks_email_uniqueness_within_the_target_owner(admin, make_customers):
    make_customers(IMPORTED_OWNER, 1, email="taken@example.com")
    response = create(admin, owner=IMPORTED_OWNER, email="TAKEN@example.com")
    assert response.status_code == 400 and "email" in response.json()


def test_even_an_admin_cannot_move_a_customer_to_another_owner(admin, alice):
    url = detail_url(create(alice).json()["id"])
    assert admin.patch(url, {"owner": "thief"}, format="json").status_code == 200
    assert Customer.objects.get().owner == alice.sub


def test_the_owner_must_be_a_string_when_an_admin_sets_it(admin):
    assert create(admin, owner=42).status_code == 400
