"""The gunicorn settings that ship, for every service: `gunicorn -c python:fleet_common.gunicorn_conf`.

gthread workers keep connections alive; keepalive (75 s) outlives the gateway's upstream keepalive
(60 s) so no request races a closing connection; timeouts nest inside the gateway's read timeout.
"""

import os

from fleet_common.logging import json_formatter_config

bind = os.environ.get("GUNICORN_BIND", "0.0.0.0:8000")
worker_class = "gthread"
workers = int(os.environ.get("GUNICORN_WORKERS", "2"))
threads = int(os.environ.get("GUNICORN_THREADS", "4"))
keepalive = int(os.environ.get("GUNICORN_KEEPALIVE", "75"))
timeout = int(os.environ.get("GUNICORN_TIMEOUT", "20"))
graceful_timeout = int(os.environ.get("GUNICORN_GRACEFUL_TIMEOUT", "30"))
worker_tmp_dir = os.environ.get("GUNICORN_WORKER_TMP_DIR") or None
accesslog = None  # fleet_common.logging.AccessLogMiddleware writes the access log, as JSON
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
