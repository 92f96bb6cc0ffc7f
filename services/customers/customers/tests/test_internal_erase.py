"""auth erases a deleted user's customers; that user's tokens, valid for minutes more, cannot create any again."""

import threading
import uuid

import pytest
from django.db import connection
from rest_framework.exceptions import PermissionDenied

from customers.models import Customer
from customers.services import customer_create, customers_erase_owner
from fleet_testing import in_thread

pytestmark = pytest.mark.django_db


def make(client, email):
    return client.post("/v1/customers/", {"name": "x", "email": email}, format="json")


def test_auth_erases_one_owners_customers(alice, bob, client_for):
    make(alice, "a1@example.com"), make(alice, "a2@example.com"), make(bob, "b@example.com")
    auth_service = client_for("client:auth", scopes=("customers:admin",))
    response = auth_service.delete(f"/internal/v1/owners/{alice.sub}/customers/")
    assert response.status_code == 204
    assert list(Customer.objects.values_list("owner", flat=True)) == [bob.sub]
    assert auth_service.delete(f"/internal/v1/owners/{alice.sub}/customers/").status_code == 204  # idempotent


def test_a_users_token_cannot_erase(alice):
    make(alice, "a1@example.com")
    assert alice.delete(f"/internal/v1/owners/{alice.sub}/customers/").status_code == 403
    assert Customer.objects.count() == 1


@pytest.mark.parametrize("subject", ["client:importer-3f9a2c1b", "client:auth-3f9a2c1b", str(uuid.uuid4())])
def test_only_auth_erases_not_another_caller_with_customers_admin(alice, client_for, subject):
    make(alice, "a1@example.com")
    response = client_for(subject, scopes=("customers:admin",)).delete(f"/internal/v1/owners/{alice.sub}/customers/")
    assert response.status_code == 403 and "auth service" in response.json()["detail"]
    assert Customer.objects.count() == 1
    assert alice.post("/v1/customers/", {"name": "x", "email": "a2@example.com"}, format="json").status_code == 201


def test_an_erased_owners_token_cannot_create_again(alice, bob, admin, client_for):
    make(alice, "a1@example.com")
    client_for("client:auth", scopes=("customers:admin",)).delete(f"/internal/v1/owners/{alice.sub}/customers/")
    for version in ("v1", "v2"):
        response = alice.post(f"/{version}/customers/", {"name": "x", "email": "again@example.com"}, format="json")
        assert response.status_code == 403
        assert "deleted" in response.json()["detail"]
    imported = admin.post("/v2/customers/", {"name": "x", "email": "i@example.com", "owner": alice.sub}, format="json")
    assert imported.status_code == 403
    assert make(bob, "b@example.com").status_code == 201
    assert list(Customer.objects.values_list("owner", flat=True)) == [bob.sub]


def test_an_erased_owners_stored_responses_go_too_so_a_retry_cannot_replay_their_customer(alice, bob, admin,
                                                                                           client_for):
    body = {"name": "Ada", "email": "ada@example.com", "phone": "+44 20 7946 0000"}
    assert alice.post("/v2/customers/", body, format="json", HTTP_IDEMPOTENCY_KEY="k1").status_code == 201
    imported = admin.post("/v2/customers/", {**body, "email": "i@example.com", "owner": alice.sub}, format="json",
                          HTTP_IDEMPOTENCY_KEY="k2")
    assert imported.status_code == 201
    kept = bob.post("/v2/customers/", body, format="json", HTTP_IDEMPOTENCY_KEY="k1")
    client_for("client:auth", scopes=("customers:admin",)).delete(f"/internal/v1/owners/{alice.sub}/customers/")
    retried = alice.post("/v2/customers/", body, format="json", HTTP_IDEMPOTENCY_KEY="k1")
    assert retried.status_code == 403 and "Ada" not in retried.content.decode()
    replayed = admin.post("/v2/customers/", {**body, "email": "i@example.com", "owner": alice.sub}, format="json",
                          HTTP_IDEMPOTENCY_KEY="k2")
    assert replayed.status_code == 403  # no longer a replay of alice's customer: a new create, refused
    assert bob.post("/v2/customers/", body, format="json", HTTP_IDEMPOTENCY_KEY="k1").json() == kept.json()


@pytest.mark.django_db(transaction=True)
def test_an_erasure_waits_for_a_create_in_flight_then_deletes_what_it_made(other_session):
    """The create holds its owner's lock until it commits; the erasure that waited then deletes the new row."""
    owner, erased = str(uuid.uuid4()), threading.Event()

    def erase():
        try:
            customers_erase_owner(owner=owner)
            erased.set()
        finally:
            connection.close()

    eraser = threading.Thread(target=erase)
    with other_session.cursor() as cursor:  # a create in flight: its owner's lock shared, its row not committed
        cursor.execute("BEGIN")
        cursor.execute("SELECT pg_advisory_xact_lock_shared(hashtextextended(%s, 0))", [f"owner\n{owner}"])
        cursor.execute("INSERT INTO customers_customer (id, owner, name, email, phone, company, version, "
                       "created_at, updated_at) VALUES (%s, %s, 'x', 'x@example.com', '', '', 1, now(), now())",
                       [uuid.uuid4(), owner])
        eraser.start()
        assert not erased.wait(0.5)  # the erasure waits for the create
        cursor.execute("COMMIT")
    eraser.join()
    assert erased.is_set()
    assert not Customer.objects.filter(owner=owner).exists()


@pytest.mark.django_db(transaction=True)
def test_a_create_that_waited_for_an_erasure_is_refused(other_session):
    """A create asks whether its owner was erased once it holds the lock: it sees the erasure it waited for."""
    owner = str(uuid.uuid4())
    with other_session.cursor() as cursor:  # an erasure in flight: its owner's lock alone, its record not committed
        cursor.execute("BEGIN")
        cursor.execute("SELECT pg_advisory_xact_lock(hashtextextended(%s, 0))", [f"owner\n{owner}"])
        cursor.execute("INSERT INTO customers_erasedowner (owner, erased_at) VALUES (%s, now())", [owner])
        creator, raised = in_thread(lambda: customer_create(owner=owner, name="x", email="x@example.com"))
        creator.join(0.5)
        assert creator.is_alive()  # the create waits for the erasure
        cursor.execute("COMMIT")
    creator.join()
    assert [type(error) for error in raised] == [PermissionDenied]
    assert not Customer.objects.filter(owner=owner).exists()
