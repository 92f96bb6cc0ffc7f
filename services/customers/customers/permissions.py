"""Scopes per method (model permissions) and ownership per object (object permissions)."""

from rest_framework.exceptions import NotFound
from rest_framework.permissions import SAFE_METHODS, BasePermission

from fleet_common.claims import CUSTOMERS_ADMIN, CUSTOMERS_READ, CUSTOMERS_WRITE


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


class HasScope(BasePermission):
    """One fixed scope, for endpoints that need exactly that (`HasScope.of(CUSTOMERS_ADMIN)`)."""

    scope = ""

    @classmethod
    def of(cls, scope: str) -> type["HasScope"]:
        return type(f"HasScope_{scope}", (cls,), {"scope": scope, "message": f"This action needs the '{scope}' scope."})

    def has_permission(self, request, view):
        return request.user.has_scope(self.scope)
