"""Register, manage users (staff), and read or edit one's own account."""

from django.urls import reverse
from drf_spectacular.utils import OpenApiExample, extend_schema, extend_schema_view
from rest_framework import generics, status
from rest_framework.permissions import IsAdminUser
from rest_framework.response import Response
from rest_framework.views import APIView

from fleet_common.schema import error_responses, gateway_error_responses

from .pagination import UserCursorPagination
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


def user_errors(*statuses: int) -> dict:
    return error_responses(*statuses, descriptions=USER_ERRORS)


@extend_schema_view(get=extend_schema(responses={
    200: AdminUserSerializer(many=True), **user_errors(401, 403, 503),
    **error_responses(400, versions=("v2",), descriptions={400: "A malformed `cursor` or `page_size`."}),
}))
class UserListView(generics.ListAPIView):
    """`POST users/` registers anyone; `GET users/` lists users for staff."""

    permission_classes = [IsAdminOrRegistering]
    serializer_class = AdminUserSerializer

    @property
    def pagination_class(self):
        """v2 pages (at most 100 users a page); v1 answers one array, as its frozen contract says."""
        version = getattr(getattr(self, "request", None), "version", None) or getattr(self, "kwargs", {}).get("version")
        return UserCursorPagination if version == "v2" else None

    def get_queryset(self):
        return user_list()

    @extend_schema(request=RegisterSerializer, summary="Register a user",
                   examples=[OpenApiExample("A new user", request_only=True, value={
                       "username": "ada", "email": "ada@example.com", "password": "correct horse battery staple"})],
                   auth=[{"bearerAuth": []}, {}],  # anyone; a bearer token sent anyway must be valid (401)
                   responses={201: UserSerializer, **user_errors(400, 401, 415, 503),
                              **gateway_error_responses(413, 429)})
    def post(self, request, version):
        serializer = RegisterSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        user = user_create(**serializer.validated_data)
        location = request.build_absolute_uri(reverse("user-detail", kwargs={"version": version, "pk": user.pk}))
        return Response(UserSerializer(user).data, status=status.HTTP_201_CREATED, headers={"Location": location})


@extend_schema_view(
    get=extend_schema(responses={200: AdminUserSerializer, **user_errors(401, 403, 404, 503)}),
    patch=extend_schema(responses={200: AdminUserSerializer, **user_errors(400, 401, 403, 404, 415, 503),
                                   **gateway_error_responses(413)}),
    delete=extend_schema(responses={204: None, **user_errors(401, 403, 404, 503)}),
)
class UserDetailView(generics.RetrieveAPIView):
    """One user, for staff: read, change (deactivate, groups) or delete."""

    permission_classes = [IsAdminUser]
    serializer_class = AdminUserSerializer

    def get_queryset(self):
        return user_list()

    def patch(self, request, version, pk):
        serializer = self.get_serializer(self.get_object(), data=request.data, partial=True)
        serializer.is_valid(raise_exception=True)
        user = user_update(user=serializer.instance, **serializer.validated_data)
        return Response(self.get_serializer(user).data)

    def delete(self, request, version, pk):
        user_delete(user=self.get_object())
        return Response(status=status.HTTP_204_NO_CONTENT)


@extend_schema_view(
    get=extend_schema(responses={200: UserSerializer, **user_errors(401, 503)}),
    patch=extend_schema(responses={200: UserSerializer, **user_errors(400, 401, 415, 503),
                                   **gateway_error_responses(413)}),
)
class MeView(generics.RetrieveAPIView):
    """The caller's own account; only the email is theirs to change."""

    serializer_class = UserSerializer

    def get_object(self):
        return self.request.user

    def patch(self, request, version):
        serializer = self.get_serializer(request.user, data=request.data, partial=True)
        serializer.is_valid(raise_exception=True)
        return Response(self.get_serializer(user_update(user=request.user, **serializer.validated_data)).data)


class PasswordChangeView(APIView):
    """Change one's password; every refresh token of the user is revoked."""

    @extend_schema(request=PasswordChangeSerializer, summary="Change my password",
                   responses={204: None, **user_errors(400, 401, 415, 503), **gateway_error_responses(413)})
    def post(self, request, version):
        serializer = PasswordChangeSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        user_password_change(user=request.user, **serializer.validated_data)
        return Response(status=status.HTTP_204_NO_CONTENT)
