"""Model permissions as scopes: a user's groups decide what their tokens may do."""

from django.contrib.auth.models import Group
from django.db.models import Exists, OuterRef

DEFAULT_SCOPES = ("customers:read", "customers:write")
READ_ONLY_GROUP = "customers-readonly"
READ_ONLY_SCOPES = ("customers:read",)
ADMIN_SCOPES = ("customers:admin",)


def in_read_only_group(user_field: str = "pk") -> Exists:
    """The read-only membership as a subquery: a query that loads the user can answer it too, in one trip."""
    return Exists(Group.objects.filter(user=OuterRef(user_field), name=READ_ONLY_GROUP))


def scopes_of(*, read_only: bool, is_staff: bool) -> list[str]:
    """Read-only group members read; everyone else reads and writes; staff administer all customers."""
    scopes = list(READ_ONLY_SCOPES if read_only else DEFAULT_SCOPES)
    if is_staff:
        scopes += ADMIN_SCOPES
    return scopes


def scopes_for(user) -> list[str]:
    """The scopes of `user`'s next tokens: one query for the read-only membership."""
    read_only = Group.objects.filter(user=user.pk, name=READ_ONLY_GROUP).exists()
    return scopes_of(read_only=read_only, is_staff=user.is_staff)
