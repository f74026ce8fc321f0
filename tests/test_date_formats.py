"""Dates read the same way on a French and an English page: day first, 24-hour clock.

Django's English formats are American (``m/d/Y``, ``p.m.``), while the templates and the
inbox write day-first dates: on one English page a date written by a template and one
written by ``SHORT_DATE_FORMAT`` read in two different orders.
"""

from __future__ import annotations

import datetime as dt

import pytest
from django.template import Context, Template
from django.utils import formats, translation

MOMENT = dt.datetime(2026, 7, 12, 14, 5)


@pytest.mark.parametrize(
    ("language", "short_date", "short_datetime", "long_datetime"),
    [
        ("fr", "12/07/2026", "12/07/2026 14:05", "12 juillet 2026 14:05"),
        ("en", "12/07/2026", "12/07/2026 14:05", "12 Jul 2026, 14:05"),
    ],
)
def test_dates_are_day_first_with_a_24_hour_clock(
    language, short_date, short_datetime, long_datetime
):
    with translation.override(language):
        assert formats.date_format(MOMENT.date(), "SHORT_DATE_FORMAT") == short_date
        assert formats.date_format(MOMENT, "SHORT_DATETIME_FORMAT") == short_datetime
        assert formats.date_format(MOMENT, "DATETIME_FORMAT") == long_datetime


def test_an_english_template_date_reads_day_first():
    template = Template('{{ when|date:"SHORT_DATETIME_FORMAT" }} · {{ when|date }}')
    with translation.override("en"):
        assert template.render(Context({"when": MOMENT})) == "12/07/2026 14:05 · 12 Jul 2026"
