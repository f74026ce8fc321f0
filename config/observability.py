"""Logs an operator can follow: one request id per request, who made it, never what usagers wrote.

- ``RequestIdMiddleware`` takes the caller's ``X-Request-ID`` (a load balancer's or a client's)
  when it is a sane token, else makes one, returns it in the response and logs one line per
  request: method, route (the URL pattern, not the path: paths carry references), status,
  duration, user id and administration id.
- ``RequestContextFilter`` stamps every log record of the request (and of a Celery task) with
  ``request_id``, ``user_id`` and ``administration_id``; the JSON formatter of production
  (python-json-logger, see ``logging_config``, LOGGING in config/settings.py) writes them as fields.
- Celery signals log one line per task run: name, queue, duration, retries and outcome.
- ``sentry_init`` turns Sentry (or a compatible service) on when ``SENTRY_DSN`` is set, without
  personal data and without request bodies.

Nothing here logs a request body, a query string, a case's text or an e-mail address.
"""

from __future__ import annotations

import contextvars
import logging
import re
import time
import uuid
from collections.abc import Callable
from typing import Any

from django.http import HttpRequest, HttpResponse
from django.utils.functional import LazyObject, empty

logger = logging.getLogger("guichet.request")
task_logger = logging.getLogger("guichet.task")

REQUEST_ID_HEADER = "X-Request-ID"
# A caller's id is kept only when it looks like an id: no spaces, no control characters, short.
_SANE_ID = re.compile(r"^[A-Za-z0-9._:/+=-]{1,128}$")

request_id_var: contextvars.ContextVar[str | None] = contextvars.ContextVar(
    "request_id", default=None
)
user_id_var: contextvars.ContextVar[int | None] = contextvars.ContextVar("user_id", default=None)
administration_id_var: contextvars.ContextVar[int | None] = contextvars.ContextVar(
    "administration_id", default=None
)


def new_request_id() -> str:
    return uuid.uuid4().hex


class RequestContextFilter(logging.Filter):
    """Adds the request id, user id and administration id of the current request or task."""

    def filter(self, record: logging.LogRecord) -> bool:
        record.request_id = request_id_var.get()
        record.user_id = user_id_var.get()
        record.administration_id = administration_id_var.get()
        return True


def _administration_id(request: HttpRequest) -> int | None:
    """The administration the request worked in, without a query of its own: a lazy value that
    nothing evaluated (an anonymous page, national staff) is left alone."""
    token_administration = getattr(getattr(request, "auth", None), "administration_id", None)
    if token_administration is not None:  # an API token's request
        return token_administration
    administration: Any = getattr(request, "administration", None)
    if isinstance(administration, LazyObject):
        wrapped = administration._wrapped
        administration = None if wrapped is empty else wrapped
    return getattr(administration, "pk", None)


def _user_id(request: HttpRequest) -> int | None:
    user: Any = getattr(request, "user", None)
    if isinstance(user, LazyObject):
        wrapped = user._wrapped
        user = None if wrapped is empty else wrapped
    if user is None or not getattr(user, "is_authenticated", False):
        return None
    return getattr(user, "pk", None)


