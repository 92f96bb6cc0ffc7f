"""Verify access tokens against a key source: signature, `kid`, `iss`, `aud`, `exp`, type and claim shapes."""

import threading
import time
from typing import Protocol

import jwt

from .text import is_storable_text

ALLOWED_ALGORITHMS = ("RS256", "ES256")
MAX_TOKEN_BYTES = 8192
MAX_CLAIM_LENGTH = 1024
#: A user's UUID or `client:<client id>`; services store it (customers' `owner` column holds 255 characters).
MAX_SUBJECT_LENGTH = 255
STRING_CLAIMS = ("sub", "jti", "scope", "username", "token_type")
#: Verified tokens remembered per process: a client sends the same access token until it expires.
VERIFIED_CACHE_SIZE = 1024


class InvalidToken(Exception):
    """The token must not be trusted: answer 401."""


class KeysUnavailable(Exception):
    """No verifying key is known at all: answer 503, not 401."""


class KeySource(Protocol):
    def key_for(self, kid: str) -> jwt.PyJWK | None: ...

    def has_keys(self) -> bool: ...


class TokenVerifier:
    """Check a token the way every service of the fleet must; the key comes only from `kid`."""

    def __init__(self, keys: KeySource, *, issuer: str, audience: str, leeway: int = 30,
                 token_type: str = "access", cache_size: int = VERIFIED_CACHE_SIZE):
        if leeway > 30:
            raise ValueError("leeway is at most 30 seconds")
        self.keys, self.issuer, self.audience = keys, issuer, audience
        self.leeway, self.token_type = leeway, token_type
        self.cache_size = cache_size
        self._verified: dict[str, tuple[dict, str, jwt.PyJWK]] = {}  # whole token -> claims, kid, key
        self._lock = threading.Lock()

    def verify(self, raw: str) -> dict:
        """The token's claims if it is valid now; a token verified before is only re-checked for expiry
        and for its key still being published (the signature and claims cannot have changed)."""
        remembered = self._verified.get(raw)
        if remembered is not None:
            claims, kid, key = remembered
            if time.time() < claims["exp"] + self.leeway and self.keys.key_for(kid) is key:
                return dict(claims)
            with self._lock:
                self._verified.pop(raw, None)
        claims, kid, key = self._verify_fully(raw)
        with self._lock:
            if len(self._verified) >= self.cache_size:
                self._verified.pop(next(iter(self._verified)))  # the oldest entry
            self._verified[raw] = claims, kid, key
        return dict(claims)

    def _verify_fully(self, raw: str) -> tuple[dict, str, jwt.PyJWK]:
        if len(raw) > MAX_TOKEN_BYTES:
            raise InvalidToken("token too large")
        try:
            header = jwt.get_unverified_header(raw)
        except jwt.PyJWTError as error:
            raise InvalidToken("malformed token") from error
        algorithm, kid = header.get("alg"), header.get("kid")
        if algorithm not in ALLOWED_ALGORITHMS or not isinstance(kid, str):
            raise InvalidToken("unacceptable header")
        if not self.keys.has_keys():
            raise KeysUnavailable()
        key = self.keys.key_for(kid)
        if key is None or key.algorithm_name != algorithm:
            raise InvalidToken("unknown key")
        try:
            claims = jwt.decode(
                raw, key.key, algorithms=[algorithm], audience=self.audience, issuer=self.issuer,
                leeway=self.leeway,
                options={"require": ["exp", "iat", "iss", "aud", "sub", "jti", "token_type"]},
            )
        except (jwt.PyJWTError, ValueError, TypeError) as error:
            raise InvalidToken(type(error).__name__) from error
        self._check_claim_shapes(claims)
        if claims["token_type"] != self.token_type:
            raise InvalidToken("wrong token type")
        return claims, kid, key

    @staticmethod
    def _check_claim_shapes(claims: dict) -> None:
        """Validly signed is not well formed: a claim a service stores or queries by (sub) must be text a database
        can hold, so a NUL, a lone surrogate or an overlong subject is a 401 here, not a 500 further in."""
        for name in STRING_CLAIMS:
            value = claims.get(name, "")
            if not isinstance(value, str) or len(value) > MAX_CLAIM_LENGTH or not is_storable_text(value):
                raise InvalidToken(f"bad claim {name}")
        if not 1 <= len(claims["sub"]) <= MAX_SUBJECT_LENGTH:
            raise InvalidToken("bad claim sub")
