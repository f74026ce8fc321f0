"""The floors of the case API: what the same pages cost without the REST framework.

Bare Django views behind the same middleware (session, user, current administration) that
return the administration's first page of cases (``floor``) or one case (``floor_detail``),
with the same fields as the API, from raw SQL. The API's cost above them is DRF,
authentication, permissions, the selector and serialization.
"""

from __future__ import annotations

import json

from django.db import connection
from django.http import HttpRequest, HttpResponse

SQL = """
SELECT c.id, c.reference, c.channel, c.subject, c.status, c.priority, c.topic_id, t.name,
       c.assignee_id, NULLIF(TRIM(u.first_name || ' ' || u.last_name), ''), u.email,
       c.due_at, c.created_at, c.version
FROM cases_case c
LEFT JOIN cases_topic t ON t.id = c.topic_id
LEFT JOIN accounts_user u ON u.id = c.assignee_id
WHERE c.administration_id = %s
ORDER BY c.due_at, c.id
LIMIT %s
"""

DETAIL_SQL = """
SELECT c.id, c.reference, c.channel, c.subject, c.status, c.priority, c.topic_id, t.name,
       c.assignee_id, NULLIF(TRIM(u.first_name || ' ' || u.last_name), ''), u.email,
       c.due_at, c.created_at, c.version,
       c.body, c.usager_name, c.usager_email, c.usager_phone, c.assigned_at,
       c.first_opened_at, c.answered_at, c.closed_at, c.transferred_from_id
FROM cases_case c
LEFT JOIN cases_topic t ON t.id = c.topic_id
LEFT JOIN accounts_user u ON u.id = c.assignee_id
WHERE c.administration_id = %s AND c.id = %s
"""

REPLIES_SQL = """
SELECT r.id, r.created_at, r.author_id, NULLIF(TRIM(u.first_name || ' ' || u.last_name), ''),
       u.email, r.body, d.status
FROM cases_reply r
JOIN accounts_user u ON u.id = r.author_id
LEFT JOIN cases_delivery d ON d.reply_id = r.id
WHERE r.case_id = %s
ORDER BY r.created_at, r.id
"""

ATTACHMENTS_SQL = """
SELECT reply_id, id, original_name, content_type, size FROM cases_attachment
WHERE reply_id = ANY(%s) ORDER BY created_at, id
"""


def _iso(value):
    return value.isoformat() if value is not None else None


def _row(r) -> dict:
    return {
        "id": r[0],
        "reference": r[1],
        "channel": r[2],
        "subject": r[3],
        "status": r[4],
        "priority": r[5],
        "topic": r[6],
        "topic_name": r[7],
        "assignee": r[8],
        "assignee_name": (r[9] or r[10]) if r[8] else None,
        "due_at": r[11].isoformat(),
        "created_at": r[12].isoformat(),
        "version": r[13],
    }


def _signed_in_administration(request: HttpRequest):
    administration = getattr(request, "administration", None)
    if not request.user.is_authenticated or not administration:
        return None
    return administration


def floor(request: HttpRequest) -> HttpResponse:
    administration = _signed_in_administration(request)
    if administration is None:
        return HttpResponse(status=401)
    size = 50
    with connection.cursor() as cursor:
        cursor.execute(SQL, [administration.pk, size + 1])
        rows = cursor.fetchall()
    results = [_row(r) for r in rows[:size]]
    body = {"next": "more" if len(rows) > size else None, "results": results}
    return HttpResponse(json.dumps(body), content_type="application/json")


def floor_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """One case of the request's administration with its replies and their files (two raw
    queries, three when the case has replies: as many as the API)."""
    administration = _signed_in_administration(request)
    if administration is None:
        return HttpResponse(status=401)
    with connection.cursor() as cursor:
        cursor.execute(DETAIL_SQL, [administration.pk, pk])
        r = cursor.fetchone()
        if r is None:
            return HttpResponse(status=404)
        cursor.execute(REPLIES_SQL, [pk])
        replies = cursor.fetchall()
        files: dict[int, list[dict]] = {}
        if replies:
            cursor.execute(ATTACHMENTS_SQL, [[x[0] for x in replies]])
            for reply_id, attachment_id, name, content_type, size in cursor.fetchall():
                files.setdefault(reply_id, []).append(
                    {"id": attachment_id, "name": name, "content_type": content_type, "size": size}
                )
    body = _row(r)
    body.update(
        {
            "body": r[14],
            "usager_name": r[15],
            "usager_email": r[16],
            "usager_phone": r[17],
            "assigned_at": _iso(r[18]),
            "first_opened_at": _iso(r[19]),
            "answered_at": _iso(r[20]),
            "closed_at": _iso(r[21]),
            "transferred_from": r[22],
            "replies": [
                {
                    "id": x[0],
                    "created_at": x[1].isoformat(),
                    "author": x[2],
                    "author_name": x[3] or x[4],
                    "body": x[5],
                    "attachments": files.get(x[0], []),
                    "delivery_status": x[6],
                }
                for x in replies
            ],
        }
    )
    return HttpResponse(json.dumps(body), content_type="application/json")
