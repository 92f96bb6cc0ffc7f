"""Register, manage users (staff), and read or edit one's own account."""

from django.urls import reverse
from drf_spectacular.utils import extend_schema
from rest_framework import generics, status
from rest_framework.permissions import IsAdminUser
from rest_framework.response import Response
from rest_framework.views import APIView

from fleet_common.pagination import PaginationByVersionMixin

from .pagination import UserCursorPagination, UserPageNumberPagination
from .permissions import IsAdminOrRegistering
from .selectors import user_list
from .serializers import AdminUserSerializer, PasswordChangeSerializer, RegisterSerializer, UserSerializer
from .services import user_create, user_delete, user_password_change, user_update


class UserListView(PaginationByVersionMixin, generics.ListAPIView):
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

    @extend_schema(request=RegisterSerializer, responses={201: UserSerializer}, summary="Register a user")
    def post(self, request, version):
        serializer = RegisterSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        user = user_create(**serializer.validated_data)
        location = request.build_absolute_uri(reverse("user-detail", kwargs={"version": version, "pk": user.pk}))
        return Response(UserSerializer(user).data, status=status.HTTP_201_CREATED, headers={"Location": location})


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

    @extend_schema(request=PasswordChangeSerializer, responses={204: None}, summary="Change my password")
    def post(self, request, version):
        serializer = PasswordChangeSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        user_password_change(user=request.user, **serializer.validated_data)
        return Response(status=status.HTTP_204_NO_CONTENT)
