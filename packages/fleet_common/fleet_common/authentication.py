"""DRF authentication by bearer token, verified locally: no call to auth per request."""

from dataclasses import dataclass, field
from functools import lru_cache

from django.conf import settings
from django.utils.module_loading import import_string
from rest_framework import authentication, exceptions

from .exceptions import ServiceUnavailable
from .jwks import JWKSClient
from .tokens import InvalidToken, KeysUnavailable, TokenVerifier


@dataclass(frozen=True)
class TokenPrincipal:
    """The caller as the token describes it; services without a user table authorize on this."""

    sub: str
    username: str = ""
    scopes: frozenset[str] = field(default_factory=frozenset)
    is_authenticated = True
    is_anonymous = False
    is_active = True

    @property
    def pk(self) -> str:
        return self.sub

    def has_scope(self, scope: str) -> bool:
        return scope in self.scopes


def jwks_key_source():
    """Default key source: auth's JWKS over the internal network, cached and persisted."""
    config = settings.FLEET_JWT
    return JWKSClient(
        config["JWKS_URL"],
        cache_path=config.get("JWKS_CACHE_PATH"),
        refresh_interval=config.get("JWKS_REFRESH_INTERVAL", 300),
        min_refetch_interval=config.get("JWKS_MIN_REFETCH_INTERVAL", 30),
    )


@lru_cache(maxsize=1)
def get_verifier() -> TokenVerifier:
    """One verifier per process, so keys are parsed and cached once."""
    config = settings.FLEET_JWT
    key_source = import_string(config.get("KEY_SOURCE", "fleet_common.authentication.jwks_key_source"))()
    return TokenVerifier(key_source, issuer=config["ISSUER"], audience=config["AUDIENCE"],
                         leeway=config.get("LEEWAY", 30))


class BearerTokenAuthentication(authentication.BaseAuthentication):
    """`Authorization: Bearer <jwt>` only; any other scheme is simply not ours (no Basic auth)."""

    def authenticate(self, request):
        parts = authentication.get_authorization_header(request).split()
        if not parts or parts[0].lower() != b"bearer":
            return None
        if len(parts) != 2:
            raise exceptions.AuthenticationFailed("Invalid Authorization header.", code="invalid_token")
        try:
            claims = get_verifier().verify(parts[1].decode("ascii"))
        except UnicodeDecodeError as error:
            raise exceptions.AuthenticationFailed("Invalid token.", code="invalid_token") from error
        except KeysUnavailable as error:
            raise ServiceUnavailable("Token keys are unavailable; try again shortly.") from error
        except InvalidToken as error:
            raise exceptions.AuthenticationFailed("Invalid or expired token.", code="invalid_token") from error
        return self.principal_for(claims), claims

    def principal_for(self, claims: dict):
        return TokenPrincipal(sub=claims["sub"], username=claims.get("username", ""),
                              scopes=frozenset(claims.get("scope", "").split()))

    def authenticate_header(self, request):
        """RFC 6750 §3.1: `error="invalid_token"` where a bearer token was sent; none where no token was."""
        scheme = authentication.get_authorization_header(request).split()[:1]
        if scheme and scheme[0].lower() == b"bearer":
            return 'Bearer realm="api", error="invalid_token"'
        return 'Bearer realm="api"'
