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

from django.db import connection
from django.db.models import Model
from django.utils import timezone
from django.utils.dateparse import parse_datetime

from accounts.models import User, person_name
from cases.models import Attachment, Case, Delivery, Reply
from cases.permissions import Ability, case_abilities
from cases.transitions import allowed_actions


def iso(value: dt.datetime | None, tz: dt.tzinfo) -> str | None:
    """DRF's ``DateTimeField``: ISO 8601 in the current time zone, ``Z`` for UTC."""
    if not value:
        return None
    text = value.astimezone(tz).isoformat()
    return f"{text[:-6]}Z" if text.endswith("+00:00") else text


def list_row(values: Mapping[str, Any], tz: dt.tzinfo) -> dict[str, Any]:
    """One row of the list from ``selectors.ROW_VALUES``."""
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


# The replies of a case as the detail shows them: one query for the replies with their
# author's name and their delivery's status, one more for their files when there are replies.
# Plain SQL on the tables of the models (the ORM built these two queries, with model instances
# for replies, authors, deliveries and files, at about three times the cost of the database).
_REPLIES_SQL = """
SELECT r.id, r.created_at, r.author_id, u.first_name, u.last_name, u.email, r.body, d.status
FROM {reply} r
JOIN {user} u ON u.id = r.author_id
LEFT JOIN {delivery} d ON d.reply_id = r.id
WHERE r.case_id = %s
ORDER BY r.created_at, r.id
"""
_FILES_SQL = """
SELECT reply_id, id, original_name, content_type, size FROM {attachment}
WHERE reply_id IN ({ids})
ORDER BY created_at, id
"""


def _table(model: type[Model]) -> str:
    return connection.ops.quote_name(model._meta.db_table)


def _aware(value: dt.datetime | str) -> dt.datetime:
    """A datetime column read by plain SQL as the ORM reads it (SQLite answers text)."""
    if isinstance(value, str):
        parsed = parse_datetime(value)
        if parsed is None:
            raise ValueError(f"Not a datetime: {value!r}")
        value = parsed
    return value if timezone.is_aware(value) else timezone.make_aware(value, dt.UTC)


def reply_rows(case_id: int) -> list[dict[str, Any]]:
    """The detail's ``replies`` of case ``case_id``, rendered as ``CaseReplySerializer``."""
    tz = timezone.get_current_timezone()
    with connection.cursor() as cursor:
        cursor.execute(
            _REPLIES_SQL.format(reply=_table(Reply), user=_table(User), delivery=_table(Delivery)),
            [case_id],
        )
        replies = cursor.fetchall()
        if not replies:
            return []
        ids = [row[0] for row in replies]
        cursor.execute(
            _FILES_SQL.format(attachment=_table(Attachment), ids=", ".join(["%s"] * len(ids))),
            ids,
        )
        files: dict[int, list[dict[str, Any]]] = {reply_id: [] for reply_id in ids}
        for reply_id, pk, name, content_type, size in cursor.fetchall():
            files[reply_id].append(
                {"id": pk, "name": name, "content_type": content_type, "size": size}
            )
    return [
        {
            "id": pk,
            "created_at": iso(_aware(created_at), tz),
            "author": author_id,
            "author_name": person_name(first_name, last_name, email),
            "body": body,
            "attachments": files[pk],
            "delivery_status": delivery_status,
        }
        for pk, created_at, author_id, first_name, last_name, email, body, delivery_status in (
            replies
        )
    ]


def case_detail(case: Case, user: User | None) -> dict[str, Any]:
    """The case as ``CaseDetailSerializer`` renders it, ``abilities`` those of ``user`` (none
    without a user). ``case`` has its topic and assignee loaded (``case_for_request``); its
    replies cost one query, two when it has some (``reply_rows``)."""
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
        "replies": reply_rows(case.pk),
        "actions": allowed_actions(case.status),
        "abilities": abilities,
    }
