from django.apps import AppConfig


class CustomersConfig(AppConfig):
    name = "customers"

    def ready(self):
        from . import schema  # noqa: F401, PLC0415 - registers the OpenAPI security description
