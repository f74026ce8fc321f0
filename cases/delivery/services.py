"""Outbound delivery of replies, through the case's channel: the writes.

A sent reply gets one ``Delivery`` row (created when ``reply_sent`` fires, inside the reply's
transaction: the row is the reply's outbox) and a Celery task (cases/delivery/tasks.py) that
claims it with a conditional UPDATE, calls the backend
outside any transaction, and records the outcome. Failures are retried with exponential
backoff up to ``DELIVERY_MAX_ATTEMPTS``; the last one is recorded on the case.

Backends: cases/delivery/backends.py; one attempt: cases/delivery/pipeline.py.
"""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.followups.registry import queue_after_commit
from accounts.models import User

from ..models import Case, CaseEvent, ChannelEndpoint, Delivery, Reply
from ..permissions import Ability, require_ability
from ..services.common import invalid, lock_case
from ..services.journal import case_event_record
from .tasks import deliver_reply, deliveries_requeue

__all__ = ["deliveries_requeue", "delivery_create", "delivery_retry", "delivery_route"]


def delivery_route(case: Case) -> str:
    """The backend for a reply to ``case``: its channel's endpoint, else the usager's e-mail."""
    if ChannelEndpoint.objects.filter(
        administration_id=case.administration_id, channel=case.channel, is_active=True
    ).exists():
        return Delivery.Backend.HTTP_CALLBACK
    if case.usager_email:
        return Delivery.Backend.EMAIL
    return Delivery.Backend.NONE


def queue_delivery(delivery_id: int) -> None:
    """Queue the task once the current transaction commits (at once outside one). Only a
    nudge: with the broker down it is logged, and the delivery sweeper queues the row again."""
    queue_after_commit(deliver_reply, delivery_id)


@transaction.atomic
def delivery_create(*, reply_id: int) -> Delivery:
    """The reply's delivery row (one per reply: a second call returns the first)."""
    reply = Reply.objects.select_related("case").get(pk=reply_id)
    backend = delivery_route(reply.case)
    delivery, created = Delivery.objects.get_or_create(
        reply=reply, defaults={"backend": backend, "next_attempt_at": timezone.now()}
    )
    if created and backend == Delivery.Backend.NONE:
        delivery.status = Delivery.Status.FAILED
        delivery.last_error = "No delivery route: no channel endpoint and no e-mail address."
        delivery.save(update_fields=["status", "last_error", "updated_at"])
        case_event_record(
            case=reply.case,
            actor=None,
            kind=CaseEvent.Kind.DELIVERY_FAILED,
            data={"reply_id": reply.pk, "backend": backend, "error": delivery.last_error},
        )
    elif created:
        queue_delivery(delivery.pk)
    return delivery


@transaction.atomic
def delivery_retry(*, actor: User, delivery: Delivery) -> Delivery:
    """A manager sends a failed delivery again (after the channel's endpoint was fixed)."""
    case = lock_case(delivery.reply.case, actor)
    require_ability(actor, case, Ability.RETRY_DELIVERY)
    delivery = Delivery.objects.select_for_update().get(pk=delivery.pk)
    if delivery.status != Delivery.Status.FAILED:
        raise invalid("status", _("Only a failed delivery can be sent again."), "invalid_state")
    backend = delivery_route(case)
    if backend == Delivery.Backend.NONE:
        raise invalid(
            "backend",
            _("This case has no delivery route: no channel endpoint and no e-mail address."),
            "no_route",
        )
    previous = {"attempts": delivery.attempts, "error": delivery.last_error[:500]}
    delivery.backend = backend
    delivery.status = Delivery.Status.PENDING
    delivery.attempts = 0
    delivery.last_error = ""
    delivery.next_attempt_at = timezone.now()
    delivery.save(
        update_fields=[
            "backend",
            "status",
            "attempts",
            "last_error",
            "next_attempt_at",
            "updated_at",
        ]
    )
    case_event_record(
        case=case,
        actor=actor,
        kind=CaseEvent.Kind.DELIVERY_RETRIED,
        data={
            "reply_id": delivery.reply_id,
            "backend": backend,
            "previous_attempts": previous["attempts"],
            "previous_error": previous["error"],
        },
    )
    queue_delivery(delivery.pk)
    return delivery
