"""Every setting of the customers service, switched by environment values (django-environ)."""


import environ

from fleet_common import settings as fleet
from fleet_common.logging import logging_config

env = environ.Env()

SECRET_KEY = fleet.required(env, "DJANGO_SECRET_KEY", dev_default="dev-only-customers-secret-key-not-for-production")
DEBUG = env.bool("DJANGO_DEBUG", default=False)
ALLOWED_HOSTS = env.list("DJANGO_ALLOWED_HOSTS", default=["localhost", "127.0.0.1"] if fleet.is_dev(env) else [])

INSTALLED_APPS = [
    "django.contrib.contenttypes",
    "django.contrib.postgres",
    "rest_framework",
    "drf_spectacular",
    "django_prometheus",
    "fleet_common",
    "django_filters",
    "customers",
]
MIDDLEWARE = fleet.MIDDLEWARE
ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"
DATABASES = fleet.databases(env)
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
USE_TZ = True
TIME_ZONE = "UTC"
LANGUAGE_CODE = "en-us"
APPEND_SLASH = False

REST_FRAMEWORK = fleet.rest_framework(**fleet.throttling(env, scopes={"customers-write": "120/min"}))
# Throttle counters, shared by every worker and replica (fleet_common.throttling).
REDIS_URL = fleet.required(env, "REDIS_URL", dev_default="redis://127.0.0.1:6379/1")
# v1's Deprecation and Sunset dates (fleet_common.lifecycle).
API_LIFECYCLE = fleet.api_lifecycle(env)
# Idempotency-Key results are replayed for at least this long, then pruned (prune_idempotency_keys).
IDEMPOTENCY_KEY_TTL_HOURS = env.int("IDEMPOTENCY_KEY_TTL_HOURS", default=24)
SPECTACULAR_SETTINGS = {
    "TITLE": "customers",
    "DESCRIPTION": "Customer records of the fleet, owned by the token's subject. Send an access token from auth "
                   "(a user's, or a service's from the client-credentials grant) with the scope each method "
                   "needs. v1 pages by number, answers errors with DRF's bodies and is deprecated (see its "
                   "`Deprecation` and `Sunset` headers); v2 pages by cursor and answers RFC 9457 problem details.",
    "VERSION": "2.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "COMPONENT_SPLIT_REQUEST": True,
    "SERVERS": [fleet.SCHEMA_SERVER],
    "TAGS": [{"name": "customers", "description": "The caller's customers (every customer with `customers:admin`)."}],
}

# Tokens are verified with auth's published keys, fetched rarely from its internal URL.
FLEET_JWT = {
    "ISSUER": fleet.required(env, "JWT_ISSUER", dev_default="http://127.0.0.1:8080"),
    "AUDIENCE": "customers",
    "JWKS_URL": env.str("AUTH_JWKS_URL"),
    "JWKS_CACHE_PATH": env.str("JWKS_CACHE_PATH", default=None),
    "JWKS_REFRESH_INTERVAL": env.int("JWKS_REFRESH_INTERVAL_SECONDS", default=300),
    "JWKS_MIN_REFETCH_INTERVAL": env.int("JWKS_MIN_REFETCH_INTERVAL_SECONDS", default=30),
    "LEEWAY": 30,
}

LOGGING = logging_config("customers", env.str("LOG_LEVEL", default="INFO"))

# Behind the gateway: forwarded scheme, secure cookies, no SSL redirect of our own (fleet_common).
globals().update(fleet.behind_the_gateway(env))
