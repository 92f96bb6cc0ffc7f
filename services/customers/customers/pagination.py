"""Page sizes of the customer list: v1 pages by number, v2 by a keyset cursor (fleet_common.pagination)."""

from fleet_common.pagination import KeysetCursorPagination, StrictPageNumberPagination


class CustomerPageNumberPagination(StrictPageNumberPagination):
    page_size = 20
    max_page_size = 100
    example_url = "http://127.0.0.1:8080/v1/customers/"


class CustomerCursorPagination(KeysetCursorPagination):
    page_size = 20
    max_page_size = 100
    example_url = "http://127.0.0.1:8080/v2/customers/"
