"""Request metrics per view, in django-prometheus's own names: how many, how they ended, how long.

django-prometheus's two middlewares update twelve series on every request (body sizes, charsets,
transports, methods, and each count twice, before and after the other middleware); these three
answer rate, errors and duration per view for a fraction of the cost (docs/benchmarks.md).
"""

import time

from django_prometheus.middleware import Metrics

METHODS = frozenset({"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS", "TRACE", "CONNECT"})


class RequestMetricsMiddleware:
    """First in MIDDLEWARE: the duration covers every other middleware, as a client would see it."""

    def __init__(self, get_response):
        self.get_response = get_response
        self.metrics = Metrics.get_instance()

    def __call__(self, request):
        started = time.perf_counter()
        response = self.get_response(request)
        match = getattr(request, "resolver_match", None)
        view = (match.view_name if match else None) or "<unnamed view>"
        method = request.method if request.method in METHODS else "<invalid method>"
        transport = "https" if request.is_secure() else "http"
        self.metrics.requests_by_view_transport_method.labels(view=view, transport=transport, method=method).inc()
        self.metrics.responses_by_status_view_method.labels(
            status=str(response.status_code), view=view, method=method).inc()
        self.metrics.requests_latency_by_view_method.labels(view=view, method=method).observe(
            time.perf_counter() - started)
        return response

    def process_exception(self, request, exception):
        """An exception a view let through (it becomes a 500, counted above too)."""
        self.metrics.exceptions_by_type.labels(type=type(exception).__name__).inc()
