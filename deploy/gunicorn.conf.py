"""gunicorn settings for zhichan (docs/deployment.md). Start with

    gunicorn --config /opt/zhichan/deploy/gunicorn.conf.py zhichan.wsgi:application

Read from the environment (the systemd unit loads /etc/zhichan/env):

    ZHICHAN_BIND          where to listen; default 127.0.0.1:8000 (nginx in front)
    ZHICHAN_WEB_WORKERS   worker processes (also WEB_CONCURRENCY); default 3. Settings refuse
                          SQLite in production with more than one.
    ZHICHAN_WEB_THREADS   threads per worker; default 4
    ZHICHAN_WEB_TIMEOUT   seconds a request may take before its worker is restarted; default 60
    PROMETHEUS_MULTIPROC_DIR  folder where the workers share their metrics; emptied at start
"""

import os
import shutil
from pathlib import Path

wsgi_app = "zhichan.wsgi:application"
bind = os.environ.get("ZHICHAN_BIND", "127.0.0.1:8000")
workers = int(os.environ.get("ZHICHAN_WEB_WORKERS") or os.environ.get("WEB_CONCURRENCY") or "3")
threads = int(os.environ.get("ZHICHAN_WEB_THREADS", "4"))
worker_class = "gthread"
timeout = int(os.environ.get("ZHICHAN_WEB_TIMEOUT", "60"))
graceful_timeout = 30
keepalive = 5
# Restart workers now and then, spread out, so a slow leak cannot grow without bound.
max_requests = 2000
max_requests_jitter = 200
# The application writes its own access line (with the request id, without query strings).
accesslog = None
errorlog = "-"
loglevel = os.environ.get("ZHICHAN_LOG_LEVEL", "info").lower()
# nginx on the same machine sets X-Forwarded-Proto; trust it from loopback only.
forwarded_allow_ips = os.environ.get("ZHICHAN_FORWARDED_ALLOW_IPS", "127.0.0.1,::1")
proc_name = "zhichan-web"

# gunicorn's own lines (start, worker exits, timeouts) in the application's format: JSON lines
# in production (ZHICHAN_LOG_FORMAT, as in settings).
_production = os.environ.get("ZHICHAN_ENV", "demo").strip().lower() == "production"
if os.environ.get("ZHICHAN_LOG_FORMAT", "json" if _production else "text").strip().lower() == "json":
    logconfig_dict = {
        "version": 1,
        "disable_existing_loggers": False,
        "formatters": {
            "json": {
                "()": "pythonjsonlogger.json.JsonFormatter",
                "fmt": "%(levelname)s %(name)s %(message)s",
                "rename_fields": {"levelname": "level", "name": "logger"},
                "timestamp": "time",  # ISO 8601, UTC
                "json_ensure_ascii": False,
            }
        },
        "handlers": {
            "console": {"class": "logging.StreamHandler", "formatter": "json", "stream": "ext://sys.stderr"}
        },
        "root": {"level": "INFO", "handlers": ["console"]},
        "loggers": {"gunicorn.error": {"level": "INFO", "handlers": ["console"], "propagate": False}},
    }


def on_starting(server):
    """Empty the metrics folder: counts of a previous run's processes must not be added in."""
    folder = os.environ.get("PROMETHEUS_MULTIPROC_DIR")
    if folder:
        path = Path(folder)
        if path.exists():
            shutil.rmtree(path)
        path.mkdir(parents=True, mode=0o700)


def child_exit(server, worker):
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        from prometheus_client import multiprocess

        multiprocess.mark_process_dead(worker.pid)
