"""The case journal's one write path: every ``CaseEvent`` row is written here.

The journal is append-only (the model and the database refuse updates and deletes); a service
writes its line in the same transaction as the change it records.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

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
