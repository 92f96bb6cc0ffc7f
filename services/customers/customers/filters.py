"""`?email=`, `?company=`, `?search=` and `?ordering=` on the customer list; a bad value is a 400."""

import django_filters
from django.db.models.functions import Lower
from django_filters.rest_framework import DjangoFilterBackend
from drf_spectacular.utils import OpenApiParameter
from rest_framework.exceptions import ValidationError
from rest_framework.filters import OrderingFilter, SearchFilter

from fleet_common.fields import NO_NULL_SCHEMA_PATTERN, NULL_CHARACTERS_MESSAGE

from .models import ORDERING_FIELDS, Customer

ORDERINGS = tuple(f"{prefix}{field}" for field in ORDERING_FIELDS for prefix in ("", "-"))
DEFAULT_ORDERING = "id"
MAX_SEARCH_LENGTH = 100


class CustomerFilter(django_filters.FilterSet):
    """Exact matches ignoring case, as `lower(column) = lower(value)`: the btree indexes on lower() serve them.

    (`iexact` would compile to UPPER(...) = UPPER(...), which only the trigram indexes could answer,
    slowly for values made of common trigrams.)
    """

    email = django_filters.CharFilter(method="filter_lower", max_length=254,
                                      help_text="Only the customer with this email (case-insensitive).")
    company = django_filters.CharFilter(method="filter_lower", max_length=200,
                                        help_text="Only customers of this company (case-insensitive).")

    class Meta:
        model = Customer
        fields = ["email", "company"]

    def filter_lower(self, queryset, name, value):
        return queryset.alias(**{f"{name}_lower": Lower(name)}).filter(**{f"{name}_lower": value.lower()})

    @classmethod
    def schema_parameters(cls) -> list[OpenApiParameter]:
        """What the filters refuse, in the schema too: more than `max_length` characters, or a NUL (400)."""
        return [OpenApiParameter(name, {"type": "string", "maxLength": f.extra["max_length"],
                                        "pattern": NO_NULL_SCHEMA_PATTERN},
                                 OpenApiParameter.QUERY, description=f.extra["help_text"])
                for name, f in cls.base_filters.items()]


class CustomerFilterBackend(DjangoFilterBackend):
    """django-filter, but only when the request names one of the filters.

    django-filter builds and validates a form for every request, filters or not: a tenth of the CPU
    of a page of 50 (docs/benchmarks.md). Without any of its parameters the FilterSet would return
    the queryset unchanged, so it is not built.
    """

    def filter_queryset(self, request, queryset, view):
        filterset_class = self.get_filterset_class(view, queryset)
        if filterset_class is not None and not _names_any(request, filterset_class.base_filters):
            return queryset
        return super().filter_queryset(request, queryset, view)


class CustomerSearchFilter(SearchFilter):
    """`?search=` finds a substring of name, email or company; each word must match (AND)."""

    search_description = ("Words that must each appear (case-insensitive) in the name, email or company; "
                          f"at most {MAX_SEARCH_LENGTH} characters.")

    def get_search_terms(self, request):
        """DRF refuses a NUL too, but as a bare list; here it is a field error like every other."""
        value = request.query_params.get(self.search_param, "")
        if len(value) > MAX_SEARCH_LENGTH:
            raise ValidationError({self.search_param: [f"At most {MAX_SEARCH_LENGTH} characters."]})
        if "\x00" in value:
            raise ValidationError({self.search_param: [NULL_CHARACTERS_MESSAGE]})
        return super().get_search_terms(request)

    def get_schema_operation_parameters(self, view):
        parameters = super().get_schema_operation_parameters(view)
        for parameter in parameters:
            parameter["schema"] = {"type": "string", "maxLength": MAX_SEARCH_LENGTH, "pattern": NO_NULL_SCHEMA_PATTERN}
        return parameters


def _names_any(request, parameters) -> bool:
    """Whether the query string names any of these parameters (with any value, even an empty one)."""
    return any(name in request.query_params for name in parameters)


NARROWING_PARAMETERS = (*CustomerFilter.base_filters, CustomerSearchFilter.search_param)


def narrows(request) -> bool:
    """Whether the request names a filter or a search; without one, the list is every customer the caller sees."""
    return _names_any(request, NARROWING_PARAMETERS)


class StrictOrderingFilter(OrderingFilter):
    """One field of the allow-list, `-` for descending, the id breaking ties; anything else is a 400.

    DRF's OrderingFilter silently ignores what it does not know; a client asking for an order it
    does not get would misread every page. The id follows the field's direction so that (field, id)
    is one keyset that an index on (owner, field, id) serves.
    """

    ordering_description = ("One of: " + ", ".join(f"`{o}`" for o in ORDERINGS)
                            + f". Default `{DEFAULT_ORDERING}` (creation order: ids are UUIDv7).")

    def get_ordering(self, request, queryset, view):
        raw = request.query_params.get(self.ordering_param)
        if raw is None:
            return [DEFAULT_ORDERING]
        if raw not in ORDERINGS:
            raise ValidationError({self.ordering_param: [f"Must be one of: {', '.join(ORDERINGS)}."]})
        return [raw, "-id" if raw.startswith("-") else "id"]

    def get_schema_operation_parameters(self, view):
        return [{"name": self.ordering_param, "required": False, "in": "query",
                 "description": self.ordering_description,
                 "schema": {"type": "string", "enum": list(ORDERINGS)}}]
