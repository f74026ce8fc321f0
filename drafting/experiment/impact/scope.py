"""Whose impact report a request may read, through the access door."""

from __future__ import annotations

from typing import Any

from django.http import Http404

from accounts.access import ReportScope, report_scope
from accounts.permissions import VIEW_DASHBOARD


def impact_scope(request: Any, requested: str | None) -> ReportScope:
    """The administration whose report the request's user asked for (``administration``, never
    None), and the ones national staff may choose from (``choices``).

    The tenant is the session's (or the token's); only national staff choose another one by
    id (``requested``), and the report is always one administration's: "all" is not a choice.
    Asking for an administration that is not yours answers 404, like one that does not exist;
    a role without the manager's permission answers 403.
    """
    requested = "" if requested is None else str(requested)
    if requested and not requested.isdigit():
        raise Http404
    scope = report_scope(
        request, VIEW_DASHBOARD, str(int(requested)) if requested else "", allow_all=False
    )
    if scope.administration is None:  # never without allow_all; for the type checker
        raise Http404
    return scope
