"""The verifier's key cache: rare fetches, a persisted copy, and 503 only when no key is known at all."""

import time

import pytest

from fleet_common.jwks import FETCHES, JWKSClient
from fleet_common.tokens import InvalidToken, KeysUnavailable, TokenVerifier

from fleet_testing import ISSUER


def verifier(client: JWKSClient) -> TokenVerifier:
    return TokenVerifier(client, issuer=ISSUER, audience="customers")


def test_keys_are_fetched_once_for_many_verifications(key_server):
    check = verifier(JWKSClient(key_server.url))
    for _ in range(20):
        check.verify(key_server.token())
    assert key_server.requests == 1


def fetches(reason: str) -> float:
    return FETCHES.labels(reason=reason)._value.get()


def test_every_fetch_is_counted_in_the_metric_with_its_reason_and_verifications_are_not(key_server):
    before = {reason: fetches(reason) for reason in ("no_keys", "unknown_kid", "scheduled")}
    client = JWKSClient(key_server.url, refresh_interval=60, min_refetch_interval=0)
    check = verifier(client)
    for _ in range(5):
        check.verify(key_server.token())
    with pytest.raises(InvalidToken):
        check.verify(key_server.token(kid="unknown"))
    client.refresh_interval = 0
    check.verify(key_server.token())
    assert wait_for(lambda: key_server.requests == 3)
    assert {reason: fetches(reason) - count for reason, count in before.items()} == \
        {"no_keys": 1, "unknown_kid": 1, "scheduled": 1}


def test_an_unknown_kid_refetches_at_most_once_per_interval(key_server):
    check = verifier(JWKSClient(key_server.url, min_refetch_interval=60))
    check.verify(key_server.token())
    for _ in range(10):
        with pytest.raises(InvalidToken):
            check.verify(key_server.token(kid="unknown"))
    assert key_server.requests == 1  # the first fetch was moments ago: no refetch yet


def test_a_new_kid_is_found_by_one_refetch(key_server):
    client = JWKSClient(key_server.url, min_refetch_interval=0)
    check = verifier(client)
    check.verify(key_server.token())
    key_server.document["keys"].append({**key_server.document["keys"][0], "kid": "k2"})
    check.verify(key_server.token(kid="k2"))
    assert key_server.requests == 2


def test_the_last_good_keys_survive_an_outage(key_server):
    client = JWKSClient(key_server.url, refresh_interval=0, min_refetch_interval=0)
    check = verifier(client)
    check.verify(key_server.token())
    key_server.up = False
    check.verify(key_server.token())  # the refresh fails; the cached key still verifies


def wait_for(condition, seconds: float = 5.0) -> bool:
    deadline = time.monotonic() + seconds
    while not condition():
        if time.monotonic() > deadline:
            return False
        time.sleep(0.01)
    return True


def test_a_stale_cache_is_refreshed_in_the_background_while_requests_go_on(key_server):
    check = verifier(JWKSClient(key_server.url, refresh_interval=0, min_refetch_interval=0))
    check.verify(key_server.token())
    key_server.delay = 1.0  # auth (or the DNS in front of it) is slow
    started = time.monotonic()
    check.verify(key_server.token())
    assert time.monotonic() - started < 0.5  # the request did not wait for the refresh
    assert wait_for(lambda: key_server.requests == 2)  # which did happen


def test_a_restarted_process_does_not_wait_for_auth_to_refresh_its_persisted_copy(key_server, tmp_path):
    cache = tmp_path / "jwks.json"
    verifier(JWKSClient(key_server.url, cache_path=str(cache))).verify(key_server.token())
    key_server.delay = 1.0
    restarted = verifier(JWKSClient(key_server.url, cache_path=str(cache)))
    started = time.monotonic()
    restarted.verify(key_server.token())
    assert time.monotonic() - started < 0.5
    assert wait_for(lambda: key_server.requests == 2)


def test_a_restarted_process_verifies_from_the_persisted_copy_while_auth_is_down(key_server, tmp_path):
    cache = tmp_path / "jwks.json"
    verifier(JWKSClient(key_server.url, cache_path=str(cache))).verify(key_server.token())
    token = key_server.token()
    key_server.stop()
    restarted = verifier(JWKSClient(key_server.url, cache_path=str(cache), timeout=0.5))
    assert restarted.verify(token)["token_type"] == "access"


def test_no_keys_at_all_is_unavailable_not_invalid(key_server, tmp_path):
    token = key_server.token()
    key_server.stop()
    with pytest.raises(KeysUnavailable):
        verifier(JWKSClient(key_server.url, cache_path=str(tmp_path / "none.json"), timeout=0.5)).verify(token)


def test_keys_without_a_kid_are_skipped(key_server):
    key_server.document["keys"][0].pop("kid")
    with pytest.raises(KeysUnavailable):
        verifier(JWKSClient(key_server.url)).verify(key_server.token())


def test_a_new_kid_met_as_the_cache_goes_stale_waits_for_the_refresh_that_brings_it(key_server):
    """The first request after an idle spell may carry the new key's token: it must not be refused."""
    check = verifier(JWKSClient(key_server.url, refresh_interval=0.2, min_refetch_interval=0.2))
    check.verify(key_server.token())
    key_server.delay = 0.1  # every later fetch is still under way when the request looks for its key
    for attempt in range(10):
        time.sleep(0.3)  # idle: the cache is stale and the refetch interval has passed
        key_server.document["keys"].append({**key_server.document["keys"][0], "kid": f"new{attempt}"})
        assert check.verify(key_server.token(kid=f"new{attempt}"))["token_type"] == "access"
