"""Delete expired refresh-token rows in batches (logins also prune now and then)."""

from django.core.management.base import BaseCommand

from tokens.services import refresh_tokens_prune


class Command(BaseCommand):
    help = "Delete every expired refresh-token row."

    def handle(self, **options):
        total = 0
        while deleted := refresh_tokens_prune():
            total += deleted
        self.stdout.write(f"pruned {total} expired refresh tokens")
