"""The floor of the case list: what the same page costs without the REST framework.

A bare Django view behind the same middleware (session, user, current administration) that
returns the first page of the administration's cases, with the same fields as the API's list,
from one raw SQL query. The API's cost above this is DRF, permissions, the selector and
serialization.
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


def floor(request: HttpRequest) -> HttpResponse:
    administration = getattr(request, "administration", None)
    if not request.user.is_authenticated or not administration:
        return HttpResponse(status=401)
    size = 50
    with connection.cursor() as cursor:
        cursor.execute(SQL, [administration.pk, size + 1])
        rows = cursor.fetchall()
    results = [
        {
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
        for r in rows[:size]
    ]
    body = {"next": "more" if len(rows) > size else None, "results": results}
    return HttpResponse(json.dumps(body), content_type="application/json")
