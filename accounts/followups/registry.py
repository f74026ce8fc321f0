"""Durable follow-ups: the contract every app uses for work a change leaves to do later.

- **Write the row with the change.** A service (or a receiver of a domain event, sent inside the
  transaction) calls ``followup_add(kind=..., **ids)``: the row commits or rolls back with the
  change. Nothing is lost if the broker is down.
- **Queuing is only a nudge.** After commit the row's task is queued (``queue_after_commit``); a
  broker error is logged, never raised to the user.
- **One handler per kind, registered once.** ``@followup_handler("mail.member_invitation")`` on a
  function taking the payload's ids makes its Celery task (``followup.<kind>``, routed by name
  in ``CELERY_TASK_ROUTES``) and its registry entry. A new kind is that one decorator, in a
  module the app imports from its ``AppConfig.ready()`` (its ``tasks.py``).
- **Claim with a lease, finish once.** The task claims the row for ``FOLLOWUP_LEASE_SECONDS``
  (longer than any task may run), runs the handler and marks the row done in one transaction
  (a handler's database writes and "done" commit together). A failure puts the row back,
  due later with backoff; after ``FOLLOWUP_MAX_ATTEMPTS`` it is ``failed`` and logged.
- **The sweepers** (``register_sweeper``; run by beat and by ``manage.py followups_sweep``)
  queue again the rows whose task never ran (pending past ``FOLLOWUP_SWEEP_GRACE_SECONDS``) or
  whose worker died (lease expired). Domain rows with their own claim (``Delivery``,
  ``Suggestion``) register their own sweeper under the same contract.

Handlers must be safe to run twice (a worker may die after the work and before "done"):
database work is in the same transaction as "done"; a mail may, in that rare case, leave twice.
"""

from __future__ import annotations

import datetime as dt
import logging
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from celery import Task, shared_task
from django.conf import settings
from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone
from kombu.exceptions import KombuError

from .models import FollowUp

logger = logging.getLogger(__name__)

# What a failed publish raises when the broker is unreachable; plus the transport's own errors
# (``_broker_errors``): py-amqp raises RabbitMQ's refusals (an unknown vhost, credentials or
# permissions refused) unwrapped.
BROKER_ERRORS: tuple[type[BaseException], ...] = (KombuError, OSError)
_TRANSPORT_ERRORS: dict[str, tuple[type[BaseException], ...]] = {}


def _broker_errors(task: Task) -> tuple[type[BaseException], ...]:
    url = str(task.app.conf.broker_url)
    if url not in _TRANSPORT_ERRORS:
        connection = task.app.connection_for_write()  # not connected: the transport's classes
        try:
            _TRANSPORT_ERRORS[url] = (
                *BROKER_ERRORS,
                *connection.connection_errors,
                *connection.channel_errors,
            )
        finally:
            connection.release()
    return _TRANSPORT_ERRORS[url]


@dataclass(frozen=True)
class FollowUpKind:
    kind: str
    handler: Callable[..., object]
    task: Task


_KINDS: dict[str, FollowUpKind] = {}
_SWEEPERS: dict[str, Callable[..., int]] = {}


# After a failed publish, this process stops trying for a few seconds: a request that leaves
# several follow-ups waits for an unreachable broker once, not once per follow-up.
BROKER_PAUSE_SECONDS = 5.0
_broker_down_until = 0.0


def queue_after_commit(task: Task, *args: Any) -> None:
    """Queue ``task(*args)`` once the current transaction commits (at once outside one).

    Only a nudge: the row it works on is already committed, so a broker error is logged and
    left to the sweepers."""

    def publish() -> None:
        global _broker_down_until
        eager = task.app.conf.task_always_eager
        if not eager and time.monotonic() < _broker_down_until:
            logger.warning("Broker unavailable, %s%r left for the sweeper", task.name, args)
            return
        # Eager (development, tests): the task runs here, its own errors are not the broker's.
        errors = BROKER_ERRORS if eager else _broker_errors(task)
        try:
            task.apply_async(args=args)
        except errors as exc:
            _broker_down_until = time.monotonic() + BROKER_PAUSE_SECONDS
            logger.warning(
                "Broker unavailable, %s%r left for the sweeper: %s", task.name, args, exc
            )

    transaction.on_commit(publish)


def followup_handler(
    kind: str, **task_options: Any
) -> Callable[[Callable[..., object]], Callable[..., object]]:
    """Register ``function(**payload)`` as the handler of ``kind`` and make its Celery task."""

    def decorate(function: Callable[..., object]) -> Callable[..., object]:
        if kind in _KINDS:
            raise ValueError(f"Follow-up kind {kind!r} is already registered.")

        def run(self: Task, followup_id: int) -> str:
            outcome, retry_in = followup_run(followup_id=followup_id)
            # Sooner than the sweeper; a longer wait is the sweeper's (the row is due then).
            if (
                outcome == "retry"
                and not self.request.is_eager
                and retry_in is not None
                and retry_in <= settings.FOLLOWUP_MAX_COUNTDOWN_SECONDS
            ):
                raise self.retry(countdown=retry_in, max_retries=None)
            return outcome

        run.__name__ = run.__qualname__ = f"followup_{kind.replace('.', '_')}"
        run.__module__ = function.__module__
        options = {"acks_late": True, "ignore_result": True, **task_options}
        task = shared_task(bind=True, name=f"followup.{kind}", **options)(run)
        _KINDS[kind] = FollowUpKind(kind=kind, handler=function, task=task)
        return function

    return decorate


