"""WSGI entry for gunicorn; refuses to serve without a signing key."""

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
application = get_wsgi_application()

from django.conf import settings  # noqa: E402

from outbox.dispatcher import start_in_background  # noqa: E402 - needs Django set up
from tokens.keyring import get_keyring  # noqa: E402

get_keyring().require_signing_key()
if settings.OUTBOX_DISPATCHER:
    start_in_background()
