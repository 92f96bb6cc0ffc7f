"""Settings both services share, built from their own `env`; each service's settings module calls these."""

from datetime import datetime, timezone

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
    """One database per service; every wait on it is bounded, so a lost database is a quick 503, never a hang.

    statement_timeout (5 s, the server's) < read timeout (7 s, ours: fleet_common.postgresql, for a
    server that is frozen or unreachable) < gateway read timeout (25 s); connect_timeout (3 s) bounds
    a new connection.

    Parameters are bound by the server, and a statement a connection has run twice is prepared: it is
    parsed and planned once per connection, which halves Postgres's CPU per request
    (docs/benchmarks.md). That needs session-level connections, not a transaction pooler:
    DATABASE_PREPARE_THRESHOLD=0 goes back to client-side binding without prepared statements.
    """
    database = env.db("DATABASE_URL")
    database["ENGINE"] = "fleet_common.postgresql"
    database["CONN_MAX_AGE"] = env.int("DATABASE_CONN_MAX_AGE", default=60)
    database["CONN_HEALTH_CHECKS"] = True
    timeout_ms = env.int("DATABASE_STATEMENT_TIMEOUT_MS", default=5000)
    database["OPTIONS"] = {
        "connect_timeout": env.int("DATABASE_CONNECT_TIMEOUT", default=3),
        "options": f"-c statement_timeout={timeout_ms}",
        "read_timeout": env.float("DATABASE_READ_TIMEOUT", default=timeout_ms / 1000 + 2),
    }
    if prepare_threshold := env.int("DATABASE_PREPARE_THRESHOLD", default=2):
        database["OPTIONS"].update(server_side_binding=True, prepare_threshold=prepare_threshold)
    return {"default": database}


def rest_framework(**overrides) -> dict:
    """Deny by default, JSON only, versions in the path, one error handler."""
    config = {
        "DEFAULT_AUTHENTICATION_CLASSES": ["fleet_common.authentication.BearerTokenAuthentication"],
        "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
        "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
        "DEFAULT_PARSER_CLASSES": ["fleet_common.parsers.JSONParser"],
        "DEFAULT_VERSIONING_CLASS": "rest_framework.versioning.URLPathVersioning",
        "DEFAULT_VERSION": "v2",
        "ALLOWED_VERSIONS": ["v1", "v2"],
        "EXCEPTION_HANDLER": "fleet_common.errors.exception_handler",
        "DEFAULT_SCHEMA_CLASS": "fleet_common.schema.AutoSchema",
        "UNAUTHENTICATED_USER": None,
        "NUM_PROXIES": 1,
        # JSON is the only format: `?format=` is an unknown parameter, ignored like any other, not a 404.
        "URL_FORMAT_OVERRIDE": None,
    }
    config.update(overrides)
    return config


#: `servers` of every OpenAPI document: relative, so the reference the gateway serves calls that same gateway.
SCHEMA_SERVER = {"url": "/", "description": "The gateway that serves this document (make dev: http://127.0.0.1:8080)"}


#: v1 is the frozen legacy contract; v2 is its successor (dates overridable with `api_lifecycle(env)`).
DEFAULT_API_LIFECYCLE = {
    "v1": {
        "deprecation": datetime(2026, 12, 1, tzinfo=timezone.utc),
        "sunset": datetime(2027, 12, 1, tzinfo=timezone.utc),
        "successor": "v2",
    },
}


def api_lifecycle(env: environ.Env) -> dict:
    """`API_V1_DEPRECATED_AT` and `API_V1_SUNSET_AT` (ISO 8601) move v1's dates without a release."""
    v1 = DEFAULT_API_LIFECYCLE["v1"]
    return {"v1": {
        "deprecation": _aware(env.str("API_V1_DEPRECATED_AT", default="") or v1["deprecation"].isoformat()),
        "sunset": _aware(env.str("API_V1_SUNSET_AT", default="") or v1["sunset"].isoformat()),
        "successor": "v2",
    }}


