"""The words of a dashboard drill-down: which figure a list of cases in the inbox comes from, and
with which filter ("Dossiers ouverts de Marie Dupont · en retard"), for the inbox's banner."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any

from django.utils import formats
from django.utils.translation import gettext as _

from accounts.models import Administration
from accounts.selectors import member_of

from ..models import Channel


def _day(value: dt.date) -> str:
    return formats.date_format(value, "SHORT_DATE_FORMAT")


def _between(start: dt.date | None, end: dt.date | None) -> str:
    if start and end:
        return _("from %(start)s to %(end)s") % {"start": _day(start), "end": _day(end)}
    if start:
        return _("since %(start)s") % {"start": _day(start)}
    return _("until %(end)s") % {"end": _day(end)} if end else ""


def _name(administration: Administration, user_id: int) -> str:
    # Only a member of the administration is named: an id from the query string must not
    # reveal who a user of another administration is.
    user = member_of(administration, user_id)
    return user.display_name if user else "—"


def describe_drill_down(data: Mapping[str, Any], administration: Administration) -> str:
    """The figure and its filter in words, from the inbox filter form's cleaned data; empty when
    the list is not a drill-down. ``administration``: the inbox's (only its members are
    named)."""
    parts: list[str] = []
    if data.get("open") or data.get("due_soon"):
        assignee = data.get("assignee")
        if assignee:
            parts.append(_("Open cases of %(name)s") % {"name": _name(administration, assignee)})
        elif data.get("unassigned"):
            parts.append(_("Open cases nobody has taken"))
        else:
            parts.append(_("Open cases"))
        if data.get("due_soon"):
            parts.append(_("due within 48 h"))
        if data.get("overdue"):
            parts.append(_("overdue"))
    created = _between(data.get("created_from"), data.get("created_to"))
    if created:
        parts.append(_("New cases %(period)s") % {"period": created})
    answered = _between(data.get("answered_from"), data.get("answered_to"))
    if answered:
        parts.append(_("Cases answered %(period)s") % {"period": answered})
    surveyed = _between(data.get("surveyed_from"), data.get("surveyed_to"))
    if surveyed:
        parts.append(_("Survey answers %(period)s") % {"period": surveyed})
    if data.get("rating"):
        parts.append(_("rating %(rating)s out of 5") % {"rating": data["rating"]})
    if not parts and data.get("assignee"):
        parts.append(_("Cases of %(name)s") % {"name": _name(administration, data["assignee"])})
    if parts and data.get("channel"):
        channel = dict(Channel.choices).get(data["channel"], data["channel"])
        parts.append(_("channel: %(channel)s") % {"channel": channel})
    return " · ".join(parts)
