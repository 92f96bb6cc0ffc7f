"""List pagination, strict about its parameters: page numbers for v1, a true keyset cursor for v2.

Both refuse a malformed `page_size` (not a number, below 1 or above the maximum) with a 400
rather than silently using the default, so a client never misreads a page it did not ask for.
"""

import base64
import binascii
import json
from dataclasses import dataclass

from django.core.exceptions import FieldDoesNotExist
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db.models import Q, QuerySet
from rest_framework.exceptions import ValidationError
from rest_framework.filters import OrderingFilter
from rest_framework.pagination import CursorPagination, PageNumberPagination
from rest_framework.response import Response
from rest_framework.utils.urls import remove_query_param, replace_query_param

from .text import is_ascii_digits, is_storable_text

MAX_CURSOR_LENGTH = 2048
MAX_NUMBER_DIGITS = 18
BEYOND_ANY_PAGE = 10**MAX_NUMBER_DIGITS  # what a longer number counts as: int() refuses over 4,300 digits
EXAMPLE_KEY = "0196a1b2-c3d4-7e5f-8a6b-7c8d9e0f1a2b"  # a UUIDv7, in the OpenAPI examples of cursors


def _number_of(raw: str) -> int | None:
    """The integer ASCII digits spell, else None; one of over MAX_NUMBER_DIGITS digits is BEYOND_ANY_PAGE."""
    if not is_ascii_digits(raw):
        return None
    digits = raw.lstrip("0") or "0"
    return int(digits) if len(digits) <= MAX_NUMBER_DIGITS else BEYOND_ANY_PAGE


def strict_page_size(request, *, param: str, default: int, maximum: int) -> int:
    """`?page_size=`: an integer from 1 to `maximum`; absent means `default`; anything else is a 400."""
    raw = request.query_params.get(param)
    if raw is None:
        return default
    size = _number_of(raw)
    if size is None or not 1 <= size <= maximum:
        raise ValidationError({param: [f"Must be an integer from 1 to {maximum}."]})
    return size


class StrictPageNumberPagination(PageNumberPagination):
    """`{count, next, previous, results}`; a malformed page is a 400, a page past the end a 404."""

    page_size = 20
    page_size_query_param = "page_size"
    max_page_size = 100
    invalid_page_message = "Page {page_number} does not exist: {message}."
    example_url = "https://api.example.com/v1/items/"  # in the OpenAPI examples only

    def get_page_size(self, request):
        return strict_page_size(request, param=self.page_size_query_param, default=self.page_size,
                                maximum=self.max_page_size)

    def get_page_number(self, request, paginator):
        raw = request.query_params.get(self.page_query_param, "1")
        if raw in self.last_page_strings:
            return paginator.num_pages
        number = _number_of(raw)
        if number is None or number < 1:
            raise ValidationError({self.page_query_param: ["Must be a positive integer (or `last`)."]})
        return number

    def get_paginated_response_schema(self, schema):
        """DRF's schema, with links of this API in its examples (`example_url`: the list's URL)."""
        paginated = super().get_paginated_response_schema(schema)
        properties = paginated["properties"]
        properties["count"]["example"] = 42
        properties["next"]["example"] = f"{self.example_url}?{self.page_query_param}=3"
        properties["previous"]["example"] = f"{self.example_url}?{self.page_query_param}=1"
        return paginated

    def get_schema_operation_parameters(self, view):
        parameters = super().get_schema_operation_parameters(view)
        for parameter in parameters:
            if parameter["name"] == self.page_query_param:
                parameter["description"] = ("A page number from 1 (or `last`); malformed: 400, "
                                            "past the last page: 404.")
                parameter["schema"] = {"type": "integer", "minimum": 1}
            elif parameter["name"] == self.page_size_query_param:
                parameter["description"] = f"Results per page, 1 to {self.max_page_size} (default {self.page_size})."
                parameter["schema"] = {"type": "integer", "minimum": 1, "maximum": self.max_page_size}
        return parameters


@dataclass(frozen=True)
class Position:
    """Where a page starts: just after (or, going back, just before) the row with these keys."""

    value: object
    pk: object
    reverse: bool


