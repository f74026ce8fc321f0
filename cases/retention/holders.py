"""The tables of cases that hold a usager's personal data (see registry.py). Imported from
``CasesConfig.ready()``."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django.db import transaction

from ..models import Attachment, Case, CaseEvent
from ..services.journal import case_events_redact
from .registry import Holder, by_case, declare_no_personal, register

ANONYMISED_SUBJECT = "—"

CASE_EXPORTED = (
    "reference",
    "channel",
    "subject",
    "body",
    "usager_name",
    "usager_email",
    "usager_phone",
    "status",
    "created_at",
    "answered_at",
    "closed_at",
    "anonymised_at",
)


def _case_export(case_ids: Sequence[int]) -> list[dict[str, Any]]:
    return list(Case.objects.filter(pk__in=case_ids).order_by("pk").values("pk", *CASE_EXPORTED))


def _case_erase(case_ids: Sequence[int]) -> int:
    # The statistics facts (channel, topic, status, dates, assignee) stay: the dashboards and
    # the impact report read them. ``anonymised_at`` is set by the caller (cases_anonymise).
    return Case.objects.filter(pk__in=case_ids).update(
        subject=ANONYMISED_SUBJECT, body="", usager_name="", usager_email="", usager_phone=""
    )


register(
    Holder(
        model="cases.Case",
        personal=("subject", "body", "usager_name", "usager_email", "usager_phone"),
        export=_case_export,
        erase=_case_erase,
        kept={
            "reference": "the administration's own number, no usager data",
            "channel": "statistics fact",
            "status": "statistics fact",
        },
    )
)
by_case(
    "cases.Reply",
    personal=("body",),
    exported=("body", "created_at"),
)
by_case(
    "cases.InternalNote",
    personal=("body",),
    exported=("body", "created_at"),
)
by_case(
    "cases.SatisfactionResponse",
    personal=("comment",),
    exported=("rating", "answered", "comment", "created_at"),
    kept={"answered": "statistics fact (yes, partly, no)"},
)
by_case(
    "cases.Delivery",
    personal=("last_error",),  # a refused recipient's address appears in the error
    exported=("backend", "status", "last_error", "delivered_at"),
    case_field="reply__case_id",
    kept={
        "backend": "a backend's name",
        "status": "delivery state",
        "message_id": "a random Message-ID made by Guichet (threads the usager's answers)",
    },
)
by_case(
    "cases.InboundEmail",
    personal=("message_id", "sender", "subject", "full_text"),
    exported=("message_id", "sender", "subject", "full_text", "outcome", "created_at"),
    kept={
        "message_key": "a hash of the message: no data, keeps the message from being read twice",
        "outcome": "created or appended",
    },
)
by_case(
    "cases.Acknowledgement",
    personal=("subject", "body", "last_error"),
    exported=("backend", "status", "subject", "body", "sent_at"),
    kept={
        "backend": "a backend's name",
        "status": "sending state",
        "message_id": "a random Message-ID made by Guichet (threads the usager's answers)",
    },
)
# Quarantined e-mails are not linked to a case (they could not be read): a rights request
# cannot find them by case, so they are kept no longer than MAIL_QUARANTINE_DAYS
# (services.quarantine_purge, run by the retention purge).
register(
    Holder(
        model="cases.QuarantinedEmail",
        personal=("raw", "source", "message_id", "error"),
        export=lambda case_ids: [],
        erase=lambda case_ids: 0,
        kept={"sha256": "a hash of the message, no data"},
    )
)
by_case(
    "cases.IntakeDelivery",
    personal=("external_id",),
    exported=("channel", "external_id", "created_at"),
    kept={
        "key": "the channel's idempotency key (random), not the usager's",
        "payload_hash": "a hash, no data",
        "channel": "statistics fact",
    },
)


def _attachment_export(case_ids: Sequence[int]) -> list[dict[str, Any]]:
    rows = Attachment.objects.filter(case_id__in=case_ids).order_by("pk")
    fields = ("pk", "case_id", "file", "original_name", "content_type", "size")
    return [dict(row) for row in rows.values(*fields)]


def _attachment_erase(case_ids: Sequence[int]) -> int:
    """Rows deleted now, files once the transaction commits (a rollback keeps both)."""
    rows = list(Attachment.objects.filter(case_id__in=case_ids))
    if not rows:
        return 0
    storage = rows[0].file.storage
    names = [row.file.name for row in rows if row.file.name]
    Attachment.objects.filter(pk__in=[row.pk for row in rows]).delete()

    def remove_files() -> None:
        for name in names:
            storage.delete(name)

    transaction.on_commit(remove_files)
    return len(rows)


register(
    Holder(
        model="cases.Attachment",
        personal=("file", "original_name"),
        export=_attachment_export,
        erase=_attachment_erase,
        kept={
            "content_type": "detected type",
            "pending_token": "a random token binding a preview's files to their agent: no data",
            "sha256": "a hash (the row is deleted anyway)",
        },
    )
)


def _events_export(case_ids: Sequence[int]) -> list[dict[str, Any]]:
    rows = CaseEvent.objects.filter(case_id__in=case_ids).order_by("created_at", "id")
    return [dict(row) for row in rows.values("pk", "case_id", "kind", "data", "created_at")]


def _events_erase(case_ids: Sequence[int]) -> int:
    return case_events_redact(case_ids=case_ids)


register(
    Holder(
        model="cases.CaseEvent",
        personal=("data",),
        export=_events_export,
        erase=_events_erase,
        kept={
            "kind": "what happened (the entry stays)",
            "from_status": "statistics fact",
            "to_status": "statistics fact",
        },
    )
)

for _model, _reason in {
    "cases.ReferenceCounter": "counters",
    "cases.CaseTally": "counters",
    "cases.DailyActivity": (
        "counts and duration histograms per day, channel and topic: no case, no usager"
    ),
    "cases.Topic": "the administration's topics",
    "cases.ResponseDeadline": "settings",
    "cases.ChannelEndpoint": "the channel's endpoint (an administration's setting)",
    "cases.RetentionPolicy": "settings",
    "cases.Mailbox": "the administration's mailbox settings",
    "cases.AcknowledgementSettings": "the administration's acknowledgement text",
    "cases.MailboxMessage": (
        "the UID and Message-ID of each message read, so that none is read twice: no address, "
        "no text"
    ),
    "cases.Notification": "which agent was told what about a case: no usager data",
    "cases.NotificationPreference": "an agent's choices",
    "accounts.FollowUp": (
        "the ids of the work left to do (cases, replies, members) and a failed attempt's error"
    ),
    "accounts.User": "agents, not usagers",
    "accounts.Administration": "the tenants",
    "accounts.Membership": "agents' roles",
    "accounts.RoleGroup": "roles' permission groups",
    "accounts.ConsentText": "the administration's text",
    "accounts.Enrolment": "agents' enrolment",
    "accounts.ApiToken": "agents' and systems' tokens",
    "accounts.AuditEntry": (
        "the administration journal names agents and case references, never a usager: rights "
        "requests journal counts and references, not the identifier"
    ),
}.items():
    declare_no_personal(_model, _reason)
