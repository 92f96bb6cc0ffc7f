"""A bare Django project: no middleware, no DRF, the services' own database settings (fleet_common)."""

import environ

from fleet_common import settings as fleet

env = environ.Env()

SECRET_KEY = env.str("DJANGO_SECRET_KEY")
DEBUG = False
ALLOWED_HOSTS = env.list("DJANGO_ALLOWED_HOSTS")
INSTALLED_APPS = ["bench.ceiling_app"]
MIDDLEWARE: list[str] = []
ROOT_URLCONF = "bench.ceiling_app.urls"
WSGI_APPLICATION = "bench.ceiling_app.wsgi.application"
DATABASES = fleet.databases(env)  # the same connection settings as the services
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
USE_TZ = True
TIME_ZONE = "UTC"
