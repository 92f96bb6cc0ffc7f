"""Scopes per method (model permissions) and ownership per object (object permissions)."""

from rest_framework.exceptions import NotFound
from rest_framework.permissions import SAFE_METHODS, BasePermission

from fleet_common.claims import AUTH_SUBJECT, CUSTOMERS_ADMIN, CUSTOMERS_READ, CUSTOMERS_WRITE


class HasCustomerScope(BasePermission):
    """Reading needs customers:read, writing customers:write; customers:admin may do both."""

    def has_permission(self, request, view):
        needed = CUSTOMERS_READ if request.method in SAFE_METHODS else CUSTOMERS_WRITE
        principal = request.user
        if principal.has_scope(CUSTOMERS_ADMIN) or principal.has_scope(needed):
            return True
        self.message = f"This action needs the '{needed}' scope."
        return False


class IsOwnerOrAdmin(BasePermission):
    """Only the owner, or customers:admin, may touch a customer; to anyone else it does not exist (404)."""

    def has_object_permission(self, request, view, obj):
        if request.user.has_scope(CUSTOMERS_ADMIN) or obj.owner == request.user.sub:
            return True
        raise NotFound()  # The queryset already hides it; a 403 here would reveal that it exists.


class IsAuthService(BasePermission):
    """Only auth, which alone knows a user is gone, may erase an owner: the erasure outlives the customers."""

    message = "Only the auth service may erase an owner's customers."

    def has_permission(self, request, view):
        return request.user.sub == AUTH_SUBJECT and request.user.has_scope(CUSTOMERS_ADMIN)
