"""Two views for one model: the collection and one customer. Parse, call a service, serialize."""

import uuid

from django.urls import reverse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import generics, status
from rest_framework.exceptions import NotFound
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response

from fleet_common.claims import CUSTOMERS_ADMIN
from fleet_common.options import ObjectOptionsMixin
from fleet_common.pagination import PaginationByVersionMixin
from fleet_common.parsers import (
    MERGE_PATCH_MEDIA_TYPE,
    JSONParser,
    MergePatchJSONParser,
    is_merge_patch,
    merge_patch_to_partial,
)
from fleet_common.schema import error_responses, gateway_error_responses
from fleet_common.throttling import ThrottledBeforePermissionsMixin

from . import examples
from .conditional import customer_etag, if_match_versions, not_modified
from .filters import CustomerFilter, CustomerFilterBackend, CustomerSearchFilter, StrictOrderingFilter
from .idempotency import HEADER as IDEMPOTENCY_HEADER, MAX_KEY_LENGTH, REPLAYED_HEADER, StoredResponse, respond_once
from .models import Customer
from .pagination import CustomerCursorPagination, CustomerPageNumberPagination
from .permissions import HasCustomerScope, IsOwnerOrAdmin
from .schema import CustomerMergePatchSerializer
from .selectors import customer_get_visible_to, customer_visible_to
from .serializers import REMOVABLE_FIELDS, CustomerCreateSerializer, CustomerSerializer
from .services import customer_create, customer_delete, customer_update

ETAG = OpenApiParameter("ETag", OpenApiTypes.STR, OpenApiParameter.HEADER, response=[200, 201, 304],
                        description='The strong entity tag of this version of the customer, `"<id>-<version>"`.')
IF_NONE_MATCH = OpenApiParameter("If-None-Match", OpenApiTypes.STR, OpenApiParameter.HEADER,
                                 description="An ETag the client holds: 304 without a body if still current.")
IF_MATCH = OpenApiParameter("If-Match", OpenApiTypes.STR, OpenApiParameter.HEADER,
                            description="Change only if the customer's ETag is still this one; otherwise 412 "
                                        "and nothing changes.")
IDEMPOTENCY_KEY = OpenApiParameter(
    IDEMPOTENCY_HEADER, {"type": "string", "minLength": 1, "maxLength": MAX_KEY_LENGTH, "pattern": "^[!-~]+$"},
    OpenApiParameter.HEADER,
    description="Up to 255 visible ASCII characters, unique per create, kept 24 h per caller: a retry with the "
                "same key and body replays the first response (with `Idempotent-Replayed: true`); another body "
                "is a 422; a retry while the first is still running is a 409.")
REPLAYED = OpenApiParameter(REPLAYED_HEADER, OpenApiTypes.STR, OpenApiParameter.HEADER, response=[201],
                            description="`true` when this is the stored response of an earlier request with the "
                                        "same `Idempotency-Key`.")
LOCATION = OpenApiParameter("Location", OpenApiTypes.URI, OpenApiParameter.HEADER, response=[201],
                            description="The new customer's URL.")
LINK = OpenApiParameter("Link", OpenApiTypes.STR, OpenApiParameter.HEADER, response=[200],
                        description='v2: RFC 8288 links to the neighbouring pages, `rel="next"` and `rel="prev"`.')


class CallerCustomersMixin:
    """Both views see only the caller's customers (all of them with customers:admin)."""

    serializer_class = CustomerSerializer
    write_throttle_scope = "customers-write"

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):  # drf-spectacular inspecting, with no caller
            return Customer.objects.none()
        return customer_visible_to(self.request.user)

    def get_serializer_context(self):
        return {**super().get_serializer_context(), "caller": getattr(self.request.user, "sub", None),
                "is_admin": bool(self.request.user and self.request.user.has_scope(CUSTOMERS_ADMIN))}

    @property
    def api_version(self) -> str | None:
        return getattr(getattr(self, "request", None), "version", None) or getattr(self, "kwargs", {}).get("version")


