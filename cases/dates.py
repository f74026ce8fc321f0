"""Dates that come from outside (intake payloads, imported knowledge) stay in a sensible range.

A date before ``EARLIEST`` or after tomorrow is a typo or an attack, not a fact: a publication
date of year 1 would otherwise number a case ``CAF69-1-000001``, put it first in every sort and
distort every report by year. Refused with a clear field error, never stored.
"""

from __future__ import annotations

import datetime as dt

from django.utils import formats, timezone
from django.utils.translation import gettext as _

EARLIEST = dt.date(2000, 1, 1)


def date_range() -> tuple[dt.date, dt.date]:
    """The dates accepted today: from EARLIEST to tomorrow (time zones differ by a day)."""
    return EARLIEST, timezone.localdate() + dt.timedelta(days=1)


def date_out_of_range(value: dt.date | dt.datetime) -> str | None:
    """The error message for a date outside the range, or None when it is inside."""
    day = value
    if isinstance(value, dt.datetime):
        day = timezone.localtime(value).date() if timezone.is_aware(value) else value.date()
    earliest, latest = date_range()
    if earliest <= day <= latest:
        return None
    return _("Give a date between %(earliest)s and %(latest)s.") % {
        "earliest": formats.date_format(earliest, "SHORT_DATE_FORMAT"),
        "latest": formats.date_format(latest, "SHORT_DATE_FORMAT"),
    }
