"""Settings both services share, built from their own `env`; each service's settings module calls these."""

import environ

DEV_ENVIRONMENTS = ("dev", "test")


def is_dev(env: environ.Env) -> bool:
    """Only dev and test may fall back to defaults; anything else is treated as production."""
    return env.str("DJANGO_ENV", default="production") in DEV_ENVIRONMENTS


def required(env: environ.Env, name: str, dev_default: str) -> str:
    """Required in production (never a default secret there); a throwaway default in dev and test."""
    if is_dev(env):
        return env.str(name, default=dev_default)
    return env.str(name)


def databases(env: environ.Env) -> dict:
    """One database per service; statement_timeout (5 s) < gunicorn timeout (20 s) < gateway read timeout."""
    database = env.db("DATABASE_URL")
    database["CONN_MAX_AGE"] = env.int("DATABASE_CONN_MAX_AGE", default=60)
    database["CONN_HEALTH_CHECKS"] = True
    timeout_ms = env.int("DATABASE_STATEMENT_TIMEOUT_MS", default=5000)
    database["OPTIONS"] = {
        "connect_timeout": env.int("DATABASE_CONNECT_TIMEOUT", default=3),
        "options": f"-c statement_timeout={timeout_ms}",
    }
    return {"default": database}


def rest_framework(**overrides) -> dict:
    """Deny by default, JSON only, versions in the path, one error handler."""
    config = {
        "DEFAULT_AUTHENTICATION_CLASSES": ["fleet_common.authentication.BearerTokenAuthentication"],
        "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
        "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
        "DEFAULT_PARSER_CLASSES": ["rest_framework.parsers.JSONParser"],
        "DEFAULT_VERSIONING_CLASS": "rest_framework.versioning.URLPathVersioning",
        "DEFAULT_VERSION": "v2",
        "ALLOWED_VERSIONS": ["v1", "v2"],
        "EXCEPTION_HANDLER": "fleet_common.errors.exception_handler",
        "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
        "UNAUTHENTICATED_USER": None,
        "NUM_PROXIES": 1,
    }
    config.update(overrides)
    return config


MIDDLEWARE = [
    # First and last: django-prometheus times and counts everything in between.
    "django_prometheus.middleware.PrometheusBeforeMiddleware",
    "fleet_common.request_id.RequestIdMiddleware",
    "fleet_common.logging.AccessLogMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django_prometheus.middleware.PrometheusAfterMiddleware",
]