def _aware(value: str) -> datetime:
    moment = datetime.fromisoformat(value)
    return moment if moment.tzinfo else moment.replace(tzinfo=timezone.utc)


def throttling(env: environ.Env, *, scopes: dict[str, str] | None = None) -> dict:
    """DRF throttle settings counting in Redis (fleet_common.throttling); rates from the environment.

    `THROTTLE_RATE_ANON`, `THROTTLE_RATE_USER` and `THROTTLE_RATE_<SCOPE>` (scope upper-cased,
    dashes as underscores) take DRF's rate syntax: `100/min`, `10/s`, `1000/hour`, `5000/day`.
    """
    rates = {
        "anon": env.str("THROTTLE_RATE_ANON", default="60/min"),
        "user": env.str("THROTTLE_RATE_USER", default="600/min"),
    }
    for scope, default in (scopes or {}).items():
        rates[scope] = env.str(f"THROTTLE_RATE_{scope.upper().replace('-', '_')}", default=default)
    return {
        "DEFAULT_THROTTLE_CLASSES": [
            "fleet_common.throttling.AnonRateThrottle",
            "fleet_common.throttling.UserRateThrottle",
            "fleet_common.throttling.ScopedRateThrottle",
            "fleet_common.throttling.WriteScopedRateThrottle",
        ],
        "DEFAULT_THROTTLE_RATES": rates,
    }


MIDDLEWARE = [
    # First: counts and times every request per view, everything below included.
    "fleet_common.metrics.RequestMetricsMiddleware",
    "fleet_common.request_id.RequestIdMiddleware",
    # Above CommonMiddleware, which sets the GET's Content-Length that a HEAD keeps.
    "fleet_common.head.HeadWithoutBodyMiddleware",
    "fleet_common.logging.AccessLogMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "django.middleware.common.CommonMiddleware",
    "fleet_common.lifecycle.DeprecationHeadersMiddleware",
    "fleet_common.querystring.StrictQueryStringMiddleware",
    "fleet_common.throttling.RateLimitHeadersMiddleware",
    "fleet_common.caching.CacheControlMiddleware",
    # Inert for the API (DRF views are csrf_exempt; bearer tokens are not sent by browsers on
    # their own); it protects any cookie-authenticated view added later, such as Django admin.
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]


def behind_the_gateway(env: environ.Env) -> dict:
    """Security settings of a service that clients reach only through the gateway; `check --deploy` clean.

    Each service applies them with `globals().update(fleet.behind_the_gateway(env))`.
    """
    secure_cookies = env.bool("DJANGO_SECURE_COOKIES", default=not is_dev(env))
    return {
        # The gateway replaces any client copy of X-Forwarded-Proto with its own scheme, so `https`
        # here means the client really used TLS: request.is_secure() and built links follow it.
        "SECURE_PROXY_SSL_HEADER": ("HTTP_X_FORWARDED_PROTO", "https"),
        # Redirecting to https is the gateway's job (it redirects when it terminates TLS). Here it
        # would break what reaches a service directly over plain HTTP inside the network: health
        # probes, Prometheus, other services. Hence security.W008 is silenced below.
        "SECURE_SSL_REDIRECT": env.bool("DJANGO_SECURE_SSL_REDIRECT", default=False),
        "SECURE_CONTENT_TYPE_NOSNIFF": True,
        "X_FRAME_OPTIONS": "DENY",
        # No session or CSRF cookie is set today (no admin, no sessions); if one ever is, never over HTTP.
        "SESSION_COOKIE_SECURE": secure_cookies,
        "CSRF_COOKIE_SECURE": secure_cookies,
        "SILENCED_SYSTEM_CHECKS": [
            "security.W004",  # HSTS: the gateway sends it, on TLS responses only (it knows when TLS is on)
            "security.W008",  # SECURE_SSL_REDIRECT: the gateway's job, see above
        ],
    }
