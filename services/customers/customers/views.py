"""Two views for one model: the collection and one customer. Parse, call a service, serialize."""

from django.urls import reverse
from rest_framework import generics, status
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response

from .pagination import CustomerPageNumberPagination
from .permissions import HasCustomerScope, IsOwnerOrAdmin
from .selectors import customer_visible_to
from .serializers import CustomerSerializer
from .services import customer_create, customer_delete, customer_update


class CallerCustomersMixin:
    """Both views see only the caller's customers (all of them with customers:admin)."""

    serializer_class = CustomerSerializer

    def get_queryset(self):
        return customer_visible_to(self.request.user)

    def get_serializer_context(self):
        return {**super().get_serializer_context(), "owner": getattr(self.request.user, "sub", None)}


class CustomerListView(CallerCustomersMixin, generics.ListAPIView):
    """`GET` the caller's customers, `POST` a new one."""

    permission_classes = [IsAuthenticated, HasCustomerScope]
    pagination_class = CustomerPageNumberPagination

    def post(self, request, version):
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        customer = customer_create(owner=request.user.sub, **serializer.validated_data)
        location = request.build_absolute_uri(reverse("customer-detail", kwargs={"version": version, "pk": customer.pk}))
        return Response(self.get_serializer(customer).data, status=status.HTTP_201_CREATED,
                        headers={"Location": location})


class CustomerDetailView(CallerCustomersMixin, generics.RetrieveAPIView):
    """One customer: read, replace, change or delete; another owner's id is a 404."""

    permission_classes = [IsAuthenticated, HasCustomerScope, IsOwnerOrAdmin]

    def put(self, request, version, pk):
        return self._update(request, partial=False)

    def patch(self, request, version, pk):
        return self._update(request, partial=True)

    def delete(self, request, version, pk):
        customer_delete(customer=self.get_object())
        return Response(status=status.HTTP_204_NO_CONTENT)

    def _update(self, request, *, partial: bool):
        customer = self.get_object()
        serializer = self.get_serializer(customer, data=request.data, partial=partial)
        serializer.is_valid(raise_exception=True)
        fields = serializer.validated_data if partial else serializer.replacement()
        customer = customer_update(customer=customer, **fields)
        return Response(self.get_serializer(customer).data)
