"""Idempotency-Key on POST: replay the first response, refuse another body, refuse a concurrent duplicate."""

import threading
import uuid
from datetime import timedelta

import pytest
from django.core.management import call_command
from django.db import connection
from django.utils import timezone

from customers.models import Customer, IdempotencyKey

pytestmark = pytest.mark.django_db
URL = "/v2/customers/"
BODY = {"name": "Ada", "email": "ada@example.com"}


def post(client, body=None, key="key-1", url=URL):
    return client.post(url, body or BODY, format="json", HTTP_IDEMPOTENCY_KEY=key)


def test_the_same_key_and_body_replays_the_first_response_and_makes_one_row(alice):
    first = post(alice)
    again = post(alice, {"email": "ada@example.com", "name": "Ada"})  # same body, other key order
    assert first.status_code == again.status_code == 201
    assert again.content == first.content  # byte for byte: the same fields in the same order
    assert again["Location"] == first["Location"] and again["ETag"] == first["ETag"]
    assert again["Idempotent-Replayed"] == "true" and "Idempotent-Replayed" not in first
    assert Customer.objects.count() == 1 and IdempotencyKey.objects.count() == 1


def test_the_same_key_with_another_body_is_422(alice):
    post(alice)
    response = post(alice, {**BODY, "name": "Someone else"})
    assert response.status_code == 422
    assert response["Content-Type"] == "application/problem+json"
    assert Customer.objects.count() == 1


def test_the_same_key_on_another_path_is_another_request(alice):
    post(alice)
    assert post(alice, url="/v1/customers/").status_code == 422


def test_keys_belong_to_their_caller(alice, bob):
    assert post(alice).status_code == 201
    response = post(bob)
    assert response.status_code == 201 and "Idempotent-Replayed" not in response
    assert Customer.objects.count() == 2


def test_a_failed_create_stores_nothing_so_the_key_can_be_retried(alice):
    assert post(alice, {"name": "Ada", "email": "nope"}).status_code == 400
    assert not IdempotencyKey.objects.exists()
    assert post(alice, {"name": "Ada", "email": "nope"}).status_code == 400


@pytest.mark.parametrize("key", ["k" * 256, "", "has space", "naïve"])
def test_a_key_over_255_characters_or_not_visible_ascii_is_400(alice, key):
    response = alice.post(URL, BODY, format="json", HTTP_IDEMPOTENCY_KEY=key)
    assert response.status_code == 400
    assert "Idempotency-Key" in response.json()["errors"]
    assert not Customer.objects.exists()


def test_a_key_of_exactly_255_characters_is_accepted(alice):
    assert post(alice, key="k" * 255).status_code == 201


def test_a_response_older_than_the_retention_is_not_replayed(alice):
    post(alice)
    IdempotencyKey.objects.update(created_at=timezone.now() - timedelta(hours=25))
    Customer.objects.all().delete()
    response = post(alice)
    assert response.status_code == 201 and "Idempotent-Replayed" not in response
    assert IdempotencyKey.objects.count() == 1


def test_prune_deletes_only_keys_past_the_retention(alice):
    post(alice, key="old")
    post(alice, {**BODY, "email": "b@example.com"}, key="new")
    IdempotencyKey.objects.filter(key="old").update(created_at=timezone.now() - timedelta(hours=24, minutes=1))
    call_command("prune_idempotency_keys")
    assert list(IdempotencyKey.objects.values_list("key", flat=True)) == ["new"]


@pytest.mark.django_db(transaction=True)
def test_a_retry_after_the_first_finished_is_replayed_while_another_retry_holds_the_claim(alice, other_session):
    """Retries sent together: one holds the claim for its replay, the others still find the stored response."""
    first = post(alice)
    with other_session.cursor() as cursor:
        cursor.execute("BEGIN")
        cursor.execute("SELECT pg_advisory_xact_lock(hashtextextended(%s, 0))", [f"{alice.sub}\nkey-1"])
        try:
            again = post(alice)
            other_body = post(alice, {**BODY, "name": "Someone else"})
        finally:
            cursor.execute("ROLLBACK")
    assert again.status_code == 201 and again.content == first.content and again["Idempotent-Replayed"] == "true"
    assert other_body.status_code == 422
    assert Customer.objects.count() == 1


@pytest.mark.django_db(transaction=True)
def test_a_duplicate_while_the_first_is_still_running_is_409(alice, other_session):
    """Hold the claim from another session, as a request still in its transaction does."""
    with other_session.cursor() as cursor:
        cursor.execute("BEGIN")
        cursor.execute("SELECT pg_advisory_xact_lock(hashtextextended(%s, 0))", [f"{alice.sub}\nkey-1"])
        try:
            response = post(alice)
        finally:
            cursor.execute("ROLLBACK")
    assert response.status_code == 409
    assert response["Content-Type"] == "application/problem+json"
    assert not Customer.objects.exists()
    assert post(alice).status_code == 201  # once the first is gone, the key is free


@pytest.mark.django_db(transaction=True)
def test_concurrent_posts_with_one_key_make_one_row(client_for):
    sub = str(uuid.uuid4())
    barrier, responses = threading.Barrier(8), []

    def worker():
        client = client_for(sub)
        barrier.wait()
        try:
            responses.append(post(client))
        finally:
            connection.close()

    threads = [threading.Thread(target=worker) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert Customer.objects.count() == 1
    created = [r for r in responses if r.status_code == 201]
    assert {r.status_code for r in responses} <= {201, 409} and created
    assert {r.json()["id"] for r in created} == {str(Customer.objects.get().pk)}
    assert sum("Idempotent-Replayed" not in r for r in created) == 1
