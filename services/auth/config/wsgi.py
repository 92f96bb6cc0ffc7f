"""WSGI entry for gunicorn; refuses to serve without a signing key."""

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
application = get_wsgi_application()

from tokens.keyring import get_keyring  # noqa: E402 - needs Django set up

get_keyring().require_signing_key()
