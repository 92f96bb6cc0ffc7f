"""Customers on the wire: the server's fields are read-only, strings are strictly strings."""

from rest_framework import serializers

from fleet_common.fields import StrictCharField, StrictEmailField

from .models import Customer
from .selectors import customer_email_taken
from .services import DUPLICATE_EMAIL


class CustomerSerializer(serializers.ModelSerializer):
    name = StrictCharField(max_length=200)
    email = StrictEmailField(max_length=254)
    phone = StrictCharField(max_length=32, required=False, allow_blank=True)
    company = StrictCharField(max_length=200, required=False, allow_blank=True)

    class Meta:
        model = Customer
        fields = ["id", "name", "email", "phone", "company", "owner", "created_at", "updated_at"]
        read_only_fields = ["id", "owner", "created_at", "updated_at"]

    def replacement(self) -> dict:
        """For PUT: every writable field, the omitted optional ones back to their defaults."""
        return {"phone": "", "company": "", **self.validated_data}

    def validate_email(self, email: str) -> str:
        owner = self.context["owner"]
        if customer_email_taken(owner=owner, email=email, exclude_id=getattr(self.instance, "pk", None)):
            raise serializers.ValidationError(DUPLICATE_EMAIL)
        return email
