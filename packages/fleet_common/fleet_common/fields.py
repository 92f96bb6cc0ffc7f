"""Strict serializer fields: where the schema says string, a number or a boolean is refused."""

from rest_framework import serializers


class StrictCharField(serializers.CharField):
    """DRF's CharField coerces 42 and true to strings; schema-driven clients expect a 400."""

    def to_internal_value(self, data):
        if not isinstance(data, str):
            self.fail("invalid")
        return super().to_internal_value(data)


class StrictEmailField(serializers.EmailField):
    def to_internal_value(self, data):
        if not isinstance(data, str):
            self.fail("invalid")
        return super().to_internal_value(data)
