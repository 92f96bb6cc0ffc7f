"""Page sizes of the customer list: v1 pages by number, v2 by a keyset cursor (fleet_common.pagination)."""

from fleet_common.pagination import KeysetCursorPagination, StrictPageNumberPagination


class CustomerPageNumberPagination(StrictPageNumberPagination):
    page_size = 20
    max_page_size = 100


class CustomerCursorPagination(KeysetCursorPagination):
    page_size = 20
    max_page_size = 100
