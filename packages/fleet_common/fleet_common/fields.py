"""Strict serializer fields: where the schema says string, a number or a boolean is refused, and so is text
that no database column can hold (NUL) or that is not Unicode at all (a lone surrogate)."""

from django.core.exceptions import ValidationError
from django.core.validators import ProhibitNullCharactersValidator, RegexValidator
from rest_framework import serializers

NULL_CHARACTERS_MESSAGE = "Null characters are not allowed."
#: The NUL check as OpenAPI documents show it (ECMA-262 escapes), for parameters described by hand.
NO_NULL_SCHEMA_PATTERN = r"^[^\u0000]*$"
#: What `str.strip()` removes (every character whose `isspace()` is true), spelled out: ECMA-262's `\s` differs.
WHITESPACE_CLASS = r"\t\n\x0b\x0c\r\x1c-\x20\x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000"


class NoNullCharactersValidator(RegexValidator):
    """NUL anywhere is refused (PostgreSQL text cannot hold it), checked in linear time; the pattern is what
    the OpenAPI document shows, so schema-driven clients know it too."""

    regex = r"^[^\x00]*$"
    message = NULL_CHARACTERS_MESSAGE
    code = "null_characters_not_allowed"

    def __call__(self, value):
        if "\x00" in str(value):
            raise ValidationError(self.message, code=self.code, params={"value": value})


class NoNullCharactersNonBlankValidator(NoNullCharactersValidator):
    """As above; its pattern also says what DRF's blank check refuses: nothing but whitespace, once trimmed."""

    regex = rf"^[^\x00]*[^\x00{WHITESPACE_CLASS}][^\x00]*$"


def _without_nul_check(validators: list) -> list:
    """DRF adds its own NUL check; ours replaces it (one message, and a pattern in the schema)."""
    return [v for v in validators if not isinstance(v, ProhibitNullCharactersValidator)]


class StrictCharField(serializers.CharField):
    """DRF's CharField coerces 42 and true to strings; schema-driven clients expect a 400.

    DRF's own validators still refuse lone surrogates (`\\ud800` in JSON). The NUL check is documented as a
    `pattern` (after any pattern of the field's own: the first one is what the schema shows), which for a
    trimmed field that may not be blank also requires one character that is not whitespace.
    """

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        non_blank = self.trim_whitespace and not self.allow_blank
        nul_check = NoNullCharactersNonBlankValidator() if non_blank else NoNullCharactersValidator()
        self.validators = [*_without_nul_check(self.validators), nul_check]

    def to_internal_value(self, data):
        if not isinstance(data, str):
            self.fail("invalid")
        return super().to_internal_value(data)


class StrictEmailField(serializers.EmailField):
    """An email address, strictly a string; an address never contains NUL, so its format already says so.

    At most 254 characters unless told otherwise: the longest address SMTP carries (RFC 5321's path, less
    its brackets) and the width of Django's EmailField column. The format check alone lets 320 through.
    """

    def __init__(self, **kwargs):
        kwargs.setdefault("max_length", 254)
        super().__init__(**kwargs)

    def to_internal_value(self, data):
        if not isinstance(data, str):
            self.fail("invalid")
        return super().to_internal_value(data)


class StrictBooleanField(serializers.BooleanField):
    """DRF's BooleanField also takes "yes", "on", 1 and "false"; the schema says boolean, so only true and false."""

    def to_internal_value(self, data):
        if not isinstance(data, bool):
            self.fail("invalid")
        return data
