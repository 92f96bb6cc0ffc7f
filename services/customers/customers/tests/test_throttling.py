"""Rate limits count atomically in the real Redis, answer 429 with Retry-After, and degrade if Redis is down."""

import logging
import random
import threading
import uuid

import environ
import pytest
from rest_framework.request import Request
from rest_framework.test import APIRequestFactory

from fleet_common import settings as fleet
from fleet_common import throttling
from fleet_common.throttling import AnonRateThrottle, RedisCounter, get_counter

from .helpers import create

pytestmark = pytest.mark.django_db
URL = "/v1/customers/"


@pytest.fixture
def rates(settings):
    def _set(**rates):
        settings.REST_FRAMEWORK = {**settings.REST_FRAMEWORK, "DEFAULT_THROTTLE_RATES": {
            "anon": "1000/min", "user": "1000/min", "customers-write": "1000/min", **rates}}
    return _set


@pytest.fixture
def redis_down(settings):
    """The real client, pointed at a port where nothing listens."""
    settings.REDIS_URL = "redis://127.0.0.1:1/0"
    get_counter.cache_clear()
    throttling.outage.skip_until, throttling.outage.warned_at = 0.0, float("-inf")
    yield
    get_counter.cache_clear()
    throttling.outage.skip_until, throttling.outage.warned_at = 0.0, float("-inf")


def test_a_hit_reports_whether_it_is_allowed_what_remains_and_when_the_window_resets():
    key = f"test:{uuid.uuid4()}"
    first, second, third = (get_counter().hit(key, 2, 60) for _ in range(3))
    assert (first.allowed, first.remaining) == (True, 1)
    assert (second.allowed, second.remaining) == (True, 0)
    assert (third.allowed, third.remaining) == (False, 0)
    assert 0 < third.reset_seconds <= 60


def test_a_requests_throttles_are_counted_in_one_round_trip(alice, rates):
    rates(user="100/min", **{"customers-write": "2/min"})
    info = get_counter().client.info
    evalsha_calls = lambda: info("commandstats").get("cmdstat_evalsha", {}).get("calls", 0)  # noqa: E731
    before = evalsha_calls()
    statuses = [create(alice, email=f"ada{i}@example.com").status_code for i in range(3)]
    assert evalsha_calls() - before == 3  # the user and the write-scope counters: one script call a request
    assert statuses == [201, 201, 429]  # and the tighter of the two still holds
    assert alice.get(URL)["X-RateLimit-Remaining"] == "96"  # the user counter saw every request


def test_a_redis_that_lost_the_script_gets_it_again_and_keeps_counting(settings):
    key, counter = f"test:{uuid.uuid4()}", RedisCounter.from_url(settings.REDIS_URL, timeout=2)
    assert counter.hit(key, 5, 60).remaining == 4
    counter.client.script_flush()  # what a restarted Redis has forgotten
    assert counter.hit(key, 5, 60).remaining == 3


def test_a_connection_redis_dropped_is_replaced_without_losing_the_hit(settings):
    key, counter = f"test:{uuid.uuid4()}", RedisCounter.from_url(settings.REDIS_URL, timeout=2)
    assert counter.hit(key, 5, 60).remaining == 4
    assert counter.client.client_kill_filter(_type="normal", skipme=True) >= 1  # this thread's own connection
    assert counter.hit(key, 5, 60).remaining == 3


