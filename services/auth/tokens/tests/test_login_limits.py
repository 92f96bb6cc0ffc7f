"""Brute force is refused before any hashing: per client address, and per username after failures; callers
without a valid token are limited too."""

import random
import time

import pytest
from django.contrib.auth.signals import user_login_failed
from django.test import RequestFactory

from tokens.login_guard import count_attempt, forgive_attempt

pytestmark = pytest.mark.django_db
URL = "/v1/auth/token/"
RIGHT = {"username": "alice", "password": "correct horse battery"}
WRONG = {"username": "alice", "password": "wrong"}


@pytest.fixture
def rates(settings):
    def _rates(**scopes):
        framework = settings.REST_FRAMEWORK
        settings.REST_FRAMEWORK = {**framework, "DEFAULT_THROTTLE_RATES": {**framework["DEFAULT_THROTTLE_RATES"],
                                                                           **scopes}}
    return _rates


@pytest.fixture
def hashed_attempts():
    """Counts the attempts that reached the password check."""
    seen = []

    def receiver(**kwargs):
        seen.append(kwargs["credentials"]["username"])
    user_login_failed.connect(receiver)
    yield seen
    user_login_failed.disconnect(receiver)


def test_every_attempt_counts_per_client_address_before_hashing(api, user, rates, hashed_attempts):
    rates(login="3/min")
    statuses = [api.post(URL, WRONG, format="json").status_code for _ in range(3)]
    blocked = api.post(URL, RIGHT, format="json")
    assert statuses == [401, 401, 401]
    assert blocked.status_code == 429 and int(blocked["Retry-After"]) > 0
    assert len(hashed_attempts) == 3  # the fourth never reached the hasher


def test_another_address_is_not_limited_by_the_first(api, user, rates):
    rates(login="1/min")
    api.post(URL, WRONG, format="json", REMOTE_ADDR="10.0.0.1")
    assert api.post(URL, WRONG, format="json", REMOTE_ADDR="10.0.0.1").status_code == 429
    assert api.post(URL, RIGHT, format="json", REMOTE_ADDR="10.0.0.2").status_code == 200


def test_failures_per_username_block_even_the_right_password_until_the_window_ends(api, user, settings,
                                                                                  hashed_attempts):
    settings.AUTH_LOGIN_FAILURE_LIMIT, settings.AUTH_LOGIN_FAILURE_WINDOW = 3, 2
    for address in ("10.0.0.1", "10.0.0.2", "10.0.0.3"):  # a distributed guesser
        assert api.post(URL, WRONG, format="json", REMOTE_ADDR=address).status_code == 401
    blocked = api.post(URL, RIGHT, format="json", REMOTE_ADDR="10.0.0.9")
    assert blocked.status_code == 429 and "Retry-After" in blocked
    # The headers describe the username's limit, which refused it, not the address's, which had room.
    assert (blocked["X-RateLimit-Limit"], blocked["X-RateLimit-Remaining"]) == ("3", "0")
    assert blocked["X-RateLimit-Reset"] == blocked["Retry-After"]
    assert len(hashed_attempts) == 3
    time.sleep(2.1)  # the window ends: the real user is never locked out for good
    assert api.post(URL, RIGHT, format="json", REMOTE_ADDR="10.0.0.9").status_code == 200


def test_attempts_still_being_checked_count_so_guesses_sent_at_once_stop_at_the_limit(api, user, settings,
                                                                                     hashed_attempts):
    """Each attempt is counted before its hash: a burst cannot all pass a check made before any had failed."""
    settings.AUTH_LOGIN_FAILURE_LIMIT = 3
    in_flight = RequestFactory().post(URL)
    for _ in range(3):  # three guesses being hashed right now
        count_attempt(in_flight, "alice")
    assert api.post(URL, RIGHT, format="json").status_code == 429
    assert hashed_attempts == []
    forgive_attempt("alice")  # one of them was the right password after all: it is no failure
    assert api.post(URL, RIGHT, format="json").status_code == 200  # counted, then forgiven in turn
    assert api.post(URL, RIGHT, format="json").status_code == 200


def test_other_usernames_are_not_blocked(api, user, django_user_model, settings):
    settings.AUTH_LOGIN_FAILURE_LIMIT = 2
    django_user_model.objects.create_user(username="bob", password="another good pass phrase")
    for _ in range(2):
        api.post(URL, WRONG, format="json")
    assert api.post(URL, {"username": "bob", "password": "another good pass phrase"}, format="json").status_code == 200


def test_with_redis_down_login_works_and_stays_limited_per_process(api, user, settings):
    from fleet_common import throttling

    settings.REDIS_URL = "redis://127.0.0.1:9/0"  # nothing listens there
    settings.AUTH_LOGIN_FAILURE_LIMIT = 2
    throttling.get_counter.cache_clear()
    try:
        assert api.post(URL, RIGHT, format="json").status_code == 200
        assert [api.post(URL, WRONG, format="json").status_code for _ in range(2)] == [401, 401]
        assert api.post(URL, RIGHT, format="json").status_code == 429
    finally:
        throttling.get_counter.cache_clear()


def test_registration_is_limited_per_client_address(api, rates):
    rates(register="2/hour")
    statuses = [api.post("/v1/auth/users/", {"username": f"u{i}", "password": "a long enough pass phrase"},
                         format="json").status_code for i in range(3)]
    assert statuses == [201, 201, 429]


def test_the_public_keys_are_never_throttled(api, rates):
    rates(anon="1/min")
    assert all(api.get("/.well-known/jwks.json").status_code == 200 for _ in range(3))


@pytest.mark.parametrize("authorization", [None, "Bearer not.a.token"], ids=["no-token", "bad-token"])
@pytest.mark.parametrize("method, path", [("GET", "/v2/auth/me/"), ("POST", "/v1/auth/me/password/"),
                                          ("GET", "/v2/auth/users/")])
def test_requests_without_a_valid_token_count_against_the_anon_rate_before_their_401(api, rates, method, path,
                                                                                     authorization):
    rates(anon="2/min")
    address = f"10.{random.randint(0, 255)}.{random.randint(0, 255)}.{random.randint(1, 254)}"
    headers = {"HTTP_AUTHORIZATION": authorization} if authorization else {}
    statuses = [api.generic(method, path, HTTP_X_FORWARDED_FOR=address, **headers).status_code for _ in range(3)]
    assert statuses == [401, 401, 429]
