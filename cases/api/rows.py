"""The case list and the case detail rendered by hand: the JSON of ``CaseListSerializer`` and
``CaseDetailSerializer`` (which still describe it in the schema), field for field, without
their per-field machinery.

The list reads plain values (no model instances); a serializer walked 13 fields × 50 rows
through ``get_attribute`` and ``to_representation`` and cost more than the query.
``tests/api/test_case_rows.py`` compares both outputs on varied cases: change a serializer and
this module together.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any

from django.db.models import Prefetch
from django.utils import timezone

from accounts.models import User
from cases.models import Case, Delivery, Reply
from cases.permissions import Ability, case_abilities
from cases.transitions import allowed_actions

# What a list row reads: CaseListSerializer's fields, the topic's name and the assignee's name.
LIST_VALUES = (
    "id",
    "reference",
    "channel",
    "subject",
    "status",
    "priority",
    "topic_id",
    "topic__name",
    "assignee_id",
    "assignee__first_name",
    "assignee__last_name",
    "assignee__email",
    "due_at",
    "created_at",
    "version",
)


def iso(value: dt.datetime | None, tz: dt.tzinfo) -> str | None:
    """DRF's ``DateTimeField``: ISO 8601 in the current time zone, ``Z`` for UTC."""
    if not value:
        return None
    text = value.astimezone(tz).isoformat()
    return f"{text[:-6]}Z" if text.endswith("+00:00") else text


def person_name(first_name: str, last_name: str, email: str) -> str:
    """``User.display_name`` from its columns."""
    return f"{first_name} {last_name}".strip() or email


def list_row(values: Mapping[str, Any], tz: dt.tzinfo) -> dict[str, Any]:
    """One row of the list from ``LIST_VALUES``."""
    assignee = values["assignee_id"]
    return {
        "id": values["id"],
        "reference": values["reference"],
        "channel": values["channel"],
        "subject": values["subject"],
        "status": values["status"],
        "priority": values["priority"],
        "topic": values["topic_id"],
        "topic_name": values["topic__name"] if values["topic_id"] is not None else None,
        "assignee": assignee,
        "assignee_name": (
            person_name(
                values["assignee__first_name"],
                values["assignee__last_name"],
                values["assignee__email"],
            )
            if assignee is not None
            else None
        ),
        "due_at": iso(values["due_at"], tz),
        "created_at": iso(values["created_at"], tz),
        "version": values["version"],
    }


def list_rows(rows: list[Mapping[str, Any]]) -> list[dict[str, Any]]:
    tz = timezone.get_current_timezone()
    return [list_row(values, tz) for values in rows]


def _reply(reply: Reply, tz: dt.tzinfo) -> dict[str, Any]:
    try:
        delivery_status = reply.delivery.status
    except Delivery.DoesNotExist:
        delivery_status = None
    return {
        "id": reply.pk,
        "created_at": iso(reply.created_at, tz),
        "author": reply.author_id,
        "author_name": reply.author.display_name,
        "body": reply.body,
        "attachments": [
            {
                "id": attachment.pk,
                "name": attachment.original_name,
                "content_type": attachment.content_type,
                "size": attachment.size,
            }
            for attachment in reply.attachments.all()
        ],
        "delivery_status": delivery_status,
    }


# The replies of a case as the detail shows them: two queries (the replies with their author
# and delivery, then their attachments when there are replies).
REPLIES = Prefetch(
    "replies",
    queryset=Reply.objects.select_related("author", "delivery").prefetch_related("attachments"),
)


def case_detail(case: Case, user: User | None) -> dict[str, Any]:
    """The case as ``CaseDetailSerializer`` renders it, ``abilities`` those of ``user`` (none
    without a user). ``case`` has its topic and assignee loaded (``case_for_request``), and
    its replies (``REPLIES``) unless a query per reply is fine."""
    tz = timezone.get_current_timezone()
    assignee = case.assignee if case.assignee_id is not None else None
    topic = case.topic if case.topic_id is not None else None
    if user is None:
        abilities: list[str] = []
    else:
        granted = case_abilities(user, case)
        abilities = [ability.value for ability in Ability if ability in granted]
    return {
        "id": case.pk,
        "reference": case.reference,
        "channel": case.channel,
        "subject": case.subject,
        "status": case.status,
        "priority": case.priority,
        "topic": case.topic_id,
        "topic_name": topic.name if topic is not None else None,
        "assignee": case.assignee_id,
        "assignee_name": assignee.display_name if assignee is not None else None,
        "due_at": iso(case.due_at, tz),
        "created_at": iso(case.created_at, tz),
        "version": case.version,
        "body": case.body,
        "usager_name": case.usager_name,
        "usager_email": case.usager_email,
        "usager_phone": case.usager_phone,
        "assigned_at": iso(case.assigned_at, tz),
        "first_opened_at": iso(case.first_opened_at, tz),
        "answered_at": iso(case.answered_at, tz),
        "closed_at": iso(case.closed_at, tz),
        "transferred_from": case.transferred_from_id,
        "replies": [_reply(reply, tz) for reply in case.replies.all()],
        "actions": allowed_actions(case.status),
        "abilities": abilities,
    }