def keyset_page(queryset: QuerySet, *, key_field: str, position: Position | None, backwards: bool,
                limit: int) -> QuerySet:
    """`limit` rows in (`key_field`, pk) order strictly beyond `position`: an index range plus a tie filter."""
    names = ["pk"] if key_field == "pk" else [key_field, "pk"]
    if position is not None:
        strict, loose = ("lt", "lte") if backwards else ("gt", "gte")
        beyond = Q(**{f"pk__{strict}": position.pk})
        if key_field != "pk":
            beyond = Q(**{f"{key_field}__{loose}": position.value}) & (
                Q(**{f"{key_field}__{strict}": position.value}) | beyond)
        queryset = queryset.filter(beyond)
    return queryset.order_by(*(f"-{name}" if backwards else name for name in names))[:limit]


class KeysetCursorPagination(CursorPagination):
    """A true keyset over (ordering field, primary key), both directions, for every allowed ordering.

    DRF's CursorPagination positions on the first ordering field only and skips ties with an
    OFFSET, so a page deep in a run of equal values costs more and more. Here a page is
    `WHERE field >= v AND (field > v OR pk > k) ORDER BY field, pk LIMIT n + 1` (mirrored for
    descending orders and for going back): an index on (…, field, pk) answers it as one range scan
    from the cursor's position, so its cost does not depend on the depth or the table's size.

    The ordering comes from the view's ordering filter as `[field, pk]` with the same direction.
    The cursor is base64 of JSON (ordering, field value, pk, direction); anything that does not
    decode to a position valid for this ordering is a 400.
    """

    page_size = 20
    page_size_query_param = "page_size"
    max_page_size = 100
    ordering = ("pk",)
    invalid_cursor_message = "Invalid cursor."
    example_url = "https://api.example.com/v2/items/"  # in the OpenAPI examples only

    def paginate_queryset(self, queryset, request, view=None):
        self.request = request
        self.page_size = self.get_page_size(request)
        self.base_url = request.build_absolute_uri()
        self.ordering = self.get_ordering(request, queryset, view)
        self.model = queryset.model
        field = self.ordering[0].lstrip("-")
        self.key_field = "pk" if field in ("pk", self.model._meta.pk.name) else field
        descending = self.ordering[0].startswith("-")
        position = self.decode_cursor(request)
        reverse = bool(position and position.reverse)
        backwards = descending != reverse  # walking towards smaller keys
        rows = self.fetch_page(queryset, request, position=position, backwards=backwards)
        more = len(rows) > self.page_size
        self.page = rows[: self.page_size]
        if reverse:
            self.page.reverse()
            self.has_previous, self.has_next = more, True
        else:
            self.has_next, self.has_previous = more, position is not None
        return self.page

    def fetch_page(self, queryset, request, *, position: Position | None, backwards: bool) -> list:
        """The page's rows and the one after them (which says whether another page follows), in walking order."""
        return list(keyset_page(queryset, key_field=self.key_field, position=position, backwards=backwards,
                                limit=self.page_size + 1))

    def get_ordering(self, request, queryset, view):
        for backend in getattr(view, "filter_backends", []):
            if issubclass(backend, OrderingFilter):
                return list(backend().get_ordering(request, queryset, view))
        return list(self.ordering)

    def get_page_size(self, request):
        return strict_page_size(request, param=self.page_size_query_param, default=self.page_size,
                                maximum=self.max_page_size)

    # --- cursors ---------------------------------------------------------------------------------
    def _keys_of(self, row) -> tuple:
        """The position of a model instance or of a `values()` row."""
        fields = row if isinstance(row, dict) else vars(row)
        value = None if self.key_field == "pk" else fields[self.key_field]
        return value, fields[self.model._meta.pk.attname]

    def encode_cursor(self, position: Position) -> str:
        value = position.value.isoformat() if hasattr(position.value, "isoformat") else position.value
        payload = {"o": self.ordering[0], "v": value, "k": str(position.pk), "r": position.reverse}
        token = base64.urlsafe_b64encode(json.dumps(payload, separators=(",", ":")).encode()).decode()
        return replace_query_param(self.base_url, self.cursor_query_param, token.rstrip("="))

    def decode_cursor(self, request) -> Position | None:
        token = request.query_params.get(self.cursor_query_param)
        if token is None:
            return None
        try:
            if len(token) > MAX_CURSOR_LENGTH:
                raise ValueError("too long")
            payload = json.loads(base64.urlsafe_b64decode(token + "=" * (-len(token) % 4)))
            if not isinstance(payload, dict) or set(payload) != {"o", "v", "k", "r"}:
                raise ValueError("shape")
            if payload["o"] != self.ordering[0] or not isinstance(payload["r"], bool):
                raise ValueError("another ordering")
            if not isinstance(payload["k"], str):  # to_python(None) is None, and no row has it
                raise ValueError("key")
            pk = self.model._meta.pk.to_python(payload["k"])
            value = None
            if self.key_field != "pk":
                if not isinstance(payload["v"], str):
                    raise ValueError("value")
                value = self.model._meta.get_field(self.key_field).to_python(payload["v"])
                if value is None or (hasattr(value, "tzinfo") and value.tzinfo is None):
                    raise ValueError("value")
                if isinstance(value, str) and not is_storable_text(value):
                    raise ValueError("NUL or a lone surrogate: no row can hold it, and the database refuses it")
        except (ValueError, TypeError, RecursionError, binascii.Error, UnicodeDecodeError, DjangoValidationError,
                FieldDoesNotExist) as error:  # RecursionError: JSON nested deeper than the parser goes
            raise ValidationError({self.cursor_query_param: [self.invalid_cursor_message]}) from error
        return Position(value=value, pk=pk, reverse=payload["r"])

    def get_next_link(self):
        if not self.has_next or not self.page:
            return None
        value, pk = self._keys_of(self.page[-1])
        return self.encode_cursor(Position(value, pk, reverse=False))

    def get_previous_link(self):
        if not self.has_previous:
            return None
        if not self.page:  # past the end, e.g. every later row was deleted: back to the start
            return remove_query_param(self.base_url, self.cursor_query_param)
        value, pk = self._keys_of(self.page[0])
        return self.encode_cursor(Position(value, pk, reverse=True))

    def get_paginated_response(self, data):
        next_link, previous_link = self.get_next_link(), self.get_previous_link()
        links = [f'<{url}>; rel="{rel}"' for url, rel in ((next_link, "next"), (previous_link, "prev")) if url]
        headers = {"Link": ", ".join(links)} if links else None
        return Response({"next": next_link, "previous": previous_link, "results": data}, headers=headers)

    def get_paginated_response_schema(self, schema):
        """DRF's schema, with cursors of this pagination in its examples (`example_url`: the list's URL)."""
        paginated = super().get_paginated_response_schema(schema)
        for name, reverse in (("next", False), ("previous", True)):
            payload = {"o": "id", "v": None, "k": EXAMPLE_KEY, "r": reverse}
            token = base64.urlsafe_b64encode(json.dumps(payload, separators=(",", ":")).encode()).decode()
            cursor = token.rstrip("=")
            paginated["properties"][name]["example"] = f"{self.example_url}?{self.cursor_query_param}={cursor}"
        return paginated

    def get_schema_operation_parameters(self, view):
        return [
            {"name": self.cursor_query_param, "required": False, "in": "query",
             "description": "The opaque position from a `next` or `previous` link (also in the `Link` header); "
                            "a cursor that does not decode, or was made for another ordering, is a 400.",
             "schema": {"type": "string"}},
            {"name": self.page_size_query_param, "required": False, "in": "query",
             "description": f"Results per page, 1 to {self.max_page_size} (default {self.page_size}).",
             "schema": {"type": "integer", "minimum": 1, "maximum": self.max_page_size}},
        ]


class PaginationByVersionMixin:
    """List views page by number in v1 and by keyset cursor in v2, as the contract says."""

    page_number_pagination_class = StrictPageNumberPagination
    cursor_pagination_class = KeysetCursorPagination

    @property
    def pagination_class(self):
        request = getattr(self, "request", None)
        version = getattr(request, "version", None) or getattr(self, "kwargs", {}).get("version")
        return self.cursor_pagination_class if version == "v2" else self.page_number_pagination_class
