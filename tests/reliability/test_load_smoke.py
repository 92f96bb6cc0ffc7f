"""`make loadtest` in 30 seconds, so its script cannot rot: mixed CRUD, a 3x overload, recovery, no write lost."""

import loadtest


def test_mixed_load_then_overload_sheds_with_429_or_503_and_recovers(gateway, figure):
    report = loadtest.run_load(gateway, duration=15, concurrency=6, overload_seconds=5)
    mixed, overload, writes = report["mixed"], report["overload"], report["writes"]
    figure("mixed: requests, req/s, p50 ms, p99 ms, errors",
           (mixed["requests"], mixed["rps"], mixed["p50_ms"], mixed["p99_ms"], mixed["errors"]))
    figure("overload: offered req/s, statuses", (overload["rate_offered"], overload["statuses"]))
    figure("recovered after the overload (s)", report["recovery_seconds"])
    figure("writes", writes)
    assert mixed["requests"] > 500 and mixed["errors"] == 0, mixed["statuses"]
    assert overload["errors"] == 0, overload["statuses"]  # shed as 429 or 503, never a 502 or 504
    assert report["recovery_seconds"] is not None and report["recovery_seconds"] <= 10
    assert writes["lost"] == writes["changed"] == writes["resurrected"] == 0, writes
