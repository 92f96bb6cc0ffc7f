"""Manage signing keys: `create --if-missing` (first run), `rotate`, `list`, `prune`."""

import structlog
from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from tokens.keyring import generate_key_file, get_keyring

logger = structlog.get_logger("audit")


class Command(BaseCommand):
    help = "Create, rotate, list or prune the signing keys in AUTH_SIGNING_KEYS_DIR."

    def add_arguments(self, parser):
        parser.add_argument("action", choices=["create", "rotate", "list", "prune"])
        parser.add_argument("--if-missing", action="store_true", help="create: only when no key exists")
        parser.add_argument("--algorithm", choices=["RS256", "ES256"], default=None)

    def handle(self, action, if_missing, algorithm, **options):
        keyring = get_keyring()
        if action in ("create", "rotate"):
            if if_missing and keyring.keys():
                self.stdout.write("a signing key exists; nothing to do")
                return
            path = generate_key_file(keyring.directory, algorithm or settings.AUTH_SIGNING_ALGORITHM)
            keyring.reload()
            new_key = next(key for key in keyring.keys() if key.file_name == path.name)
            logger.info("signing_key_created", kid=new_key.kid, algorithm=new_key.algorithm)
            self.stdout.write(f"created {path.name} kid={new_key.kid}; it signs after "
                              f"{int(settings.AUTH_KEY_PUBLISH_DELAY.total_seconds())} s")
        elif action == "list":
            signing = keyring.signing_key() if keyring.keys() else None
            published = {key.kid for key in keyring.published_keys()} if signing else set()
            for key in keyring.keys():
                state = "signing" if key == signing else "published" if key.kid in published else "retired"
                self.stdout.write(f"{key.created_at:%Y-%m-%dT%H:%M:%SZ} {key.algorithm} {key.kid} {state}")
        elif action == "prune":
            for key in keyring.retired_keys():
                (keyring.directory / key.file_name).unlink()
                logger.info("signing_key_retired", kid=key.kid)
                self.stdout.write(f"removed {key.kid}")
        else:
            raise CommandError(action)
