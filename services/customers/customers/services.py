"""Writes of customers; the owner comes from the token, never from the body (unless an admin imports)."""

from django.db import IntegrityError, transaction
from django.db.models import F
from rest_framework.exceptions import ValidationError

from .models import Customer

DUPLICATE_EMAIL = "A customer with this email already exists."


@transaction.atomic
def customer_create(*, owner: str, name: str, email: str, phone: str = "", company: str = "") -> Customer:
    try:
        with transaction.atomic():
            return Customer.objects.create(owner=owner, name=name, email=email, phone=phone, company=company)
    except IntegrityError as error:
        raise ValidationError({"email": [DUPLICATE_EMAIL]}) from error


@transaction.atomic
def customer_update(*, customer: Customer, **fields) -> Customer:
    """Apply `fields` and bump the version in one UPDATE."""
    for name, value in fields.items():
        setattr(customer, name, value)
    customer.version = F("version") + 1
    try:
        with transaction.atomic():
            customer.save(update_fields=[*fields, "version", "updated_at"])
    except IntegrityError as error:
        raise ValidationError({"email": [DUPLICATE_EMAIL]}) from error
    customer.refresh_from_db()
    return customer


@transaction.atomic
def customer_delete(*, customer: Customer) -> None:
    customer.delete()


@transaction.atomic
def customers_erase_owner(*, owner: str) -> int:
    """Delete every customer of `owner` (their account is gone); deleting none is fine."""
    deleted, _ = Customer.objects.filter(owner=owner).delete()
    return deleted
