"""The inbox's rows as the page shows them: read as plain values and put into words once, in
Python, so that the template only places them.

The rows are most of the inbox's cost in Python. Model instances (a case, its assignee and its
topic per row) and a template that resolves some twenty variables, filters and translations per
row cost about 9 ms of CPU for 50 rows; the values and these prepared rows cost about 3 ms
(measured on the bulk base, docs/design.md "Inbox counts and rows").
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from django.db.models import Choices
from django.urls import reverse
from django.utils import timezone
from django.utils.text import Truncator
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from accounts.models import person_name

from .models import OPEN_STATUSES, Channel, Priority, Status, topic_label
from .models.case import choice_label
from .selectors import DUE_SOON

SUBJECT_CHARS = 120


@dataclass(frozen=True, slots=True)
class InboxRow:
    pk: int
    reference: str
    subject: str  # cut to SUBJECT_CHARS
    details: str  # "reference · channel · topic · priority", the line under the subject
    status: str  # the status's label
    assignee: str  # the assignee's name, "" when nobody has the case
    due: str  # dd/mm/yyyy in the current time zone
    urgency: str  # "overdue", "soon" (due within DUE_SOON) or "" (closed cases: always "")
    takeable: bool  # new and unassigned: the row offers **Take** to whoever may work cases
    detail_url: str
    take_url: str


def urls_by_pk(name: str) -> Callable[[int], str]:
    """``reverse(name, args=[pk])`` for any pk, at the cost of one reverse (reversing per row
    was a fifth of the rows' rendering)."""
    marker = 918273645
    before, after = reverse(name, args=[marker]).split(str(marker))
    return lambda pk: f"{before}{pk}{after}"


def _label(choices: type[Choices], value: Any, labels: dict[Any, str]) -> str:
    """``choice_label``, once per value and page."""
    if value not in labels:
        labels[value] = choice_label(choices, value)
    return labels[value]


def inbox_rows(values: Iterable[Mapping[str, Any]], *, now: dt.datetime) -> list[InboxRow]:
    """The rows from ``selectors.ROW_VALUES``, in the active language and time zone."""
    tz = timezone.get_current_timezone()
    soon = now + DUE_SOON
    detail_url, take_url = urls_by_pk("cases:detail"), urls_by_pk("cases:take")
    labels: dict[type[Choices], dict[Any, str]] = {Status: {}, Channel: {}, Priority: {}}
    priority_word = _("Priority")
    separator = pgettext("label separator", ": ")
    rows = []
    for case in values:
        status, due_at = case["status"], case["due_at"]
        is_open = status in OPEN_STATUSES
        details = [case["reference"], _label(Channel, case["channel"], labels[Channel])]
        if case["topic_id"] is not None:
            details.append(topic_label(case["topic__name"]))
        if case["priority"] != Priority.NORMAL:
            priority = _label(Priority, case["priority"], labels[Priority])
            details.append(f"{priority_word}{separator}{priority}")
        assignee = ""
        if case["assignee_id"] is not None:
            assignee = person_name(
                case["assignee__first_name"], case["assignee__last_name"], case["assignee__email"]
            )
        rows.append(
            InboxRow(
                pk=case["id"],
                reference=case["reference"],
                subject=Truncator(case["subject"]).chars(SUBJECT_CHARS),
                details=" · ".join(details),
                status=_label(Status, status, labels[Status]),
                assignee=assignee,
                due=due_at.astimezone(tz).strftime("%d/%m/%Y"),
                urgency=(
                    ("overdue" if due_at < now else "soon" if due_at < soon else "")
                    if is_open
                    else ""
                ),
                takeable=status == Status.NEW and case["assignee_id"] is None,
                detail_url=detail_url(case["id"]),
                take_url=take_url(case["id"]),
            )
        )
    return rows
