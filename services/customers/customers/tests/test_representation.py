"""The hand-written rendering of a customer is exactly what DRF's fields would render."""

from datetime import datetime, timezone

import pytest
from rest_framework import serializers

from customers.models import Customer
from customers.serializers import CustomerCreateSerializer, CustomerSerializer, customer_representation

pytestmark = pytest.mark.django_db


def drf_rendering(customer: Customer) -> dict:
    """What ModelSerializer.to_representation gives, field by field, for CustomerSerializer."""
    return dict(serializers.ModelSerializer.to_representation(CustomerSerializer(), customer))


def test_representation_equals_drf_field_by_field_in_field_order(make_customers):
    customer = make_customers("alice", 1, phone="+44 20 1234", company="Engines")[0]
    customer.refresh_from_db()
    rendered = customer_representation(customer)
    assert rendered == drf_rendering(customer)
    assert list(rendered) == CustomerSerializer.Meta.fields


def test_whole_second_and_blank_values_render_like_drf(make_customers):
    customer = make_customers("alice", 1, phone="", company="")[0]
    Customer.objects.filter(pk=customer.pk).update(created_at=datetime(2026, 1, 2, 3, 4, 5, tzinfo=timezone.utc))
    customer.refresh_from_db()
    assert customer_representation(customer) == drf_rendering(customer)
    assert customer_representation(customer)["created_at"] == "2026-01-02T03:04:05Z"


def test_every_serializer_renders_with_it(make_customers):
    customer = make_customers("alice", 1)[0]
    assert CustomerSerializer(customer).data == customer_representation(customer)
    assert CustomerSerializer([customer], many=True).data == [customer_representation(customer)]
    assert CustomerCreateSerializer(customer).data == customer_representation(customer)
