"""fleet_common.compiled_query against real PostgreSQL: the same rows as the ORM, compiled once, same guards."""

import pytest
from django.db import transaction
from django.db.models import F, Value
from django.db.transaction import TransactionManagementError

from fleet_common.compiled_query import CompiledQuery
from tokens.models import RefreshToken
from tokens.services import hash_token

pytestmark = pytest.mark.django_db


def tokens_of(username):
    return (RefreshToken.objects.filter(user__username=username)
            .values("pk", "family", "expires_at", "spent_at", is_staff=F("user__is_staff")).order_by("pk"))


def test_rows_are_what_the_values_queryset_returns(user, login):
    login(), login()
    compiled = CompiledQuery(tokens_of)
    assert compiled.rows(username="alice") == list(tokens_of("alice"))
    assert len(compiled.rows(username="alice")) == 2
    assert compiled.rows(username="nobody") == []


def test_the_queryset_is_built_once(user, login):
    built = []
    compiled = CompiledQuery(lambda username: built.append(username) or tokens_of(username))
    login()
    for _ in range(3):
        assert len(compiled.rows(username="alice")) == 1
    assert built == ["username"]  # once, with its slot


@pytest.mark.django_db(transaction=True)  # outside the test's own transaction
def test_a_locking_query_needs_a_transaction_before_and_after_it_compiled(user, login):
    raw = login()["refresh"]
    compiled = CompiledQuery(lambda token_hash: RefreshToken.objects.select_for_update()
                             .filter(token_hash=token_hash).values("pk"))
    with pytest.raises(TransactionManagementError):
        compiled.rows(token_hash=hash_token(raw))
    with transaction.atomic():
        assert len(compiled.rows(token_hash=hash_token(raw))) == 1
    with pytest.raises(TransactionManagementError):
        compiled.rows(token_hash=hash_token(raw))


def test_model_instances_converted_columns_and_unused_parameters_are_refused(user):
    for build in (lambda username: RefreshToken.objects.filter(user__username=username),
                  lambda username: tokens_of(username).values("pk", half=Value(0.5)),
                  lambda username, unused: tokens_of(username)):
        with pytest.raises(TypeError):
            CompiledQuery(build).rows(username="alice", unused="x")
