"""Delete stored Idempotency-Key responses past their retention (IDEMPOTENCY_KEY_TTL_HOURS); run it hourly."""

from django.core.management.base import BaseCommand

from customers.idempotency import prune_expired_keys


class Command(BaseCommand):
    help = __doc__

    def handle(self, *args, **options):
        deleted = prune_expired_keys()
        self.stdout.write(f"pruned {deleted} idempotency keys")