def test_concurrent_hits_from_many_threads_accept_exactly_the_limit(settings):
    key, accepted = f"test:{uuid.uuid4()}", []
    counter = RedisCounter.from_url(settings.REDIS_URL, timeout=2)

    def worker():
        for _ in range(10):
            accepted.append(counter.hit(key, 150, 60).allowed)

    threads = [threading.Thread(target=worker) for _ in range(30)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(accepted) == 300 and sum(accepted) == 150


def test_the_user_throttle_answers_429_with_retry_after_and_rate_limit_headers(alice, rates):
    rates(user="3/min")
    statuses = [alice.get(URL) for _ in range(4)]
    assert [r.status_code for r in statuses] == [200, 200, 200, 429]
    first, refused = statuses[0], statuses[3]
    assert (first["X-RateLimit-Limit"], first["X-RateLimit-Remaining"]) == ("3", "2")
    assert 0 < int(refused["Retry-After"]) <= 60
    assert (refused["X-RateLimit-Limit"], refused["X-RateLimit-Remaining"]) == ("3", "0")
    assert 0 < int(refused["X-RateLimit-Reset"]) <= 60


def test_each_caller_has_their_own_budget(alice, bob, rates):
    rates(user="2/min")
    assert [alice.get(URL).status_code for _ in range(3)] == [200, 200, 429]
    assert bob.get(URL).status_code == 200


def test_writes_have_a_tighter_scope_than_reads(alice, rates):
    rates(**{"customers-write": "2/min", "user": "100/min"})
    statuses = [create(alice, email=f"c{i}@example.com").status_code for i in range(3)]
    assert statuses == [201, 201, 429]
    response = alice.get(URL)
    assert response.status_code == 200 and response["X-RateLimit-Limit"] == "100"


def test_a_v2_429_is_problem_json(alice, rates):
    rates(user="1/min")
    alice.get("/v2/customers/")
    response = alice.get("/v2/customers/")
    assert response.status_code == 429
    assert response["Content-Type"] == "application/problem+json"
    assert response.json()["status"] == 429 and "Retry-After" in response


def test_the_anon_throttle_counts_unauthenticated_callers_by_address(rates):
    rates(anon="2/min")
    address = f"10.{random.randint(0, 255)}.{random.randint(0, 255)}.{random.randint(1, 254)}"
    request = Request(APIRequestFactory().get("/", HTTP_X_FORWARDED_FOR=address))
    request.user = None
    results = [AnonRateThrottle().allow_request(request, None) for _ in range(3)]
    assert results == [True, True, False]


@pytest.mark.parametrize("authorization", [None, "Bearer not.a.token"], ids=["no-token", "bad-token"])
@pytest.mark.parametrize("path", ["/v1/customers/", f"/v2/customers/{uuid.uuid4()}/"])
def test_requests_without_a_valid_token_count_against_the_anon_rate_before_their_401(client, rates, path,
                                                                                     authorization):
    rates(anon="2/min")
    address = f"10.{random.randint(0, 255)}.{random.randint(0, 255)}.{random.randint(1, 254)}"
    headers = {"HTTP_AUTHORIZATION": authorization} if authorization else {}
    statuses = [client.get(path, HTTP_X_FORWARDED_FOR=address, **headers).status_code for _ in range(3)]
    assert statuses == [401, 401, 429]


def test_with_redis_down_requests_are_served_and_one_warning_is_logged(alice, rates, redis_down, caplog):
    rates(user="1/min")
    with caplog.at_level(logging.WARNING, logger="fleet_common.throttling"):
        statuses = []
        for _ in range(3):
            throttling.outage.skip_until = 0.0  # try Redis on every request, not only once per second
            statuses.append(alice.get(URL).status_code)
    assert statuses == [200, 200, 200]
    warnings = [r for r in caplog.records if "throttle_store_unavailable" in str(r.msg)]
    assert len(warnings) == 1


def test_rates_come_from_the_environment(monkeypatch):
    monkeypatch.setenv("THROTTLE_RATE_USER", "7/hour")
    monkeypatch.setenv("THROTTLE_RATE_CUSTOMERS_WRITE", "3/min")
    monkeypatch.delenv("THROTTLE_RATE_ANON", raising=False)
    config = fleet.throttling(environ.Env(), scopes={"customers-write": "120/min"})
    assert config["DEFAULT_THROTTLE_RATES"] == {"anon": "60/min", "user": "7/hour", "customers-write": "3/min"}
