"""Endpoints for other services on the internal network; the gateway never routes to them."""

from drf_spectacular.utils import extend_schema
from rest_framework import status
from rest_framework.exceptions import ValidationError
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from fleet_common.text import is_storable_text

from .models import ErasedOwner
from .permissions import IsAuthService
from .services import customers_erase_owner

OWNER_MAX_LENGTH = ErasedOwner._meta.get_field("owner").max_length


class OwnerCustomersView(APIView):
    """`DELETE /internal/v1/owners/{owner}/customers/`: auth erases a deleted user's customers (idempotent)."""

    permission_classes = [IsAuthenticated, IsAuthService]

    @extend_schema(exclude=True)
    def delete(self, request, owner):
        if not is_storable_text(owner):  # a NUL (%00) would reach the database, which refuses it with an error
            raise ValidationError({"owner": ["Must be text without NUL characters."]})
        if len(owner) > OWNER_MAX_LENGTH:  # no customer can have such an owner, and the erasure is remembered
            raise ValidationError({"owner": [f"At most {OWNER_MAX_LENGTH} characters."]})
        customers_erase_owner(owner=owner)
        return Response(status=status.HTTP_204_NO_CONTENT)
