"""Page sizes of the customer list: v1 pages by number, v2 by a keyset cursor (fleet_common.pagination)."""

from fleet_common.pagination import KeysetCursorPagination, StrictPageNumberPagination

from .filters import narrows
from .selectors import customer_page_visible_to


class CustomerPageNumberPagination(StrictPageNumberPagination):
    page_size = 20
    max_page_size = 100
    example_url = "http://127.0.0.1:8080/v1/customers/"


class CustomerCursorPagination(KeysetCursorPagination):
    page_size = 20
    max_page_size = 100
    example_url = "http://127.0.0.1:8080/v2/customers/"

    def fetch_page(self, queryset, request, *, position, backwards):
        """Unfiltered (the list as clients mostly page through it), from a query compiled once per shape.

        `queryset` is then `customer_visible_to(caller).values(...)`: the compiled page reads those columns.
        """
        if narrows(request):
            return super().fetch_page(queryset, request, position=position, backwards=backwards)
        return customer_page_visible_to(request.user, columns=tuple(queryset.query.values_select),
                                        key_field=self.key_field, position=position, backwards=backwards,
                                        limit=self.page_size + 1)
