"""Scopes per method, ownership per object: another owner's customer does not exist for you."""

import uuid

import pytest
from rest_framework.exceptions import NotFound
from rest_framework.test import APIRequestFactory

from customers.models import Customer
from customers.permissions import IsOwnerOrAdmin
from fleet_common.authentication import TokenPrincipal

from .helpers import create, detail_url

pytestmark = pytest.mark.django_db
URL = "/v1/customers/"
BODY = {"name": "x", "email": "x@example.com"}


@pytest.mark.parametrize("version", ["v1", "v2"])
@pytest.mark.parametrize("method, path", [("get", "list"), ("get", "detail")])
def test_reading_without_the_read_scope_is_403_naming_it(client_for, make_customers, version, method, path):
    sub = str(uuid.uuid4())
    customer = make_customers(sub, 1)[0]
    client = client_for(sub, scopes=("customers:write",))
    url = f"/{version}/customers/" if path == "list" else detail_url(customer.pk, version)
    response = getattr(client, method)(url)
    assert response.status_code == 403
    assert "customers:read" in response.content.decode()


@pytest.mark.parametrize("method", ["post", "put", "patch", "delete"])
def test_writing_without_the_write_scope_is_403_naming_it(client_for, make_customers, method):
    sub = str(uuid.uuid4())
    customer = make_customers(sub, 1)[0]
    client = client_for(sub, scopes=("customers:read",))
    url = URL if method == "post" else detail_url(customer.pk)
    response = getattr(client, method)(url, BODY, format="json")
    assert response.status_code == 403
    assert response.json()["detail"] == "This action needs the 'customers:write' scope."
    assert Customer.objects.get().name == "Customer 000"


def test_the_read_scope_alone_may_read(client_for, make_customers):
    sub = str(uuid.uuid4())
    customer = make_customers(sub, 1)[0]
    reader = client_for(sub, scopes=("customers:read",))
    assert reader.get(URL).status_code == 200
    assert reader.get(detail_url(customer.pk)).status_code == 200


def test_the_write_scope_alone_may_write(client_for):
    writer = client_for(str(uuid.uuid4()), scopes=("customers:write",))
    response = create(writer)
    assert response.status_code == 201
    assert writer.patch(detail_url(response.json()["id"]), {"name": "B"}, format="json").status_code == 200


@pytest.mark.parametrize("version", ["v1", "v2"])
def test_another_owners_customer_is_404_for_every_method(alice, bob, version):
    url = detail_url(create(alice).json()["id"], version)
    assert bob.get(url).status_code == 404
    assert bob.put(url, BODY, format="json").status_code == 404
    assert bob.patch(url, {"name": "x"}, format="json").status_code == 404
    assert bob.delete(url).status_code == 404
    assert bob.get(url, HTTP_IF_NONE_MATCH="*").status_code == 404
    assert bob.head(url).status_code == 404
    assert bob.options(url).status_code == 404  # DRF's metadata answered 200, for an unknown id too
    assert alice.options(url).status_code == 200
    customer = Customer.objects.get()
    assert (customer.name, customer.version) == ("Ada Lovelace", 1)


@pytest.mark.parametrize("version", ["v1", "v2"])
@pytest.mark.parametrize("query", ["", "?search=Customer", "?company=Shared", "?email=c0@example.com",
                                   "?ordering=-name", "?search=example.com&ordering=email"])
def test_lists_filters_and_search_never_include_other_owners_rows(alice, bob, make_customers, version, query):
    make_customers(alice.sub, 3, company="Shared")
    make_customers(bob.sub, 3, company="Shared")
    results = alice.get(f"/{version}/customers/{query}").json()["results"]
    assert results and {row["owner"] for row in results} == {alice.sub}


def test_admin_sees_and_changes_every_customer(admin, alice, bob, make_customers):
    make_customers(alice.sub, 2)
    theirs = make_customers(bob.sub, 2)[0]
    assert admin.get(URL).json()["count"] == 4
    url = detail_url(theirs.pk)
    assert admin.get(url).status_code == 200
    assert admin.patch(url, {"company": "Audited"}, format="json").json()["company"] == "Audited"
    assert admin.delete(url).status_code == 204


def test_the_object_permission_itself_answers_404_for_another_owner():
    request = APIRequestFactory().get("/v1/customers/")
    request.user = TokenPrincipal(sub="bob", scopes=frozenset({"customers:read"}))
    permission = IsOwnerOrAdmin()
    assert permission.has_object_permission(request, None, Customer(owner="bob"))
    with pytest.raises(NotFound):
        permission.has_object_permission(request, None, Customer(owner="alice"))
    request.user = TokenPrincipal(sub="carol", scopes=frozenset({"customers:admin"}))
    assert permission.has_object_permission(request, None, Customer(owner="alice"))


def test_one_customer_is_read_as_the_visible_queryset_would_read_it(make_customers):
    from customers.selectors import customer_get_visible_to, customer_visible_to

    mine, theirs = make_customers("bob", 1)[0], make_customers("alice", 1)[0]
    bob = TokenPrincipal(sub="bob", scopes=frozenset({"customers:read"}))
    admin = TokenPrincipal(sub="carol", scopes=frozenset({"customers:admin"}))
    for principal, customer in ((bob, mine), (admin, theirs)):
        found = customer_get_visible_to(principal, customer.pk)
        expected = customer_visible_to(principal).get(pk=customer.pk)
        assert [getattr(found, f.attname) for f in Customer._meta.concrete_fields] == \
               [getattr(expected, f.attname) for f in Customer._meta.concrete_fields]
        assert not found._state.adding  # saved as it was loaded: an update, never an insert
    assert customer_get_visible_to(bob, theirs.pk) is None
    assert customer_get_visible_to(admin, uuid.uuid4()) is None
