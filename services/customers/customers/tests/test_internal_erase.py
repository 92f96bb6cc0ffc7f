import pytest

from customers.models import Customer

pytestmark = pytest.mark.django_db


def make(client, email):
    return client.post("/v1/customers/", {"name": "x", "email": email}, format="json")


def test_a_service_with_customers_admin_erases_one_owners_customers(alice, bob, client_for):
    make(alice, "a1@example.com"), make(alice, "a2@example.com"), make(bob, "b@example.com")
    auth_service = client_for("client:auth", scopes=("customers:admin",))
    response = auth_service.delete(f"/internal/v1/owners/{alice.sub}/customers/")
    assert response.status_code == 204
    assert list(Customer.objects.values_list("owner", flat=True)) == [bob.sub]
    assert auth_service.delete(f"/internal/v1/owners/{alice.sub}/customers/").status_code == 204  # idempotent


def test_erasing_needs_customers_admin(alice):
    make(alice, "a1@example.com")
    assert alice.delete(f"/internal/v1/owners/{alice.sub}/customers/").status_code == 403
    assert Customer.objects.count() == 1
