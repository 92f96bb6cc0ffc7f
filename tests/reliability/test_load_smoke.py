"""`make loadtest` in 30 seconds, so its script cannot rot: mixed CRUD, a 3x overload, recovery, no write lost."""

import resource

import loadtest


def test_mixed_load_then_overload_sheds_with_429_or_503_and_recovers(gateway, figure):
    report = loadtest.run_load(gateway, duration=15, concurrency=6, overload_seconds=5)
    mixed, overload, writes = report["mixed"], report["overload"], report["writes"]
    figure("mixed: requests, req/s, p50 ms, p99 ms, errors",
           (mixed["requests"], mixed["rps"], mixed["p50_ms"], mixed["p99_ms"], mixed["errors"]))
    figure("overload: offered req/s, statuses", (overload["rate_offered"], overload["statuses"]))
    figure("recovered after the overload (s)", report["recovery_seconds"])
    figure("writes", writes)
    assert mixed["requests"] > 500 and mixed["errors"] == 0, (mixed["statuses"], mixed["failures"])
    # Shed as 429 or 503, never a 502 or 504 (or a connection the gateway dropped).
    assert overload["errors"] == 0, (overload["statuses"], overload["failures"])
    assert report["recovery_seconds"] is not None and report["recovery_seconds"] <= 10
    assert writes["lost"] == writes["changed"] == writes["resurrected"] == 0, writes


def test_the_open_loop_lifts_its_descriptor_limit_instead_of_failing_in_the_client():
    """A shell's usual soft limit (1024) is below the overload's 2,000 connections in flight."""
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    try:
        resource.setrlimit(resource.RLIMIT_NOFILE, (256, hard))
        wanted = 2000 + loadtest.FILES_KEPT
        budget = loadtest.open_file_budget(wanted)
        assert budget == (wanted if hard == resource.RLIM_INFINITY else min(wanted, hard)) > 256
        assert resource.getrlimit(resource.RLIMIT_NOFILE)[0] == budget
    finally:
        resource.setrlimit(resource.RLIMIT_NOFILE, (soft, hard))
