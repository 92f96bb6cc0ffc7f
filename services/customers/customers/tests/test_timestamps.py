"""Timestamps read through fleet_common's loader are the instants Postgres holds, in `timezone.utc`."""

from datetime import datetime, timezone

import pytest
from django.db import DataError, connection
from psycopg.pq import Format

from fleet_common.postgresql.base import UTCTimestamptzLoader

from customers.models import Customer

from .helpers import create

pytestmark = pytest.mark.django_db


def read(sql: str) -> datetime:
    with connection.cursor() as cursor:
        cursor.execute(sql)
        return cursor.fetchone()[0]


def test_the_connection_reads_timestamptz_with_the_fast_loader():
    connection.ensure_connection()
    oid = connection.connection.adapters.types["timestamptz"].oid
    assert connection.connection.adapters.get_loader(oid, Format.TEXT) is UTCTimestamptzLoader


def test_a_customer_reads_back_to_the_microsecond_in_utc(alice):
    created = Customer.objects.get(pk=create(alice).json()["id"])
    again = Customer.objects.get(pk=created.pk)
    assert again.created_at == created.created_at and again.created_at.tzinfo is timezone.utc
    assert again.created_at.microsecond == created.created_at.microsecond


def test_an_instant_written_with_another_offset_reads_as_the_same_instant_in_utc():
    value = read("SELECT '2026-11-27 14:23:10.5+05:30'::timestamptz")
    assert value == datetime(2026, 11, 27, 8, 53, 10, 500000, tzinfo=timezone.utc)
    assert value.tzinfo is timezone.utc


def test_what_python_cannot_hold_gets_psycopgs_own_error():
    with pytest.raises(DataError, match="after year 10K"):
        read("SELECT '10000-01-01 00:00:00+00'::timestamptz")
