"""What the security suite's tests share: the fleet's configuration, users that record their credentials, and
direct access to the services and their databases (as an operator, never as a client)."""

from __future__ import annotations

import subprocess
import time
import uuid
from pathlib import Path

import psycopg
import requests

from devfleet import test_config
from devfleet.config import TEST_AUTH_RATES
from fleet_testing import free_port

ROOT = Path(__file__).resolve().parents[2]
PYTHON = ROOT / ".venv" / "bin" / "python"

#: Raised far above anything the suite sends: fuzzing must measure the API, not the throttles.
RAISED_RATES = {
    "THROTTLE_RATE_ANON": "100000/min",
    "THROTTLE_RATE_USER": "100000/min",
    "THROTTLE_RATE_CUSTOMERS_WRITE": "100000/min",
}


def security_config(state_dir: Path):
    """The test fleet (two customers instances) with raised rate limits at the services and the gateway."""
    config = test_config(ROOT, state_dir)
    # Access tokens outlive the run (shipped: 5 minutes), so a fuzzing identity never expires half-way.
    # Fuzzing fails logins by the thousand: the per-username limit (tested in auth's suite) is raised too.
    config.service_env = {"auth": {**TEST_AUTH_RATES, **RAISED_RATES, "AUTH_ACCESS_TOKEN_LIFETIME_SECONDS": "3600",
                                   "AUTH_LOGIN_FAILURE_LIMIT": "1000000"},
                          "customers": dict(RAISED_RATES)}
    config.gateway_auth_rate = "100000r/s"
    config.gateway_auth_burst = 100000
    return config


class Issued:
    """Every token, password and client secret this run hands out or uses; none may reach a log."""

    def __init__(self):
        self.values: dict[str, str] = {}

    def add(self, kind: str, value: str | None) -> str | None:
        if value:
            self.values[value] = kind
        return value

    def add_tokens(self, body: dict) -> dict:
        for name in ("access", "refresh", "access_token"):
            self.add(name, body.get(name))
        return body


def manage(fleet, service: str, *args: str) -> str:
    """`manage.py ARGS` of a service against the fleet's database, as an operator would run it."""
    result = subprocess.run([str(PYTHON), "manage.py", *args], cwd=ROOT / "services" / service,
                            env=fleet.env_for(service), check=True, capture_output=True, text=True)
    return result.stdout


class User:
    """A registered, logged-in user of the gateway; every credential it holds is recorded in `issued`."""

    def __init__(self, gateway: str, issued: Issued, *, prefix: str = "sec"):
        self.gateway, self.issued = gateway, issued
        self.username = f"{prefix}-{uuid.uuid4().hex[:12]}"
        self.password = issued.add("password", f"pw-{uuid.uuid4().hex}")
        response = requests.post(f"{gateway}/v2/auth/users/", json={"username": self.username, "password": self.password},
                                 timeout=10)
        assert response.status_code == 201, response.text
        self.id = response.json()["id"]
        self.tokens = self.login()

    def login(self) -> dict:
        response = requests.post(f"{self.gateway}/v2/auth/token/", timeout=10,
                                 json={"username": self.username, "password": self.password})
        assert response.status_code == 200, response.text
        return self.issued.add_tokens(response.json())

    @property
    def access(self) -> str:
        return self.tokens["access"]

    @property
    def headers(self) -> dict:
        return {"Authorization": f"Bearer {self.access}"}

    def request(self, method: str, path: str, *, base: str | None = None, **kwargs) -> requests.Response:
        headers = {**self.headers, **(kwargs.pop("headers", None) or {})}
        return requests.request(method, f"{base or self.gateway}{path}", headers=headers, timeout=30, **kwargs)

    def create_customer(self, version: str = "v2", **fields) -> dict:
        body = {"name": "Ada Lovelace", "email": f"{uuid.uuid4().hex[:10]}@example.com", **fields}
        response = self.request("POST", f"/{version}/customers/", json=body)
        assert response.status_code == 201, response.text
        return response.json()


def make_staff(fleet, user: User) -> User:
    """What an auth administrator does; the next login's token carries customers:admin."""
    code = ("from accounts.models import User; "
            f"u = User.objects.get(username={user.username!r}); u.is_staff = True; u.save()")
    manage(fleet, "auth", "shell", "-c", code)
    user.tokens = user.login()
    return user


def direct(fleet, service: str) -> str:
    """A service's first instance on its own port (the internal network), not through the gateway."""
    return f"http://127.0.0.1:{fleet.config.service_port(service)}"


def database(fleet, service: str) -> psycopg.Connection:
    """The service's own database, with its own role (read-only use in these tests)."""
    url = fleet.env_for(service)["DATABASE_URL"].replace("postgres://", "postgresql://", 1)
    return psycopg.connect(url, connect_timeout=5)


def interleaved_medians(first, second, times: int) -> tuple[float, float]:
    """Median seconds of each call over `times` tries, taken in turns, so a load spike on a shared machine
    slows both alike instead of one of them."""
    durations: tuple[list, list] = ([], [])
    for _ in range(times):
        for call, measured in ((first, durations[0]), (second, durations[1])):
            started = time.perf_counter()
            call()
            measured.append(time.perf_counter() - started)
    return tuple(sorted(measured)[len(measured) // 2] for measured in durations)


def token_signer(fleet, sample_token: str):
    """Sign tokens with auth's current private key (read from its key directory, as only a test may): a
    validly signed token carrying whatever claims and headers a test needs. `sign(headers=..., **claims)`."""
    import jwt
    from cryptography.hazmat.primitives import serialization

    header = jwt.get_unverified_header(sample_token)
    claims = jwt.decode(sample_token, options={"verify_signature": False})
    for pem in (fleet.config.state_dir / "auth" / "keys").glob("*.pem"):
        key = serialization.load_pem_private_key(pem.read_bytes(), password=None)
        try:
            jwt.decode(sample_token, key.public_key(), algorithms=[header["alg"]], options={"verify_aud": False})
        except jwt.InvalidSignatureError:
            continue

        def sign(headers: dict | None = None, **overrides) -> str:
            payload = {key_: value for key_, value in {**claims, "jti": uuid.uuid4().hex, **overrides}.items()
                       if value is not DROP}
            return jwt.encode(payload, key, algorithm=header["alg"], headers={"kid": header["kid"], **(headers or {})})

        def raw(headers: dict, **overrides) -> str:
            """Signed without PyJWT's checks of the header, for headers it refuses to write (a numeric kid)."""
            import base64
            import json

            def b64(data: dict) -> str:
                return base64.urlsafe_b64encode(json.dumps(data).encode()).rstrip(b"=").decode()

            signing_input = f"{b64({'alg': header['alg'], 'kid': header['kid'], **headers})}." \
                            f"{b64({**claims, 'jti': uuid.uuid4().hex, **overrides})}"
            algorithm = jwt.get_algorithm_by_name(header["alg"])
            signature = base64.urlsafe_b64encode(algorithm.sign(signing_input.encode(), key)).rstrip(b"=").decode()
            return f"{signing_input}.{signature}"

        sign.claims, sign.kid, sign.key, sign.alg, sign.raw = claims, header["kid"], key, header["alg"], raw
        return sign
    raise AssertionError("no key in auth's directory signed the sample token")


#: A claim value meaning "leave this claim out" (token_signer).
DROP = object()
