from .celery import app as celery_app
from .observability import connect_celery_signals

# One log line per task run (queue, duration, retries): see config/observability.py.
connect_celery_signals()

__all__ = ("celery_app",)
