"""Signing keys from a directory every auth replica sees, re-read while running: rotation needs no restart.

Each key is one PEM file named by its creation time (`20261127T085500Z.pem`). From the names alone:
the newest key older than the publish delay signs (verifiers have had time to fetch it); a key stays
in the JWKS until its successor has signed for longer than the longest token lifetime.
"""

import base64
import hashlib
import json
import os
import threading
import time
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

import jwt
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

from .lifetimes import longest_token_lifetime

NAME_FORMAT = "%Y%m%dT%H%M%SZ"
RELOAD_INTERVAL_SECONDS = 5
THUMBPRINT_MEMBERS = {"RSA": ("e", "kty", "n"), "EC": ("crv", "kty", "x", "y")}


@dataclass(frozen=True)
class SigningKey:
    kid: str
    algorithm: str
    created_at: datetime
    private_key: object  # parsed once: PyJWT re-parsing a PEM costs ~56 ms per call
    public_jwk: dict
    verifying_key: jwt.PyJWK

    @property
    def file_name(self) -> str:
        return f"{self.created_at.strftime(NAME_FORMAT)}.pem"


def thumbprint(jwk: dict) -> str:
    """RFC 7638 JWK thumbprint: SHA-256 over the required members, sorted, no whitespace."""
    members = {name: jwk[name] for name in THUMBPRINT_MEMBERS[jwk["kty"]]}
    digest = hashlib.sha256(json.dumps(members, separators=(",", ":"), sort_keys=True).encode()).digest()
    return base64.urlsafe_b64encode(digest).rstrip(b"=").decode()


def load_key(path: Path) -> SigningKey:
    private_key = serialization.load_pem_private_key(path.read_bytes(), password=None)
    if isinstance(private_key, rsa.RSAPrivateKey):
        algorithm, jwk = "RS256", json.loads(jwt.algorithms.RSAAlgorithm.to_jwk(private_key.public_key()))
    elif isinstance(private_key, ec.EllipticCurvePrivateKey) and private_key.curve.name == "secp256r1":
        algorithm, jwk = "ES256", json.loads(jwt.algorithms.ECAlgorithm.to_jwk(private_key.public_key()))
    else:
        raise ImproperlyConfigured(f"{path.name}: only RSA and P-256 keys are supported")
    kid = thumbprint(jwk)
    jwk.pop("key_ops", None)  # PyJWT adds ["verify"]; RFC 7517 §4.3: not beside `use`
    jwk.update(kid=kid, alg=algorithm, use="sig")
    created_at = datetime.strptime(path.stem, NAME_FORMAT).replace(tzinfo=UTC)
    return SigningKey(kid, algorithm, created_at, private_key, jwk, jwt.PyJWK(jwk))


def generate_key_file(directory: Path, algorithm: str, now: datetime | None = None) -> Path:
    """Write a new private key, readable by its owner only; it starts signing after the publish delay."""
    if algorithm == "RS256":
        private_key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    elif algorithm == "ES256":
        private_key = ec.generate_private_key(ec.SECP256R1())
    else:
        raise ValueError(f"unsupported algorithm {algorithm}")
    pem = private_key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                    serialization.NoEncryption())
    directory.mkdir(parents=True, exist_ok=True)
    path = directory / f"{(now or datetime.now(UTC)).strftime(NAME_FORMAT)}.pem"
    if path.exists():
        raise FileExistsError(f"{path} exists; wait a second and rotate again")
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "wb") as handle:
        handle.write(pem)
    return path


class Keyring:
    """The keys of one directory, parsed once per file and re-read when the directory changes."""

    def __init__(self, directory: Path, *, publish_delay: timedelta, max_token_lifetime: timedelta):
        self.directory = Path(directory)
        self.publish_delay = publish_delay
        self.max_token_lifetime = max_token_lifetime
        self._keys: dict[str, SigningKey] = {}  # by file name
        self._checked_at = float("-inf")
        self._lock = threading.Lock()

    def keys(self) -> list[SigningKey]:
        """All keys, oldest first, re-reading the directory at most every few seconds."""
        if time.monotonic() - self._checked_at > RELOAD_INTERVAL_SECONDS:
            self.reload()
        return sorted(self._keys.values(), key=lambda key: key.created_at)

    def reload(self) -> None:
        with self._lock:
            self._read_directory()

    def _read_directory(self) -> None:
        names = {path.name for path in self.directory.glob("*.pem")} if self.directory.is_dir() else set()
        keys = {name: self._keys.get(name) or load_key(self.directory / name) for name in names}
        self._keys, self._checked_at = keys, time.monotonic()

    def signing_key(self, now: datetime | None = None) -> SigningKey:
        keys = self.keys()
        if not keys:
            raise ImproperlyConfigured(f"no signing key in {self.directory}")
        now = now or datetime.now(UTC)
        ready = [key for key in keys if key.created_at + self.publish_delay <= now]
        return ready[-1] if ready else keys[0]

    def published_keys(self, now: datetime | None = None) -> list[SigningKey]:
        """The signing key, keys waiting to sign, and retired keys that unexpired tokens may carry."""
        now = now or datetime.now(UTC)
        keys, current = self.keys(), self.signing_key(now)
        return [key for key in keys if key.created_at >= current.created_at
                or self._successor_started(keys, key) + self.max_token_lifetime > now]

    def retired_keys(self, now: datetime | None = None) -> list[SigningKey]:
        published = {key.kid for key in self.published_keys(now)}
        return [key for key in self.keys() if key.kid not in published]

    def _successor_started(self, keys: list[SigningKey], key: SigningKey) -> datetime:
        successor = keys[keys.index(key) + 1]
        return successor.created_at + self.publish_delay

    def jwks(self) -> dict:
        return {"keys": [key.public_jwk for key in self.published_keys()]}

    def published_algorithms(self) -> list[str]:
        return sorted({key.algorithm for key in self.published_keys()})

    def require_signing_key(self) -> None:
        self.signing_key()

    # KeySource protocol (fleet_common.tokens): auth verifies its own tokens without HTTP.
    def key_for(self, kid: str) -> jwt.PyJWK | None:
        for key in self.published_keys():
            if key.kid == kid:
                return key.verifying_key
        return None

    def has_keys(self) -> bool:
        return bool(self.keys())


_keyring: Keyring | None = None


def get_keyring() -> Keyring:
    """The process's keyring, built from settings on first use."""
    global _keyring
    if _keyring is None:
        _keyring = Keyring(
            Path(settings.AUTH_SIGNING_KEYS_DIR),
            publish_delay=settings.AUTH_KEY_PUBLISH_DELAY,
            max_token_lifetime=longest_token_lifetime(),
        )
    return _keyring
