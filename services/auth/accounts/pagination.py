"""Pages of the staff's user list: by number in v1, by a keyset cursor over (date_joined, id) in v2."""

from fleet_common.pagination import KeysetCursorPagination, StrictPageNumberPagination


class UserPageNumberPagination(StrictPageNumberPagination):
    page_size = 50
    max_page_size = 100


class UserCursorPagination(KeysetCursorPagination):
    page_size = 50
    max_page_size = 100
    ordering = ("date_joined",)
