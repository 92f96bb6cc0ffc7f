"""Register, manage users (staff), and read or edit one's own account."""

from django.urls import reverse
from drf_spectacular.utils import extend_schema
from rest_framework import generics, status
from rest_framework.permissions import IsAdminUser
from rest_framework.response import Response

from .permissions import IsAdminOrRegistering
from .selectors import user_list
from .serializers import RegisterSerializer, UserSerializer
from .services import user_create


class UserListView(generics.ListAPIView):
    """`POST users/` registers anyone; `GET users/` lists users for staff."""

    permission_classes = [IsAdminOrRegistering]
    serializer_class = UserSerializer

    def get_queryset(self):
        return user_list()

    @extend_schema(request=RegisterSerializer, responses={201: UserSerializer}, summary="Register a user")
    def post(self, request, version):
        serializer = RegisterSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        user = user_create(**serializer.validated_data)
        location = request.build_absolute_uri(reverse("user-detail", kwargs={"version": version, "pk": user.pk}))
        return Response(UserSerializer(user).data, status=status.HTTP_201_CREATED, headers={"Location": location})


class UserDetailView(generics.RetrieveUpdateDestroyAPIView):
    """One user, for staff."""

    permission_classes = [IsAdminUser]
    serializer_class = UserSerializer
    http_method_names = ["get", "patch", "delete", "options"]

    def get_queryset(self):
        return user_list()


class MeView(generics.RetrieveUpdateAPIView):
    """The caller's own account."""

    serializer_class = UserSerializer
    http_method_names = ["get", "patch", "options"]

    def get_object(self):
        return self.request.user
