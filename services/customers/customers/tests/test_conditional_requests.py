"""Strong ETags from the version column; If-None-Match gives 304, a stale If-Match 412 and no change."""

import threading

import pytest
from django.db import connection

from customers.models import Customer

from .helpers import create, detail_url

pytestmark = pytest.mark.django_db


@pytest.fixture
def ada(alice):
    body = create(alice).json()
    return detail_url(body["id"]), body["id"]


def test_get_carries_a_quoted_strong_etag_naming_id_and_version(alice, ada):
    url, customer_id = ada
    response = alice.get(url)
    assert response["ETag"] == f'"{customer_id}-1"'


def test_each_write_moves_the_etag_and_its_response_carries_the_new_one(alice, ada):
    url, customer_id = ada
    patched = alice.patch(url, {"company": "A"}, format="json")
    assert patched["ETag"] == f'"{customer_id}-2"'
    replaced = alice.put(url, {"name": "Ada", "email": "ada@example.com"}, format="json")
    assert replaced["ETag"] == f'"{customer_id}-3"' == alice.get(url)["ETag"]


def test_create_answers_with_the_first_etag(alice):
    response = create(alice)
    assert response["ETag"] == f'"{response.json()["id"]}-1"'


@pytest.mark.parametrize("header", ['"{etag}"', 'W/"{etag}"', '"other", "{etag}"', "*"])
def test_if_none_match_with_the_current_etag_is_304_without_a_body(alice, ada, header):
    url, customer_id = ada
    response = alice.get(url, HTTP_IF_NONE_MATCH=header.format(etag=f"{customer_id}-1"))
    assert response.status_code == 304
    assert response.content == b"" and response["ETag"] == f'"{customer_id}-1"'


def test_if_none_match_with_an_old_etag_is_200(alice, ada):
    url, customer_id = ada
    alice.patch(url, {"company": "A"}, format="json")
    assert alice.get(url, HTTP_IF_NONE_MATCH=f'"{customer_id}-1"').status_code == 200


@pytest.mark.parametrize("method, body", [("put", {"name": "X", "email": "x@example.com"}),
                                          ("patch", {"name": "X"}), ("delete", None)])
def test_stale_if_match_is_refused_with_412_and_changes_nothing(alice, ada, method, body):
    url, customer_id = ada
    alice.patch(url, {"company": "Current"}, format="json")  # now at version 2
    response = getattr(alice, method)(url, body, format="json", HTTP_IF_MATCH=f'"{customer_id}-1"')
    assert response.status_code == 412
    customer = Customer.objects.get()
    assert (customer.name, customer.company, customer.version) == ("Ada Lovelace", "Current", 2)


@pytest.mark.parametrize("header", ["*", '"{etag}"', 'W/"{etag}"'])
@pytest.mark.parametrize("method, body", [("put", {"name": "X", "email": "x@example.com"}),
                                          ("patch", {"name": "X"}), ("delete", None)])
def test_a_write_whose_if_none_match_names_the_customer_is_412_and_changes_nothing(alice, ada, method, body, header):
    """RFC 9110 §13.1.2: `If-None-Match: *` on a PUT means "only if it does not exist yet"."""
    url, customer_id = ada
    condition = header.format(etag=f"{customer_id}-1")
    response = getattr(alice, method)(url, body, format="json", HTTP_IF_NONE_MATCH=condition)
    assert response.status_code == 412
    assert Customer.objects.get().version == 1
    assert alice.patch(url, {"name": "Y"}, format="json", HTTP_IF_NONE_MATCH=f'"{customer_id}-0"').status_code == 200


@pytest.mark.parametrize("header", ['W/"{etag}"', '"{other}-1"', '"garbage"', '"{id}-99999999999"', '"{id}-01"',
                                    '"{id}-0001"'])
def test_weak_foreign_or_malformed_if_match_never_matches(alice, ada, header, make_customers):
    url, customer_id = ada
    other = make_customers(alice.sub, 1, email="o@example.com")[0].pk
    tag = header.format(etag=f"{customer_id}-1", other=other, id=customer_id)
    assert alice.patch(url, {"name": "X"}, format="json", HTTP_IF_MATCH=tag).status_code == 412


@pytest.mark.parametrize("header", ['"{etag}"', '"old", "{etag}"', "*"])
def test_a_current_if_match_lets_the_write_through(alice, ada, header):
    url, customer_id = ada
    response = alice.patch(url, {"name": "X"}, format="json", HTTP_IF_MATCH=header.format(etag=f"{customer_id}-1"))
    assert response.status_code == 200 and response.json()["name"] == "X"


def test_a_current_if_match_lets_a_delete_through(alice, ada):
    url, customer_id = ada
    assert alice.delete(url, HTTP_IF_MATCH=f'"{customer_id}-1"').status_code == 204
    assert not Customer.objects.exists()


def test_a_stale_if_match_is_refused_before_the_body_is_read(alice, ada):
    url, customer_id = ada
    response = alice.patch(url, {"email": "not-an-email"}, format="json", HTTP_IF_MATCH=f'"{customer_id}-7"')
    assert response.status_code == 412


@pytest.mark.django_db(transaction=True)
def test_two_writers_with_the_same_if_match_get_one_200_and_one_412(client_for):
    import uuid
    writer = client_for(str(uuid.uuid4()))
    customer_id = create(writer).json()["id"]
    url = detail_url(customer_id, "v2")
    barrier, statuses = threading.Barrier(2), []
    clients = [client_for(writer.sub), client_for(writer.sub)]

    def write(client, name):
        barrier.wait()
        try:
            response = client.patch(url, {"name": name}, format="json", HTTP_IF_MATCH=f'"{customer_id}-1"')
            statuses.append(response.status_code)
        finally:
            connection.close()

    threads = [threading.Thread(target=write, args=(client, f"Writer {i}")) for i, client in enumerate(clients)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(statuses) == [200, 412]
    assert Customer.objects.get().version == 2