class CustomerListView(ThrottledBeforePermissionsMixin, CallerCustomersMixin, PaginationByVersionMixin,
                       generics.ListAPIView):
    """`GET` the caller's customers, `POST` a new one."""

    permission_classes = [IsAuthenticated, HasCustomerScope]
    filter_backends = [CustomerFilterBackend, CustomerSearchFilter, StrictOrderingFilter]
    filterset_class = CustomerFilter
    search_fields = ["name", "email", "company"]
    page_number_pagination_class = CustomerPageNumberPagination
    cursor_pagination_class = CustomerCursorPagination

    def get_queryset(self):
        """Rows, not model instances: a page of 50 skips building 50 of them just to render them."""
        return super().get_queryset().values(*CustomerSerializer.Meta.fields)

    @extend_schema(
        summary="List the caller's customers",
        description="The customers the token's subject owns (every customer with `customers:admin`), in creation "
                    "order unless `ordering` says otherwise; needs `customers:read`. v1 pages by number "
                    "(`page`, with a `count`), v2 by an opaque cursor from the `next` and `previous` links "
                    "(also in the `Link` header).",
        tags=["customers"],
        parameters=[LINK, *CustomerFilter.schema_parameters()],
        examples=[examples.CUSTOMER_RESPONSE],
        responses={200: CustomerSerializer(many=True), **error_responses(400, 401, 403, 429, 503),
                   **error_responses(404, versions=("v1",), descriptions={404: "The page is past the last one."})},
    )
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)

    @extend_schema(
        summary="Create a customer",
        description="A new customer owned by the token's subject; needs `customers:write`. Answers 201 with its "
                    "`Location` and `ETag`. `email` is unique per owner (a duplicate is a 400 on `email`). Send an "
                    "`Idempotency-Key` to retry safely. A token whose user has since been deleted gets a 403.",
        tags=["customers"],
        request=CustomerCreateSerializer,
        examples=[examples.CREATE_REQUEST, examples.CUSTOMER_RESPONSE],
        parameters=[IDEMPOTENCY_KEY, LOCATION, ETAG, REPLAYED],
        responses={201: CustomerSerializer, **error_responses(400, 401, 403, 409, 415, 422, 429, 503),
                   **gateway_error_responses(413)},
    )
    def post(self, request, version):
        def create() -> StoredResponse:
            serializer = CustomerCreateSerializer(data=request.data, context=self.get_serializer_context())
            serializer.is_valid(raise_exception=True)
            customer = customer_create(**serializer.create_arguments())
            location = request.build_absolute_uri(
                reverse("customer-detail", kwargs={"version": version, "pk": customer.pk}))
            return StoredResponse(status.HTTP_201_CREATED, CustomerSerializer(customer).data,
                                  {"Location": location, "ETag": customer_etag(customer)})

        return respond_once(request, create)


