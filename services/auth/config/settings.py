"""Every setting of the auth service, switched by environment values (django-environ)."""

from datetime import timedelta

import environ

from fleet_common import settings as fleet
from fleet_common.logging import logging_config
from fleet_common.routes import ANY_CASE_UUID

env = environ.Env()

SECRET_KEY = fleet.required(env, "DJANGO_SECRET_KEY", dev_default="dev-only-auth-secret-key-not-for-production")
DEBUG = env.bool("DJANGO_DEBUG", default=False)
ALLOWED_HOSTS = env.list("DJANGO_ALLOWED_HOSTS", default=["localhost", "127.0.0.1"] if fleet.is_dev(env) else [])

INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "rest_framework",
    "drf_spectacular",
    "django_prometheus",
    "fleet_common",
    "accounts",
    "tokens",
    "clients",
    "outbox",
]
MIDDLEWARE = fleet.MIDDLEWARE
ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"
DATABASES = fleet.databases(env)
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "accounts.User"
USE_TZ = True
TIME_ZONE = "UTC"
LANGUAGE_CODE = "en-us"
APPEND_SLASH = False

# The first hasher hashes; the others still verify older hashes, which are upgraded at login.
PASSWORD_HASHERS = [
    "accounts.hashers.FleetArgon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_MAX_CONCURRENT_HASHES = env.int("AUTH_MAX_CONCURRENT_HASHES", default=2)
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

# Anonymous calls are limited per client address; `login`, `register`, `token-refresh` and
# `oauth-token` have scopes of their own (rates from THROTTLE_RATE_<SCOPE>), all counted in Redis.
REST_FRAMEWORK = fleet.rest_framework(
    DEFAULT_AUTHENTICATION_CLASSES=["accounts.authentication.UserTokenAuthentication"],
    **fleet.throttling(env, scopes={"login": "30/min", "register": "20/hour", "token-refresh": "60/min",
                                    "oauth-token": "60/min"}),
)
REDIS_URL = fleet.required(env, "REDIS_URL", dev_default="redis://127.0.0.1:6379/0")
AUTH_LOGIN_FAILURE_LIMIT = env.int("AUTH_LOGIN_FAILURE_LIMIT", default=10)
AUTH_LOGIN_FAILURE_WINDOW = env.int("AUTH_LOGIN_FAILURE_WINDOW_SECONDS", default=900)
# v1's Deprecation and Sunset dates (fleet_common.lifecycle), the same as customers'.
API_LIFECYCLE = fleet.api_lifecycle(env)
SPECTACULAR_SETTINGS = {
    "TITLE": "auth",
    "DESCRIPTION": "Users, tokens and public keys of the customers fleet. Register, log in for an access token "
                   "(a JWT; send it as `Authorization: Bearer ...`) and a refresh token; services get their "
                   "tokens with the client-credentials grant. v1 answers errors with DRF's bodies and is "
                   "deprecated (see its `Deprecation` and `Sunset` headers); v2 answers RFC 9457 problem details.",
    "VERSION": "2.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "COMPONENT_SPLIT_REQUEST": True,
    "SERVERS": [fleet.SCHEMA_SERVER],
    "PATH_CONVERTER_OVERRIDES": {ANY_CASE_UUID: {"type": "string", "format": "uuid"}},
    "TAGS": [
        {"name": "account", "description": "Register, and read or change one's own account."},
        {"name": "tokens", "description": "Log in, refresh and log out (users)."},
        {"name": "service tokens", "description": "The client-credentials grant (services)."},
        {"name": "users", "description": "Every user, for staff."},
        {"name": "keys", "description": "Public keys and OAuth metadata, for verifiers and clients."},
    ],
    # The token endpoint's client authentication (RFC 6749 §2.3.1): the one HTTP Basic of the fleet.
    "APPEND_COMPONENTS": {"securitySchemes": {"clientSecretBasic": {
        "type": "http", "scheme": "basic",
        "description": "`client_secret_basic`: a service client's id and secret, for `POST oauth/token/` only."}}},
}

# Tokens: signed by auth alone, verified by everyone with the published keys.
AUTH_SIGNING_KEYS_DIR = env.str("AUTH_SIGNING_KEYS_DIR")
AUTH_SIGNING_ALGORITHM = env.str("AUTH_SIGNING_ALGORITHM", default="RS256")
AUTH_KEY_PUBLISH_DELAY = timedelta(seconds=env.int("AUTH_KEY_PUBLISH_DELAY_SECONDS", default=600))
ACCESS_TOKEN_LIFETIME = timedelta(seconds=env.int("AUTH_ACCESS_TOKEN_LIFETIME_SECONDS", default=300))
SERVICE_TOKEN_LIFETIME = timedelta(seconds=env.int("AUTH_SERVICE_TOKEN_LIFETIME_SECONDS", default=600))
REFRESH_TOKEN_IDLE_LIFETIME = timedelta(seconds=env.int("AUTH_REFRESH_IDLE_LIFETIME_SECONDS", default=14 * 86400))
REFRESH_TOKEN_ABSOLUTE_LIFETIME = timedelta(seconds=env.int("AUTH_REFRESH_ABSOLUTE_LIFETIME_SECONDS", default=30 * 86400))
REFRESH_TOKEN_REUSE_GRACE = timedelta(seconds=env.int("AUTH_REFRESH_REUSE_GRACE_SECONDS", default=0))
TOKEN_AUDIENCE = env.list("JWT_AUDIENCE", default=["auth", "customers"])
FLEET_JWT = {
    "ISSUER": fleet.required(env, "JWT_ISSUER", dev_default="http://127.0.0.1:8080"),
    "AUDIENCE": "auth",
    "KEY_SOURCE": "tokens.keyring.get_keyring",
    "LEEWAY": 30,
}
# What simplejwt's AccessToken and auth's token backend read (tokens/access.py); auth signs with its
# own keyring and never uses simplejwt's views, serializers or authentication classes.
SIMPLE_JWT = {
    "ACCESS_TOKEN_LIFETIME": ACCESS_TOKEN_LIFETIME,
    "ALGORITHM": AUTH_SIGNING_ALGORITHM,
    "TOKEN_TYPE_CLAIM": "token_type",
    "JTI_CLAIM": "jti",
    "ISSUER": FLEET_JWT["ISSUER"],
    "AUDIENCE": TOKEN_AUDIENCE,
    "LEEWAY": FLEET_JWT["LEEWAY"],
}

# Service-to-service: where auth reaches customers on the internal network (the outbox delivers there).
CUSTOMERS_INTERNAL_URL = fleet.required(env, "CUSTOMERS_INTERNAL_URL", dev_default="http://127.0.0.1:8002")
OUTBOX_DISPATCHER = env.bool("OUTBOX_DISPATCHER", default=True)

LOGGING = logging_config("auth", env.str("LOG_LEVEL", default="INFO"))

# Behind the gateway: forwarded scheme, secure cookies, no SSL redirect of our own (fleet_common).
globals().update(fleet.behind_the_gateway(env))
