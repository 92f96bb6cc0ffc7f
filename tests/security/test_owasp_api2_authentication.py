"""OWASP API2:2023 Broken Authentication: no user enumeration by status, body or timing; no Basic and no token in a
URL; refresh-token reuse and password changes end sessions; credential floods are shed at the edge."""

import base64
import concurrent.futures
import time
import uuid

import pytest
import requests

from helpers import interleaved_medians

TRIES = 20
#: Generous on purpose (a shared 2-core machine): what matters is that neither takes a hash the other skips.
TIMING_RATIO = (0.5, 2.0)


def without_request_details(response) -> tuple:
    body = response.json()
    if isinstance(body, dict):
        body = {key: value for key, value in body.items() if key not in ("request_id", "instance")}
    return response.status_code, body


@pytest.mark.parametrize("version", ["v1", "v2"])
def test_login_answers_the_same_for_an_unknown_user_and_a_wrong_password(gateway, alice, version):
    wrong = requests.post(f"{gateway}/{version}/auth/token/", json={"username": alice.username, "password": "x" * 12})
    unknown = requests.post(f"{gateway}/{version}/auth/token/",
                            json={"username": f"nobody-{uuid.uuid4().hex[:8]}", "password": "x" * 12})
    assert wrong.status_code == 401
    assert without_request_details(wrong) == without_request_details(unknown)
    assert wrong.headers["WWW-Authenticate"] == unknown.headers["WWW-Authenticate"]


def test_login_takes_as_long_for_an_unknown_user_as_for_a_wrong_password(gateway, alice, record):
    """Django's ModelBackend hashes the password for an unknown user too (Argon2 either way)."""
    def attempt(username):
        return lambda: requests.post(f"{gateway}/v2/auth/token/", json={"username": username, "password": "y" * 12})

    unknown_name = f"nobody-{uuid.uuid4().hex[:8]}"
    attempt(alice.username)()  # warm up both paths
    attempt(unknown_name)()
    existing, unknown = interleaved_medians(attempt(alice.username), attempt(unknown_name), TRIES)
    ratio = unknown / existing
    record(median_ms_existing=round(existing * 1000, 1), median_ms_unknown=round(unknown * 1000, 1),
           ratio=round(ratio, 2), tries=TRIES)
    print(f"\nlogin medians over {TRIES}: wrong password {existing * 1000:.1f} ms, unknown user {unknown * 1000:.1f} ms")
    assert TIMING_RATIO[0] <= ratio <= TIMING_RATIO[1]


@pytest.mark.parametrize("password", ["123", "password", "qwerty12", "00000000000"])
def test_an_invalid_registration_answers_the_same_for_an_existing_and_an_unknown_username(gateway, alice, password):
    """Only a registration that would otherwise succeed learns that a username is taken (docs/security.md)."""
    existing = requests.post(f"{gateway}/v2/auth/users/", json={"username": alice.username, "password": password})
    unknown = requests.post(f"{gateway}/v2/auth/users/",
                            json={"username": f"nobody-{uuid.uuid4().hex[:8]}", "password": password})
    assert existing.status_code == unknown.status_code == 400
    assert existing.json()["errors"].keys() == {"password"}
    assert without_request_details(existing) == without_request_details(unknown)


def test_an_invalid_registration_takes_as_long_for_an_existing_username(gateway, alice, record):
    def attempt(username):
        return lambda: requests.post(f"{gateway}/v2/auth/users/", json={"username": username, "password": "123"})

    existing, unknown = interleaved_medians(attempt(alice.username), attempt(f"nobody-{uuid.uuid4().hex[:8]}"), TRIES)
    record(median_ms_existing=round(existing * 1000, 1), median_ms_unknown=round(unknown * 1000, 1))
    assert TIMING_RATIO[0] <= unknown / existing <= TIMING_RATIO[1]


