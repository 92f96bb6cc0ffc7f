"""Model permissions as scopes: a user's groups decide what their tokens may do."""

DEFAULT_SCOPES = ("customers:read", "customers:write")
READ_ONLY_GROUP = "customers-readonly"
READ_ONLY_SCOPES = ("customers:read",)
ADMIN_SCOPES = ("customers:admin",)


def scopes_for(user) -> list[str]:
    """Read-only group members read; everyone else reads and writes; staff administer all customers."""
    if user.groups.filter(name=READ_ONLY_GROUP).exists():
        scopes = list(READ_ONLY_SCOPES)
    else:
        scopes = list(DEFAULT_SCOPES)
    if user.is_staff:
        scopes += ADMIN_SCOPES
    return scopes
