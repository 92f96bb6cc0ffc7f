"""The staff's user list: a keyset cursor over (date_joined, id) in v2; v1's frozen contract is one array."""

from fleet_common.pagination import KeysetCursorPagination


class UserCursorPagination(KeysetCursorPagination):
    page_size = 20
    max_page_size = 100
    ordering = ("date_joined",)
