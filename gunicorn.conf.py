"""Gunicorn's configuration for Guichet (README, "Runbook"). Every value can be overridden by
the environment variable named beside it; `gunicorn config.wsgi` reads this file by itself
when started from the project's directory (the image, the Procfile, compose).
"""

import logging
import multiprocessing
import os
import time


def _int(name: str, default: int) -> int:
    return int(os.environ.get(name) or default)


bind = os.environ.get("GUNICORN_BIND") or f"0.0.0.0:{os.environ.get('PORT') or 8000}"
# Processes x threads: requests mostly wait on PostgreSQL; drafting never runs in a request
# (Celery does it), so a few threads per process are safe and cheap.
workers = _int("GUNICORN_WORKERS", min(2 * multiprocessing.cpu_count() + 1, 8))
threads = _int("GUNICORN_THREADS", 4)
worker_class = "gthread"
# A request taking longer than this is killed (the slowest pages, exports, take a few seconds).
timeout = _int("GUNICORN_TIMEOUT", 60)
graceful_timeout = _int("GUNICORN_GRACEFUL_TIMEOUT", 30)
keepalive = _int("GUNICORN_KEEPALIVE", 5)
# Recycle workers now and then (memory held by large exports), not all at once.
max_requests = _int("GUNICORN_MAX_REQUESTS", 2000)
max_requests_jitter = _int("GUNICORN_MAX_REQUESTS_JITTER", 200)
# Forwarded headers (X-Forwarded-Proto...) are believed only from the reverse proxy's addresses:
# FORWARDED_ALLOW_IPS, comma-separated addresses or networks; the default trusts only this host.
forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS") or "127.0.0.1,::1"
# Uploads (attachments up to INTAKE_MAX_BODY_BYTES) are spooled in memory-backed /dev/shm
# when it exists, so a read-only container root file system is fine.
worker_tmp_dir = "/dev/shm" if os.path.isdir("/dev/shm") else None  # noqa: S108
# Requests are logged by Django (config/observability.py: request id, user, JSON in production);
# gunicorn's own access log would repeat them without those fields.
accesslog = None
errorlog = "-"
loglevel = os.environ.get("GUNICORN_LOG_LEVEL") or "info"
# Gunicorn's own lines in UTC, as every other line: its formatter reads the local time, which
# in a worker is Django's TIME_ZONE (Django sets TZ), so a worker's lines said +0100 and the
# master's +0000.
logging.Formatter.converter = time.gmtime
capture_output = True
proc_name = "guichet"
# Gunicorn's control socket (`gunicornc`, gunicorn 25+) stays off unless a path is given: its
# default, $HOME/.gunicorn/, is /app in the image, which the `guichet` user may not write (an
# ERROR line at every start and every worker spawned), and two gunicorns of one user on a host
# would take each other's socket. GUNICORN_CONTROL_SOCKET=/run/guichet/gunicorn.ctl turns it on.
control_socket = os.environ.get("GUNICORN_CONTROL_SOCKET") or ""
control_socket_disable = not control_socket


def post_worker_init(worker) -> None:
    """Once the worker has loaded Django, load what the first request would and move it all out
    of the garbage collector's reach (config/warmup.py: a full collection paused the worker's
    threads 140 ms every few hundred requests)."""
    from config.warmup import freeze_loaded

    freeze_loaded()
