"""Request parsers beyond plain JSON."""

import json
import sys
from collections import Counter

from rest_framework import parsers
from rest_framework.exceptions import ParseError
from rest_framework.utils import json as drf_json

MERGE_PATCH_MEDIA_TYPE = "application/merge-patch+json"


def _members_named_once(pairs: list[tuple[str, object]]) -> dict:
    """An object whose member names are unique (I-JSON, RFC 7493): parsers disagree on which duplicate wins."""
    members = dict(pairs)
    if len(members) != len(pairs):
        duplicate = next(name for name, count in Counter(name for name, _ in pairs).items() if count > 1)
        raise ValueError(f"duplicate member name {json.dumps(duplicate)}")
    return members


def _reason(error: ValueError) -> str:
    """Why the body is not JSON, in the client's terms rather than Python's (no module or function names)."""
    if isinstance(error, UnicodeDecodeError):
        return f"the body is not UTF-8 (byte {error.start})"
    if isinstance(error, json.JSONDecodeError) and error.msg.startswith("Unexpected UTF-8 BOM"):
        return "a byte order mark is not allowed (RFC 8259 §8.1)"
    if "integer string conversion" in str(error):
        return f"a number has more than {sys.get_int_max_str_digits()} digits"
    return str(error)  # the decoder's own position ("line 1 column 9"), a duplicate name, NaN or Infinity


class JSONParser(parsers.JSONParser):
    """DRF's JSON parser, strict about what RFC 8259 leaves open: every failure below is a 400, never a 500.

    - The body is UTF-8 whatever charset the Content-Type names (RFC 8259 §8.1 and §11: it defines none).
    - A member name given twice in one object is refused (I-JSON, RFC 7493 §2.3).
    - NaN and Infinity are refused (DRF's STRICT_JSON).
    - Nesting deeper than Python's recursion limit is refused: 200 KB of `[` reach it, under the gateway's 1 MiB.
    """

    def parse(self, stream, media_type=None, parser_context=None):
        try:
            return json.loads(stream.read().decode("utf-8"), object_pairs_hook=_members_named_once,
                              parse_constant=drf_json.strict_constant)
        except RecursionError as error:
            raise ParseError("JSON parse error - nested too deeply.") from error
        except ValueError as error:  # UnicodeDecodeError and JSONDecodeError included
            raise ParseError(f"JSON parse error - {_reason(error)}") from error


class MergePatchJSONParser(JSONParser):
    """RFC 7396 JSON Merge Patch: a JSON object whose nulls mean "remove this member"."""

    media_type = MERGE_PATCH_MEDIA_TYPE

    def parse(self, stream, media_type=None, parser_context=None):
        data = super().parse(stream, media_type, parser_context)
        if not isinstance(data, dict):
            raise ParseError("A merge patch must be a JSON object.")
        return data


def is_merge_patch(request) -> bool:
    """Whether the body was sent as a merge patch: a media type is case-insensitive (RFC 9110 §8.3.1)."""
    return request.content_type.split(";")[0].strip().lower() == MERGE_PATCH_MEDIA_TYPE


def merge_patch_to_partial(patch: dict, *, removable: set[str]) -> dict:
    """A flat merge patch as partial-update data: null removes (blanks) an optional member.

    A null for any other member stays null, so the serializer refuses it as a field error.
    """
    return {name: ("" if value is None and name in removable else value) for name, value in patch.items()}
