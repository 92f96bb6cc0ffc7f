"""The gunicorn settings that ship, for every service: `gunicorn -c python:fleet_common.gunicorn_conf`.

One request thread (customers): sync workers, a connection per request, taken by whichever worker is
free (fleet_common.gunicorn_worker). Several (auth): gthread workers keep connections alive; keepalive
(75 s) outlives the gateway's upstream keepalive (60 s) so no request races a closing connection.
Timeouts nest inside the gateway's read timeout.

Prometheus metrics stay correct under several workers: each worker writes its samples to files in
PROMETHEUS_MULTIPROC_DIR and /metrics sums them (django-prometheus uses prometheus_client's
MultiProcessCollector when that variable is set). The directory belongs to this one gunicorn: it is
emptied when gunicorn starts, and a dead worker's live gauges are dropped.
"""

import os
import shutil
import tempfile
from pathlib import Path

from gunicorn import glogging

from fleet_common.logging import json_formatter_config

# Set before any worker imports prometheus_client, which reads it once, at import. Without one from
# the environment, a private directory for this run, removed at exit (metrics stay correct either way).
_own_metrics_dir = not os.environ.get("PROMETHEUS_MULTIPROC_DIR")
if _own_metrics_dir:
    os.environ["PROMETHEUS_MULTIPROC_DIR"] = tempfile.mkdtemp(prefix="prometheus-")

bind = os.environ.get("GUNICORN_BIND", "0.0.0.0:8000")
workers = int(os.environ.get("GUNICORN_WORKERS", "2"))
# One request thread per worker. A worker's threads share one GIL: a second request in flight in the same
# worker only adds GIL hand-offs, +20-25 % CPU per request at 4 threads (docs/benchmarks.md, section 31).
# auth sets 4, so its other requests go on while logins wait on Argon2, which releases the GIL.
threads = int(os.environ.get("GUNICORN_THREADS", "1"))
# With one thread, a sync worker: no hand-off between an accepting thread and the request's, and a request
# waits in the listen backlog until a worker is free instead of in a busy worker's queue (section 34).
worker_class = "fleet_common.gunicorn_worker.DrainingSyncWorker" if threads == 1 else "gthread"
keepalive = int(os.environ.get("GUNICORN_KEEPALIVE", "75"))
timeout = int(os.environ.get("GUNICORN_TIMEOUT", "20"))
graceful_timeout = int(os.environ.get("GUNICORN_GRACEFUL_TIMEOUT", "30"))
worker_tmp_dir = os.environ.get("GUNICORN_WORKER_TMP_DIR") or None
accesslog = None  # fleet_common.logging.AccessLogMiddleware writes the access log, as JSON


class Logger(glogging.Logger):
    """gunicorn's logger without its access log, which with `logconfig_dict` set still formats every
    request's atoms (~4 % of a GET's CPU) for a logger that drops them."""

    access_log_enabled = False

    def access(self, resp, req, environ, request_time):
        pass


logger_class = Logger
control_socket_disable = True  # one fixed path per user would collide between services
limit_request_line = 8190
logconfig_dict = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"json": json_formatter_config(os.environ.get("SERVICE_NAME", "service"))},
    "handlers": {"stdout": {"class": "logging.StreamHandler", "formatter": "json"}},
    "root": {"handlers": ["stdout"], "level": "INFO"},
    "loggers": {
        "gunicorn.error": {"handlers": ["stdout"], "level": "INFO", "propagate": False},
        "gunicorn.access": {"handlers": [], "level": "WARNING", "propagate": False},
    },
}


def on_starting(server):
    """Start with no metric files: an earlier run's would be summed into this one's counters."""
    directory = Path(os.environ["PROMETHEUS_MULTIPROC_DIR"])
    directory.mkdir(parents=True, exist_ok=True)
    for stale in directory.glob("*.db"):
        stale.unlink()


def child_exit(server, worker):
    """A worker is gone: drop its live gauges (its counters stay in the sums, as they must)."""
    from prometheus_client import multiprocess  # imported here, never in the master before the variable is set

    multiprocess.mark_process_dead(worker.pid)


def on_exit(server):
    if _own_metrics_dir:
        shutil.rmtree(os.environ["PROMETHEUS_MULTIPROC_DIR"], ignore_errors=True)