class CustomerDetailView(ObjectOptionsMixin, ThrottledBeforePermissionsMixin, CallerCustomersMixin,
                         generics.GenericAPIView):
    """One customer: read, replace, change or delete; another owner's id is a 404."""

    permission_classes = [IsAuthenticated, HasCustomerScope, IsOwnerOrAdmin]

    def get_parsers(self):
        """v2's PATCH also takes an RFC 7396 merge patch."""
        method = getattr(getattr(self, "request", None), "method", None)
        if method == "PATCH" and self.api_version == "v2":
            return [JSONParser(), MergePatchJSONParser()]
        return super().get_parsers()

    @extend_schema(
        summary="Fetch a customer",
        description="One customer, with its `ETag`; needs `customers:read`. Another owner's customer is a 404, "
                    "as is an unknown id. With `If-None-Match` naming the current `ETag`: 304 without a body.",
        tags=["customers"],
        examples=[examples.CUSTOMER_RESPONSE],
        parameters=[IF_NONE_MATCH, ETAG],
        responses={200: CustomerSerializer, 304: OpenApiResponse(description="Not modified: the `If-None-Match` "
                                                                              "ETag is current."),
                   **error_responses(401, 403, 404, 429, 503)},
    )
    def get(self, request, version, pk):
        customer = self.get_object()
        if not_modified(request, customer):
            return Response(status=status.HTTP_304_NOT_MODIFIED, headers={"ETag": customer_etag(customer)})
        return self._respond(customer)

    @extend_schema(
        summary="Replace a customer",
        description="Every writable field at once (omitted optional ones become blank); needs `customers:write`. "
                    "Send the `ETag` you read as `If-Match`: if someone changed the customer meanwhile, 412 and "
                    "nothing changes.",
        tags=["customers"],
        examples=[examples.REPLACE_REQUEST, examples.CUSTOMER_RESPONSE],
        parameters=[IF_MATCH, ETAG],
        responses={200: CustomerSerializer, **error_responses(400, 401, 403, 404, 412, 415, 429, 503),
                   **gateway_error_responses(413)},
    )
    def put(self, request, version, pk):
        customer = self.get_object()
        expected = if_match_versions(request, customer)
        serializer = self.get_serializer(customer, data=request.data)
        serializer.is_valid(raise_exception=True)
        return self._respond(customer_update(customer=customer, fields=serializer.replacement(), if_match=expected))

    @extend_schema(versions=["v2"], request={"application/json": CustomerSerializer,
                                             MERGE_PATCH_MEDIA_TYPE: CustomerMergePatchSerializer})
    @extend_schema(
        summary="Change some fields of a customer",
        description="Only the fields sent; needs `customers:write`. v2 also takes `application/merge-patch+json` "
                    "(RFC 7396): `null` blanks `phone` or `company`. With `If-Match`, a stale `ETag` is a 412 "
                    "and nothing changes.",
        tags=["customers"],
        examples=[examples.PATCH_REQUEST, examples.MERGE_PATCH_REQUEST, examples.CUSTOMER_RESPONSE],
        parameters=[IF_MATCH, ETAG],
        responses={200: CustomerSerializer, **error_responses(400, 401, 403, 404, 412, 415, 429, 503),
                   **gateway_error_responses(413)},
    )
    def patch(self, request, version, pk):
        customer = self.get_object()
        expected = if_match_versions(request, customer)
        data = request.data
        if is_merge_patch(request):
            data = merge_patch_to_partial(data, removable=REMOVABLE_FIELDS)
        serializer = self.get_serializer(customer, data=data, partial=True)
        serializer.is_valid(raise_exception=True)
        return self._respond(customer_update(customer=customer, fields=serializer.validated_data, if_match=expected))

    @extend_schema(
        summary="Delete a customer",
        description="Needs `customers:write`; 204 without a body. With `If-Match`, a stale `ETag` is a 412 and "
                    "nothing is deleted.",
        tags=["customers"],
        parameters=[IF_MATCH],
        responses={204: None, **error_responses(401, 403, 404, 412, 429, 503)},
    )
    def delete(self, request, version, pk):
        customer = self.get_object()
        customer_delete(customer=customer, if_match=if_match_versions(request, customer))
        return Response(status=status.HTTP_204_NO_CONTENT)

    def get_object(self) -> Customer:
        """GenericAPIView's lookup, object permissions included, on the compiled selector."""
        customer = customer_get_visible_to(self.request.user, uuid.UUID(self.kwargs["pk"]))
        if customer is None:
            raise NotFound()  # "Not found.", as the reference's example and a 404 of any other kind say
        self.check_object_permissions(self.request, customer)
        return customer

    def _respond(self, customer) -> Response:
        return Response(self.get_serializer(customer).data, headers={"ETag": customer_etag(customer)})
