"""The case journal's one write path: every ``CaseEvent`` row is written here.

The journal is append-only (the model and the database refuse updates and deletes); a service
writes its line in the same transaction as the change it records.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from typing import Any

from django.db import connection
from django.db.transaction import TransactionManagementError

from accounts.models import User

from ..models import Case, CaseEvent
from ..notifications.services import notify_for_event


def case_event_record(
    *,
    case: Case | None = None,
    case_id: int | None = None,
    actor: User | None,
    kind: str,
    from_status: str = "",
    to_status: str = "",
    data: dict[str, Any] | None = None,
) -> CaseEvent:
    """One line of ``case``'s journal (``case_id`` when only the id is at hand).

    ``actor`` is None when nobody in the house acted (intake, delivery workers).
    """
    if (case is None) == (case_id is None):
        raise TypeError("case_event_record needs exactly one of case and case_id.")
    target = {"case": case} if case is not None else {"case_id": case_id}
    event = CaseEvent.objects.create(
        **target,
        actor=actor,
        kind=kind,
        from_status=from_status,
        to_status=to_status,
        data=data or {},
    )
    # The agent is told in the same transaction (an assignment, the usager's answer).
    notify_for_event(event)
    return event


def case_events_record_many(
    *,
    cases: Iterable[Case],
    actor: User | None,
    kind: str,
    to_status: str = "",
    data: dict[str, Any] | None = None,
) -> list[CaseEvent]:
    """The same line in the journal of each of ``cases`` (one INSERT); ``from_status`` is each
    case's status as given."""
    return CaseEvent.objects.bulk_create(
        CaseEvent(
            case=case,
            actor=actor,
            kind=kind,
            from_status=case.status,
            to_status=to_status,
            data=dict(data or {}),
        )
        for case in cases
    )


# Journal data a redaction keeps: facts about the handling, never what the usager wrote or who
# they are (ids, counts, flags, and these few vocabulary strings).
REDACTION_KEPT_STRINGS = frozenset(
    {"source", "backend", "channel", "status", "outcome", "from_status", "to_status", "reason"}
)
REDACTED = "[anonymisé]"

_SQLITE_TRIGGER = """CREATE TRIGGER cases_caseevent_no_update BEFORE UPDATE ON cases_caseevent
       BEGIN SELECT RAISE(ABORT, 'cases_caseevent is append-only (UPDATE refused)'); END;"""


def _redacted(value: Any, key: str = "") -> Any:
    if isinstance(value, dict):
        return {k: _redacted(v, str(k)) for k, v in value.items()}
    if isinstance(value, list):
        return [_redacted(v, key) for v in value]
    if isinstance(value, str) and value and key not in REDACTION_KEPT_STRINGS:
        return REDACTED
    return value


def case_events_redact(*, case_ids: Sequence[int]) -> int:
    """Remove the usager's data from the journal of ``case_ids`` (retention, erasure): every
    entry stays (kind, actor, statuses, date), its details lose their free text. The only
    update the journal accepts: the database lets it through only inside this function
    (PostgreSQL: the ``guichet.journal_redaction`` setting for this transaction, and only the
    ``data`` column may change; SQLite: the trigger is lifted and restored in the
    transaction). Runs in the caller's transaction."""
    if not connection.in_atomic_block:
        raise TransactionManagementError("case_events_redact runs inside a transaction.")
    changes = []
    for pk, data in CaseEvent.objects.filter(case_id__in=list(case_ids)).values_list("pk", "data"):
        redacted = _redacted(data or {})
        if redacted != data:
            changes.append((json.dumps(redacted), pk))
    if not changes:
        return 0
    table = connection.ops.quote_name(CaseEvent._meta.db_table)
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SELECT set_config('guichet.journal_redaction', 'on', true)")
            cursor.executemany(f"UPDATE {table} SET data = %s::jsonb WHERE id = %s", changes)  # noqa: S608
            cursor.execute("SELECT set_config('guichet.journal_redaction', 'off', true)")
        else:
            cursor.execute("DROP TRIGGER IF EXISTS cases_caseevent_no_update")
            cursor.executemany(f"UPDATE {table} SET data = %s WHERE id = %s", changes)  # noqa: S608
            cursor.execute(_SQLITE_TRIGGER)
    return len(changes)