def registered_kinds() -> dict[str, FollowUpKind]:
    return dict(_KINDS)


def followup_add(*, kind: str, due_at: dt.datetime | None = None, **payload: Any) -> FollowUp:
    """Write a follow-up row in the current transaction; its task is queued after commit."""
    if kind not in _KINDS:
        raise ValueError(f"Unknown follow-up kind {kind!r}: register it with @followup_handler.")
    followup = FollowUp.objects.create(kind=kind, payload=payload, due_at=due_at or timezone.now())
    if due_at is None or due_at <= timezone.now():
        queue_after_commit(_KINDS[kind].task, followup.pk)
    return followup


class _LeaseLost(Exception):
    pass


def _backoff(attempts: int) -> float:
    return float(settings.FOLLOWUP_RETRY_BASE_SECONDS * 2 ** max(attempts - 1, 0))


def followup_run(*, followup_id: int) -> tuple[str, float | None]:
    """Claim the row, run its handler, mark it done. Safe to call twice (or a hundred times):
    only the holder of a live claim runs it, and only a row not done can be claimed.

    Returns ("done" | "skipped" | "retry" | "failed", seconds until the retry)."""
    now = timezone.now()
    lease_until = now + dt.timedelta(seconds=settings.FOLLOWUP_LEASE_SECONDS)
    won = (
        FollowUp.objects.filter(pk=followup_id)
        .filter(
            Q(status=FollowUp.Status.PENDING, due_at__lte=now)
            | Q(status=FollowUp.Status.RUNNING, lease_until__lt=now)
        )
        .update(status=FollowUp.Status.RUNNING, attempts=F("attempts") + 1, lease_until=lease_until)
    )
    if not won:
        return "skipped", None
    followup = FollowUp.objects.get(pk=followup_id)
    entry = _KINDS.get(followup.kind)
    try:
        if entry is None:
            raise LookupError(f"no handler registered for {followup.kind!r}")
        with transaction.atomic():
            entry.handler(**followup.payload)
            done = FollowUp.objects.filter(
                pk=followup_id, status=FollowUp.Status.RUNNING, lease_until=lease_until
            ).update(
                status=FollowUp.Status.DONE,
                done_at=timezone.now(),
                lease_until=None,
                last_error="",
            )
            if not done:  # our lease expired and another worker holds the row: undo ours
                raise _LeaseLost
    except _LeaseLost:
        return "skipped", None
    except Exception as exc:
        logger.exception("Follow-up %s (%s) failed", followup_id, followup.kind)
        return _record_failure(followup, lease_until, f"{type(exc).__name__}: {exc}")
    return "done", None


def _record_failure(
    followup: FollowUp, lease_until: dt.datetime, error: str
) -> tuple[str, float | None]:
    final = followup.attempts >= settings.FOLLOWUP_MAX_ATTEMPTS
    wait = _backoff(followup.attempts)
    FollowUp.objects.filter(
        pk=followup.pk, status=FollowUp.Status.RUNNING, lease_until=lease_until
    ).update(
        status=FollowUp.Status.FAILED if final else FollowUp.Status.PENDING,
        last_error=error[:2000],
        lease_until=None,
        due_at=timezone.now() + dt.timedelta(seconds=wait),
    )
    return ("failed", None) if final else ("retry", wait)


# --- the sweepers ----------------------------------------------------------------------------


def register_sweeper(name: str) -> Callable[[Callable[..., int]], Callable[..., int]]:
    """Register ``function(*, grace_seconds: int) -> int`` (how many it queued again)."""

    def decorate(function: Callable[..., int]) -> Callable[..., int]:
        _SWEEPERS[name] = function
        return function

    return decorate


def registered_sweepers() -> dict[str, Callable[..., int]]:
    return dict(_SWEEPERS)


@register_sweeper("followups")
def followups_requeue(*, grace_seconds: int | None = None) -> int:
    """Queue again the follow-ups whose task was lost: pending and due for longer than the
    grace, or running past their lease. A duplicate task is harmless (the claim decides)."""
    grace = settings.FOLLOWUP_SWEEP_GRACE_SECONDS if grace_seconds is None else grace_seconds
    now = timezone.now()
    rows = list(
        FollowUp.objects.filter(
            Q(status=FollowUp.Status.PENDING, due_at__lte=now - dt.timedelta(seconds=grace))
            | Q(status=FollowUp.Status.RUNNING, lease_until__lt=now)
        )
        .order_by("due_at")
        .values_list("pk", "kind")[:1000]
    )
    queued = 0
    for followup_id, kind in rows:
        entry = _KINDS.get(kind)
        if entry is None:
            logger.error("Follow-up %s: no handler registered for %r", followup_id, kind)
            continue
        queue_after_commit(entry.task, followup_id)
        queued += 1
    return queued


def sweep_all(*, grace_seconds: int | None = None) -> dict[str, int]:
    """Run every registered sweeper; one failing never stops the others."""
    counts: dict[str, int] = {}
    for name, sweeper in sorted(_SWEEPERS.items()):
        try:
            counts[name] = sweeper(grace_seconds=grace_seconds)
        except Exception:
            logger.exception("Sweeper %s failed", name)
            counts[name] = -1
    return counts
