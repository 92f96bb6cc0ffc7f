"""Who may call the user endpoints."""

from rest_framework.permissions import BasePermission


class IsAdminOrRegistering(BasePermission):
    """Anyone may register (POST); only staff may list users."""

    def has_permission(self, request, view):
        if request.method == "POST":
            return True
        return bool(request.user and request.user.is_staff)
