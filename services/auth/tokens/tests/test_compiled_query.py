"""fleet_common.compiled_query against real PostgreSQL: the same rows as the ORM, compiled once, same guards."""

import uuid
from datetime import datetime, timedelta

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
    compiled = CompiledQuery(tokens_of, username=str)
    assert compiled.rows(username="alice") == list(tokens_of("alice"))
    assert len(compiled.rows(username="alice")) == 2
    assert compiled.rows(username="nobody") == []


def test_the_queryset_is_built_once(user, login):
    built = []
    compiled = CompiledQuery(lambda username: built.append(username) or tokens_of(username), username=str)
    login()
    for _ in range(3):
        assert len(compiled.rows(username="alice")) == 1
    assert len(built) == 1


@pytest.mark.django_db(transaction=True)  # outside the test's own transaction
def test_a_locking_query_needs_a_transaction_before_and_after_it_compiled(user, login):
    raw = login()["refresh"]
    compiled = CompiledQuery(lambda token_hash: RefreshToken.objects.select_for_update()
                             .filter(token_hash=token_hash).values("pk"), token_hash=str)
    with pytest.raises(TransactionManagementError):
        compiled.rows(token_hash=hash_token(raw))
    with transaction.atomic():
        assert len(compiled.rows(token_hash=hash_token(raw))) == 1
    with pytest.raises(TransactionManagementError):
        compiled.rows(token_hash=hash_token(raw))


def test_a_uuid_parameter_takes_a_uuid(user, login):
    login()
    compiled = CompiledQuery(lambda user_id: RefreshToken.objects.filter(user_id=user_id).values("user_id"),
                             user_id=uuid.UUID)
    assert compiled.rows(user_id=user.pk) == [{"user_id": user.pk}]
    assert compiled.rows(user_id=uuid.uuid4()) == []


def test_a_datetime_parameter_takes_an_aware_datetime(user, login):
    login(), login()
    expires = sorted(row["expires_at"] for row in tokens_of("alice"))
    compiled = CompiledQuery(lambda after: tokens_of("alice").filter(expires_at__gt=after), after=datetime)
    assert compiled.rows(after=expires[0]) == list(tokens_of("alice").filter(expires_at__gt=expires[0]))
    assert len(compiled.rows(after=expires[0] - timedelta(seconds=1))) == 2


@pytest.mark.parametrize("build", [
    lambda username: RefreshToken.objects.filter(user__username=username),  # model instances
    lambda username: tokens_of(username).values("pk", half=Value(0.5)),  # a float: Django converts it
    lambda username: tokens_of("alice"),  # the parameter never reaches the query
    lambda username: RefreshToken.objects.filter(user_id=username).values("pk"),  # a str made into a UUID
])
def test_what_it_cannot_run_as_the_orm_would_is_refused(user, build):
    with pytest.raises(TypeError):
        CompiledQuery(build, username=str).rows(username=str(user.pk))


def test_a_parameter_of_another_type_is_refused():
    with pytest.raises(TypeError):
        CompiledQuery(tokens_of, username=int)
