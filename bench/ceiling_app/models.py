"""customers' own table, read-only: the ceiling reads the same rows the customers service serves."""

from django.db import models


class Customer(models.Model):
    id = models.UUIDField(primary_key=True)
    owner = models.CharField(max_length=255)
    name = models.CharField(max_length=200)
    email = models.CharField(max_length=254)
    phone = models.CharField(max_length=32)
    company = models.CharField(max_length=200)
    version = models.PositiveIntegerField()
    created_at = models.DateTimeField()
    updated_at = models.DateTimeField()

    class Meta:
        managed = False
        db_table = "customers_customer"
