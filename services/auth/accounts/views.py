"""Register, manage users (staff), and read or edit one's own account."""

from django.urls import reverse
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import generics, status
from rest_framework.permissions import IsAdminUser
from rest_framework.response import Response
from rest_framework.views import APIView

from fleet_common.options import ObjectOptionsMixin
from fleet_common.pagination import PaginationByVersionMixin
from fleet_common.schema import error_responses, gateway_error_responses
from fleet_common.throttling import ThrottledBeforePermissionsMixin

from . import examples
from .pagination import UserCursorPagination, UserPageNumberPagination
from .permissions import IsAdminOrRegistering
from .selectors import user_list
from .serializers import AdminUserSerializer, PasswordChangeSerializer, RegisterSerializer, UserSerializer
from .services import user_create, user_delete, user_password_change, user_update

#: What auth's errors mean on these endpoints (the shared texts speak of customers' scopes and owners).
USER_ERRORS = {
    401: "No bearer token, or one that is invalid, expired or names no active user (`WWW-Authenticate: Bearer`).",
    403: "Only staff may manage users.",
    404: "No user with this id.",
    503: "The database is unavailable, or too many password hashes run at once: retry after `Retry-After` seconds.",
}

LOCATION = OpenApiParameter("Location", str, OpenApiParameter.HEADER, response=[201],
                            description="The new user's URL (for staff).")


def user_errors(*statuses: int) -> dict:
    return error_responses(*statuses, descriptions=USER_ERRORS)


@extend_schema_view(get=extend_schema(
    summary="List users (staff)",
    description="Every user, for staff (`is_staff`), a page at a time; anyone else gets a 403.",
    tags=["users"], examples=[examples.ADMIN_USER_LIST_RESPONSE],
    responses={200: AdminUserSerializer(many=True), **user_errors(401, 403, 503),
               **error_responses(400, descriptions={400: "A malformed `page`, `cursor` or `page_size`."}),
               **error_responses(404, versions=("v1",), descriptions={404: "The page is past the last one."})},
))
class UserListView(ThrottledBeforePermissionsMixin, PaginationByVersionMixin, generics.ListAPIView):
    """`POST users/` registers anyone; `GET users/` lists users for staff, a page at a time."""

    permission_classes = [IsAdminOrRegistering]
    serializer_class = AdminUserSerializer
    page_number_pagination_class = UserPageNumberPagination
    cursor_pagination_class = UserCursorPagination

    @property
    def throttle_scope(self):
        """Registrations are limited per client address; staff listing users are not."""
        return "register" if self.request.method == "POST" else None

    def get_queryset(self):
        return user_list()

    @extend_schema(
        summary="Register a user",
        description="Anyone may register; no token needed. The password must pass Django's validators (at least "
                    "8 characters, not a common one, not only digits, not like the username); a taken username "
                    "is a 400. Then log in with `POST token/`.",
        tags=["account"], request=RegisterSerializer, parameters=[LOCATION],
        auth=[{"bearerAuth": []}, {}],  # anyone; a bearer token sent anyway must be valid (401)
        examples=[examples.REGISTER_REQUEST, examples.USER_RESPONSE],
        responses={201: UserSerializer, **user_errors(400, 401, 415, 503), **gateway_error_responses(413, 429)},
    )
    def post(self, request, version):
        serializer = RegisterSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        user = user_create(**serializer.validated_data)
        location = request.build_absolute_uri(reverse("user-detail", kwargs={"version": version, "pk": user.pk}))
        return Response(UserSerializer(user).data, status=status.HTTP_201_CREATED, headers={"Location": location})


@extend_schema_view(get=extend_schema(
    summary="Fetch a user (staff)",
    description="One user with their groups, for staff.",
    tags=["users"], examples=[examples.ADMIN_USER_RESPONSE],
    responses={200: AdminUserSerializer, **user_errors(401, 403, 404, 503)},
))
class UserDetailView(ObjectOptionsMixin, ThrottledBeforePermissionsMixin, generics.RetrieveAPIView):
    """One user, for staff: read, change (deactivate, groups) or delete."""

    permission_classes = [IsAdminUser]
    serializer_class = AdminUserSerializer

    def get_queryset(self):
        return user_list()

    @extend_schema(
        summary="Change a user (staff)",
        description="Email, `is_active` (deactivating revokes every refresh token of the user), `is_staff` and "
                    "`groups` (which map to scopes: `customers-readonly` gives `customers:read` only). The "
                    "user's next tokens carry the new scopes.",
        tags=["users"], examples=[examples.ADMIN_PATCH_REQUEST, examples.ADMIN_USER_RESPONSE],
        responses={200: AdminUserSerializer, **user_errors(400, 401, 403, 404, 415, 503), **gateway_error_responses(413)},
    )
    def patch(self, request, version, pk):
        serializer = self.get_serializer(self.get_object(), data=request.data, partial=True)
        serializer.is_valid(raise_exception=True)
        user = user_update(user=serializer.instance, **serializer.validated_data)
        return Response(self.get_serializer(user).data)

    @extend_schema(
        summary="Delete a user (staff)",
        description="The user and their refresh tokens; customers then removes every customer they owned "
                    "(delivered by auth's outbox, retried until customers confirms).",
        tags=["users"], responses={204: None, **user_errors(401, 403, 404, 503)},
    )
    def delete(self, request, version, pk):
        user_delete(user=self.get_object())
        return Response(status=status.HTTP_204_NO_CONTENT)


@extend_schema_view(get=extend_schema(
    summary="Who am I",
    description="The caller's own account, with the scopes their next tokens will carry.",
    tags=["account"], examples=[examples.USER_RESPONSE], responses={200: UserSerializer, **user_errors(401, 503)},
))
class MeView(ThrottledBeforePermissionsMixin, generics.RetrieveAPIView):
    """The caller's own account; only the email is theirs to change."""

    serializer_class = UserSerializer

    def get_object(self):
        return self.request.user

    @extend_schema(
        summary="Change my email",
        description="Only `email` is the caller's to change; other fields are ignored.",
        tags=["account"], examples=[examples.ME_PATCH_REQUEST, examples.USER_RESPONSE],
        responses={200: UserSerializer, **user_errors(400, 401, 415, 503), **gateway_error_responses(413)},
    )
    def patch(self, request, version):
        serializer = self.get_serializer(request.user, data=request.data, partial=True)
        serializer.is_valid(raise_exception=True)
        return Response(self.get_serializer(user_update(user=request.user, **serializer.validated_data)).data)


class PasswordChangeView(ThrottledBeforePermissionsMixin, APIView):
    """Change one's password; every refresh token of the user is revoked."""

    @extend_schema(
        summary="Change my password",
        description="Needs the current password (a wrong one is a 400 on `current_password`). Every refresh token "
                    "of the user is revoked: every session must log in again.",
        tags=["account"], request=PasswordChangeSerializer, examples=[examples.PASSWORD_CHANGE_REQUEST],
        responses={204: None, **user_errors(400, 401, 415, 503), **gateway_error_responses(413)},
    )
    def post(self, request, version):
        serializer = PasswordChangeSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        user_password_change(user=request.user, **serializer.validated_data)
        return Response(status=status.HTTP_204_NO_CONTENT)
