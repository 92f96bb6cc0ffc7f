"""Request parsers beyond plain JSON."""

from rest_framework import parsers
from rest_framework.exceptions import ParseError

MERGE_PATCH_MEDIA_TYPE = "application/merge-patch+json"


class JSONParser(parsers.JSONParser):
    """DRF's JSON parser; JSON nested deeper than Python's recursion limit is a 400, not a RecursionError (500).

    200 KB of `[` is enough to reach the limit, well under the gateway's 1 MiB.
    """

    def parse(self, stream, media_type=None, parser_context=None):
        try:
            return super().parse(stream, media_type, parser_context)
        except RecursionError as error:
            raise ParseError("JSON parse error - nested too deeply.") from error


class MergePatchJSONParser(JSONParser):
    """RFC 7396 JSON Merge Patch: a JSON object whose nulls mean "remove this member"."""

    media_type = MERGE_PATCH_MEDIA_TYPE

    def parse(self, stream, media_type=None, parser_context=None):
        data = super().parse(stream, media_type, parser_context)
        if not isinstance(data, dict):
            raise ParseError("A merge patch must be a JSON object.")
        return data


def merge_patch_to_partial(patch: dict, *, removable: set[str]) -> dict:
    """A flat merge patch as partial-update data: null removes (blanks) an optional member.

    A null for any other member stays null, so the serializer refuses it as a field error.
    """
    return {name: ("" if value is None and name in removable else value) for name, value in patch.items()}
