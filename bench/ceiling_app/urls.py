"""One route: /bench/ceiling/<uuid>/ (the gateway routes that prefix only in the bench's own config)."""

from django.http import Http404, JsonResponse
from django.urls import path

from .models import Customer

FIELDS = ("id", "name", "email", "phone", "company", "owner", "created_at", "updated_at")


def customer(request, pk):
    row = Customer.objects.filter(pk=pk).values(*FIELDS).first()
    if row is None:
        raise Http404
    return JsonResponse(row)


urlpatterns = [path("bench/ceiling/<uuid:pk>/", customer)]
