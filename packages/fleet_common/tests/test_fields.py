"""Strict fields and the small parsers beside them: text a database cannot hold, and digits int() cannot read."""

import re
import sys
import time

import django
import pytest
from django.conf import settings

if not settings.configured:
    settings.configure(USE_I18N=False)
    django.setup()

from rest_framework.exceptions import ValidationError  # noqa: E402 - needs configured settings

from fleet_common.fields import (  # noqa: E402
    NULL_CHARACTERS_MESSAGE,
    WHITESPACE_CLASS,
    NoNullCharactersNonBlankValidator,
    StrictBooleanField,
    StrictCharField,
)
from fleet_common.text import is_ascii_digits, is_storable_text  # noqa: E402


@pytest.mark.parametrize("value", ["a\x00b", "\x00", "name\x00"])
def test_a_nul_anywhere_is_one_field_error(value):
    with pytest.raises(ValidationError) as error:
        StrictCharField(max_length=200).run_validation(value)
    assert error.value.detail == [NULL_CHARACTERS_MESSAGE]


@pytest.mark.parametrize("value", ["a\ud800b", "\udfff", "\ud83d"])
def test_a_lone_surrogate_is_refused(value):
    with pytest.raises(ValidationError):
        StrictCharField().run_validation(value)


@pytest.mark.parametrize("value", ["Ada", "", "שלום עולם", "\u202eevil", "🦄 emoji", "line\nbreak"])
def test_ordinary_text_passes(value):
    assert StrictCharField(allow_blank=True, trim_whitespace=False).run_validation(value) == value


@pytest.mark.parametrize("value", [42, 4.2, True, None, ["a"], {"a": 1}])
def test_other_json_types_are_refused(value):
    with pytest.raises(ValidationError):
        StrictCharField(allow_null=False).run_validation(value)


def test_storable_text():
    assert is_storable_text("Ada 🦄 \u202e")
    assert not is_storable_text("a\x00")
    assert not is_storable_text("a\ud800")


@pytest.mark.parametrize("value, expected", [("12", True), ("0", True), ("²", False), ("١٢", False), ("", False),
                                             ("-1", False), ("1.0", False), ("１", False)])
def test_ascii_digits_only(value, expected):
    assert is_ascii_digits(value) is expected


def test_the_whitespace_class_is_exactly_what_str_strip_removes():
    spelled = re.compile(f"[{WHITESPACE_CLASS}]")
    every = {chr(c) for c in range(sys.maxunicode + 1) if chr(c).isspace()}
    assert {c for c in map(chr, range(sys.maxunicode + 1)) if spelled.match(c)} == every


@pytest.mark.parametrize("value", ["a", " a ", "\u3000x\u3000", "\x1f", "   ", "\u00a0", "\ufeff", "a\x00", ""])
def test_the_documented_pattern_of_a_non_blank_field_agrees_with_the_field(value):
    pattern = re.compile(NoNullCharactersNonBlankValidator.regex)
    try:
        StrictCharField(max_length=200).run_validation(value)
        accepted = True
    except ValidationError:
        accepted = False
    assert bool(pattern.search(value)) == accepted, repr(value)


@pytest.mark.parametrize("value", ["a" * 100_000 + "\x00", " " * 100_000 + "\x00", "a" * 100_000])
def test_a_hundred_thousand_characters_are_checked_in_linear_time(value):
    started = time.perf_counter()
    with pytest.raises(ValidationError):
        StrictCharField(max_length=200).run_validation(value)
    assert time.perf_counter() - started < 0.5


@pytest.mark.parametrize("value", ["true", "yes", "on", 1, 0, "0", 1.0])
def test_a_boolean_is_true_or_false_only(value):
    with pytest.raises(ValidationError):
        StrictBooleanField().run_validation(value)
    assert StrictBooleanField().run_validation(True) is True
    assert StrictBooleanField().run_validation(False) is False
