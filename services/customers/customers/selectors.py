"""Reads of customers, always narrowed to what the caller may see: lists never leak."""

from django.db.models import QuerySet

from .models import Customer
from .scopes import ADMIN


def customer_visible_to(principal) -> QuerySet[Customer]:
    """Every customer for `customers:admin`, otherwise the caller's own."""
    customers = Customer.objects.all()
    if principal.has_scope(ADMIN):
        return customers
    return customers.filter(owner=principal.sub)


def customer_email_taken(*, owner: str, email: str, exclude_id=None) -> bool:
    """Emails are unique per owner, case-insensitively (the database enforces it too)."""
    return Customer.objects.filter(owner=owner, email__iexact=email).exclude(pk=exclude_id).exists()
