"""Whose journal a request reads, asked of the access door."""

from __future__ import annotations

from typing import Any

from ..access import ReportScope, is_national_staff, report_scope
from ..permissions import VIEW_AUDIT


def journal_scope(request: Any, requested: str | None) -> ReportScope:
    """National staff read every journal, narrowed by the filter form's ``administration``
    (an unknown one is a form error, like any other filter). Anyone else reads the journal of
    the administration they work in (the token's or the session's, never the request's):
    naming another one answers 404, exactly like one that does not exist, and a role without
    the audit permission answers 403."""
    if is_national_staff(request.user):
        return report_scope(request, VIEW_AUDIT)
    return report_scope(request, VIEW_AUDIT, requested)
