"""Prometheus metrics on each service's own port, summed over every gunicorn worker (multiprocess
mode), and never through the gateway."""

import concurrent.futures

import requests
from prometheus_client.multiprocess import MultiProcessCollector
from prometheus_client.parser import text_string_to_metric_families

REQUESTS_BY_VIEW = "django_http_requests_total_by_view_transport_method_total"


def list_gets(samples) -> float:
    return sum(s.value for s in samples
               if s.name == REQUESTS_BY_VIEW and s.labels["view"] == "customer-list" and s.labels["method"] == "GET")


def scraped(url: str) -> float:
    response = requests.get(f"{url}/metrics", timeout=5)
    assert response.status_code == 200
    assert response.headers["Content-Type"].startswith("text/plain")
    return list_gets(s for family in text_string_to_metric_families(response.text) for s in family.samples)


def per_worker(fleet, instance: str) -> dict[str, float]:
    """The same counter read from each worker's own file, as prometheus_client would merge them."""
    files = sorted(fleet.config.metrics_dir(instance).glob("counter_*.db"))
    return {f.name: list_gets(s for metric in MultiProcessCollector.merge([str(f)]) for s in metric.samples)
            for f in files}


def test_a_services_request_counter_sums_every_worker(fleet):
    instance = fleet.config.instances("customers")[0]
    assert fleet.config.workers >= 2
    url = f"http://127.0.0.1:{instance.port}"
    before = scraped(url)

    def get(_):  # a new connection each time, so the workers share the requests
        return requests.get(f"{url}/v1/customers/", headers={"Connection": "close"}, timeout=5).status_code

    requests_sent = 60
    with concurrent.futures.ThreadPoolExecutor(6) as pool:
        assert set(pool.map(get, range(requests_sent))) == {401}

    assert scraped(url) - before == requests_sent
    workers = per_worker(fleet, instance.name)
    served = [name for name, count in workers.items() if count > 0]
    assert len(served) >= 2, f"only one worker served requests: {workers}"
    assert sum(workers.values()) == scraped(url)  # /metrics is the sum of every worker's file


def test_each_instance_counts_for_itself(fleet):
    first, second = fleet.config.instances("customers")[:2]
    assert fleet.config.metrics_dir(first.name) != fleet.config.metrics_dir(second.name)
    before = scraped(f"http://127.0.0.1:{second.port}")
    for _ in range(5):
        requests.get(f"http://127.0.0.1:{first.port}/v1/customers/", timeout=5)
    assert scraped(f"http://127.0.0.1:{second.port}") == before


def test_metrics_are_not_served_through_the_gateway(gateway):
    response = requests.get(f"{gateway}/metrics")
    assert response.status_code == 404
    assert "django_http" not in response.text
