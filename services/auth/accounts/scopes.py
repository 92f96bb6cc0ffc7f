"""Model permissions as scopes: a user's groups decide what their tokens may do."""

from django.contrib.auth.models import Group
from django.db.models import Exists, OuterRef

from fleet_common.claims import CUSTOMERS_ADMIN, CUSTOMERS_READ, CUSTOMERS_WRITE

DEFAULT_SCOPES = (CUSTOMERS_READ, CUSTOMERS_WRITE)
READ_ONLY_GROUP = "customers-readonly"
READ_ONLY_SCOPES = (CUSTOMERS_READ,)
ADMIN_SCOPES = (CUSTOMERS_ADMIN,)


def _read_only_groups(user):
    """The read-only group, among `user`'s groups (a user, a pk or an OuterRef to one)."""
    return Group.objects.filter(user=user, name=READ_ONLY_GROUP)


def in_read_only_group(user_field: str) -> Exists:
    """The read-only membership as a subquery: a query that loads the user can answer it too, in one trip."""
    return Exists(_read_only_groups(OuterRef(user_field)))


def scopes_of(*, read_only: bool, is_staff: bool) -> list[str]:
    """Read-only group members read; everyone else reads and writes; staff administer all customers."""
    scopes = list(READ_ONLY_SCOPES if read_only else DEFAULT_SCOPES)
    if is_staff:
        scopes += ADMIN_SCOPES
    return scopes


def scopes_for(user) -> list[str]:
    """The scopes of `user`'s next tokens: one query for the read-only membership."""
    return scopes_of(read_only=_read_only_groups(user.pk).exists(), is_staff=user.is_staff)
