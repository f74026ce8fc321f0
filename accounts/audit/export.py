"""The journal as CSV rows: what the export reads of each entry, and its columns."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any

from django.utils.translation import gettext

from .words import Words

# What the export reads of each entry: plain values, no model instances (an export may be
# a few hundred thousand rows).
EXPORT_FIELDS = (
    "created_at",
    "administration__name",
    "actor_label",
    "category",
    "action",
    "target_label",
    "data",
)


def entry_row(
    entry: Mapping[str, Any], *, words: Words, tz: dt.tzinfo, with_administration: bool
) -> list[Any]:
    """One CSV row from an entry's ``EXPORT_FIELDS``; the columns are ``csv_header``'s (the
    export helper writes the date as ``dd/mm/yyyy hh:mm:ss`` and neutralises the texts)."""
    row: list[Any] = [entry["created_at"].astimezone(tz).replace(tzinfo=None)]
    if with_administration:
        row.append(entry["administration__name"])
    row += [
        entry["actor_label"] or words.gettext("system"),
        words.category(entry["category"]),
        words.action(entry["action"]),
        entry["action"],
        words.target(entry["target_label"], entry["data"]),
        words.details_text(entry["data"]),
    ]
    return row


def csv_header(*, with_administration: bool) -> list[str]:
    columns = [gettext("Date")]
    if with_administration:
        columns.append(gettext("Administration"))
    columns += [
        gettext("By"),
        gettext("Category"),
        gettext("Action"),
        gettext("Action code"),
        gettext("Subject"),
        gettext("Details"),
    ]
    return columns
