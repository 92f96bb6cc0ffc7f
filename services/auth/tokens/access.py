"""simplejwt's AccessToken, signed with the keyring's current key and a `kid` header (simplejwt #531)."""

from datetime import timedelta

import jwt
from django.conf import settings
from rest_framework_simplejwt.backends import TokenBackend
from rest_framework_simplejwt.tokens import AccessToken

from .keyring import get_keyring


class KeyringTokenBackend(TokenBackend):
    """Sign with the keyring's current key object (parsed once), naming it in the `kid` header."""

    def encode(self, payload: dict) -> str:
        key = get_keyring().signing_key()
        claims = {"aud": self.audience, **payload, "iss": self.issuer}
        return jwt.encode(claims, key.private_key, algorithm=key.algorithm, headers={"kid": key.kid})


_backend: KeyringTokenBackend | None = None


def token_backend() -> KeyringTokenBackend:
    global _backend
    if _backend is None:
        jwt_settings = settings.SIMPLE_JWT
        _backend = KeyringTokenBackend(
            jwt_settings["ALGORITHM"], audience=jwt_settings["AUDIENCE"], issuer=jwt_settings["ISSUER"],
            leeway=jwt_settings["LEEWAY"],
        )
    return _backend


class FleetAccessToken(AccessToken):
    """An access token whose claims and signature follow DESIGN.md's contract."""

    def get_token_backend(self) -> TokenBackend:
        return token_backend()

    @classmethod
    def for_subject(cls, *, sub: str, username: str, scopes: list[str], audience: list[str] | None = None,
                    lifetime: timedelta | None = None) -> "FleetAccessToken":
        """A token for a user (default audience and lifetime) or a service client (its own)."""
        token = cls()
        if lifetime is not None:
            token.set_exp(from_time=token.current_time, lifetime=lifetime)
        if audience is not None:
            token["aud"] = audience
        token["sub"] = sub
        token["username"] = username
        token["scope"] = " ".join(scopes)
        return token