class RequestIdMiddleware:
    """First middleware: the id exists before anything logs, and every response carries it."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        given = request.headers.get(REQUEST_ID_HEADER, "")
        request_id = given if _SANE_ID.match(given) else new_request_id()
        request.request_id = request_id  # type: ignore[attr-defined]
        tokens = (
            request_id_var.set(request_id),
            user_id_var.set(None),
            administration_id_var.set(None),
        )
        started = time.monotonic()
        try:
            response = self.get_response(request)
            response[REQUEST_ID_HEADER] = request_id
            self._log(request, response.status_code, started)
            return response
        except Exception:
            self._log(request, 500, started)
            raise
        finally:
            request_id_var.reset(tokens[0])
            user_id_var.reset(tokens[1])
            administration_id_var.reset(tokens[2])

    @staticmethod
    def _log(request: HttpRequest, status: int, started: float) -> None:
        user_id_var.set(_user_id(request))
        administration_id_var.set(_administration_id(request))
        match = getattr(request, "resolver_match", None)
        # The route's pattern (``dossiers/<int:pk>/``): never the path's values nor the query.
        route = match.route if match is not None else None
        logger.info(
            "%s %s %s",
            request.method,
            route or "(no route)",
            status,
            extra={
                "method": request.method,
                "route": route,
                "view": match.view_name if match is not None else None,
                "status": status,
                "duration_ms": round((time.monotonic() - started) * 1000, 1),
            },
        )


# --- LOGGING ------------------------------------------------------------------------------------


def logging_config(*, log_format: str, level: str, quiet_tasks: bool) -> dict[str, Any]:
    """Django's ``LOGGING``: JSON lines (``log_format="json"``, python-json-logger) or readable
    text, every line with the request id (or the task id), the user id and the administration
    id (``RequestContextFilter``). ``quiet_tasks``: the line per task run only at WARNING."""
    return {
        "version": 1,
        "disable_existing_loggers": False,
        "filters": {"context": {"()": "config.observability.RequestContextFilter"}},
        "formatters": {
            "json": {
                "()": "pythonjsonlogger.json.JsonFormatter",
                "format": (
                    "%(levelname)s %(name)s %(message)s "
                    "%(request_id)s %(user_id)s %(administration_id)s"
                ),
                # ISO 8601 in UTC with its offset, like gunicorn's and PostgreSQL's lines: asctime
                # is TIME_ZONE's local time without an offset (an hour repeats each October).
                "timestamp": "time",
                "rename_fields": {"levelname": "level", "name": "logger"},
            },
            "text": {
                "format": (
                    "%(asctime)s %(levelname)s %(name)s [%(request_id)s u=%(user_id)s "
                    "a=%(administration_id)s] %(message)s"
                ),
            },
        },
        "handlers": {
            "console": {
                "class": "logging.StreamHandler",
                "filters": ["context"],
                "formatter": "json" if log_format == "json" else "text",
            }
        },
        "root": {"handlers": ["console"], "level": level},
        "loggers": {
            "django.db.backends": {"level": "INFO"},
            # One line per task and per HTTP call is noise at INFO; failures still show. Each
            # task run is logged once by this module's Celery signals (queue, duration, retries).
            "celery.app.trace": {"level": "WARNING"},
            "httpx": {"level": "WARNING"},
            # Requests are logged once by RequestIdMiddleware.
            "django.server": {"level": "WARNING"},
            # django-axes logs every sign-in at INFO; failures and lockouts are what matters.
            "axes": {"level": "WARNING"},
            "guichet.task": {"level": "WARNING" if quiet_tasks else "INFO"},
        },
    }


# --- Celery: one log line per task run, with its queue, duration and retries -------------------

_task_started: dict[str, float] = {}


def _queue_of(task: Any) -> str | None:
    info = getattr(getattr(task, "request", None), "delivery_info", None) or {}
    return info.get("routing_key") or info.get("queue") or None


def _task_prerun(task_id: str | None = None, task: Any = None, **_: Any) -> None:
    if task_id:
        _task_started[task_id] = time.monotonic()
    # A task's log lines carry the task id where a request's carry the request id.
    request_id_var.set(task_id)
    user_id_var.set(None)
    administration_id_var.set(None)


def _task_postrun(
    task_id: str | None = None, task: Any = None, state: str | None = None, **_: Any
) -> None:
    started = _task_started.pop(task_id, None) if task_id else None
    task_logger.info(
        "task",
        extra={
            "task": getattr(task, "name", None),
            "task_id": task_id,
            "queue": _queue_of(task),
            "state": state,
            "retries": getattr(getattr(task, "request", None), "retries", 0) or 0,
            "duration_ms": (
                round((time.monotonic() - started) * 1000, 1) if started is not None else None
            ),
        },
    )
    request_id_var.set(None)


def _task_retry(request: Any = None, reason: Any = None, **_: Any) -> None:
    reason = getattr(reason, "exc", None) or reason  # celery's Retry wraps the cause
    task_logger.warning(
        "task retry",
        extra={
            "task": getattr(request, "task", None),
            "task_id": getattr(request, "id", None),
            "retries": getattr(request, "retries", 0) or 0,
            # The exception's class only: its message may quote what a usager wrote.
            "reason": type(reason).__name__ if reason is not None else None,
        },
    )


def connect_celery_signals() -> None:
    from celery import signals

    signals.task_prerun.connect(_task_prerun, weak=False, dispatch_uid="guichet-task-prerun")
    signals.task_postrun.connect(_task_postrun, weak=False, dispatch_uid="guichet-task-postrun")
    signals.task_retry.connect(_task_retry, weak=False, dispatch_uid="guichet-task-retry")


# --- Sentry -------------------------------------------------------------------------------------


def sentry_init(dsn: str, *, environment: str, release: str, traces_sample_rate: float) -> bool:
    """Error reporting to Sentry (or a compatible service such as GlitchTip); off without a DSN.

    No personal data: no user e-mail or address, no cookies, no request bodies.
    """
    if not dsn:
        return False
    import sentry_sdk
    from sentry_sdk.integrations.celery import CeleryIntegration
    from sentry_sdk.integrations.django import DjangoIntegration

    sentry_sdk.init(
        dsn=dsn,
        environment=environment,
        release=release or None,
        send_default_pii=False,
        max_request_body_size="never",
        traces_sample_rate=traces_sample_rate,
        integrations=[DjangoIntegration(), CeleryIntegration()],
    )
    return True