def test_no_basic_authentication_for_users(gateway, alice):
    basic = "Basic " + base64.b64encode(f"{alice.username}:{alice.password}".encode()).decode()
    for path in ("/v2/auth/me/", "/v2/customers/", "/v1/auth/users/"):
        response = requests.get(f"{gateway}{path}", headers={"Authorization": basic})
        assert response.status_code == 401, path
        assert response.headers["WWW-Authenticate"].startswith("Bearer")


def test_an_access_token_in_the_url_or_a_cookie_is_not_accepted(gateway, alice):
    for kwargs in ({"params": {"access_token": alice.access}}, {"params": {"token": alice.access}},
                   {"cookies": {"access_token": alice.access, "sessionid": alice.access}}):
        assert requests.get(f"{gateway}/v2/customers/", **kwargs).status_code == 401, kwargs
        assert requests.get(f"{gateway}/v2/auth/me/", **kwargs).status_code == 401, kwargs


def test_reusing_a_spent_refresh_token_ends_the_whole_session(gateway, new_user, issued):
    user = new_user()
    first = user.tokens["refresh"]
    second = issued.add_tokens(requests.post(f"{gateway}/v2/auth/token/refresh/", json={"refresh": first}).json())
    assert requests.post(f"{gateway}/v2/auth/token/refresh/", json={"refresh": first}).status_code == 401
    assert requests.post(f"{gateway}/v2/auth/token/refresh/", json={"refresh": second["refresh"]}).status_code == 401


def test_changing_the_password_ends_every_other_session(gateway, new_user, issued):
    user = new_user()
    other_session = user.login()
    new_password = issued.add("password", f"pw-{uuid.uuid4().hex}")
    changed = user.request("POST", "/v2/auth/me/password/",
                           json={"current_password": user.password, "new_password": new_password})
    assert changed.status_code == 204
    for refresh in (user.tokens["refresh"], other_session["refresh"]):
        assert requests.post(f"{gateway}/v2/auth/token/refresh/", json={"refresh": refresh}).status_code == 401
    assert requests.post(f"{gateway}/v2/auth/token/",
                         json={"username": user.username, "password": user.password}).status_code == 401


def test_token_responses_are_never_cached(gateway, new_user):
    user = new_user()
    response = requests.post(f"{gateway}/v2/auth/token/", json={"username": user.username, "password": user.password})
    user.issued.add_tokens(response.json())
    assert response.headers["Cache-Control"] == "no-store"


@pytest.mark.parametrize("password", ["123", "password", "12345678901", "short"])
def test_weak_passwords_are_refused(gateway, password):
    response = requests.post(f"{gateway}/v2/auth/users/",
                             json={"username": f"weak-{uuid.uuid4().hex[:8]}", "password": password})
    assert response.status_code == 400 and "password" in response.json()["errors"]


def test_a_credential_flood_from_one_address_is_shed_by_the_gateway(production_limits, alice, record):
    """The shipped edge limit (10/s, burst 20, per address) answers 429 before auth spends a hash."""
    def attempt(_):
        return requests.post(f"{production_limits}/v2/auth/token/",
                             json={"username": alice.username, "password": "wrong-password"}, timeout=30)

    started = time.monotonic()
    with concurrent.futures.ThreadPoolExecutor(max_workers=40) as pool:
        responses = list(pool.map(attempt, range(60)))
    counts = {status: sum(r.status_code == status for r in responses) for status in {r.status_code for r in responses}}
    record(sent=len(responses), seconds=round(time.monotonic() - started, 1),
           **{f"status_{status}": count for status, count in sorted(counts.items())})
    assert set(counts) <= {401, 429, 503}, counts
    assert counts.get(429, 0) >= 60 - 20 - 10, counts  # at most the burst and ~one second's rate get through
    limited = next(r for r in responses if r.status_code == 429)
    assert limited.headers["Content-Type"] == "application/problem+json" and int(limited.headers["Retry-After"]) >= 1
