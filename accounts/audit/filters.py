"""The journal's filters (the page, the CSV export and the API share them) and its pages."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass

from django import forms
from django.core.validators import MaxValueValidator, MinValueValidator
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext_lazy as _

from ..models import Administration, AuditEntry
from .words import Words, known_actions

# Entries per page, on the page and (by default) in the API.
PAGE_SIZE = 50

# Far enough apart for any real journal, near enough that a day's bounds stay datetimes.
_FIRST_DAY = dt.date(2000, 1, 1)
_LAST_DAY = dt.date(9998, 12, 31)


@dataclass(frozen=True)
class AuditFilters:
    category: str = ""
    action: str = ""
    actor: str = ""
    target: str = ""
    date_from: dt.date | None = None
    date_to: dt.date | None = None
    q: str = ""


class AuditFilterForm(forms.Form):
    """The journal's filters (GET), shared by the page, the CSV export and the API."""

    q = forms.CharField(label=_("Search"), required=False, max_length=200, strip=True)
    category = forms.ChoiceField(label=_("Category"), required=False)
    # Any action name filters (other modules add actions); the list only helps choose one.
    action = forms.CharField(label=_("Action"), required=False, max_length=60, widget=forms.Select)
    actor = forms.CharField(
        label=_("By (e-mail contains)"), required=False, max_length=254, strip=True
    )
    target = forms.CharField(
        label=_("Subject contains"), required=False, max_length=300, strip=True
    )
    date_from = forms.DateField(
        label=_("From"),
        required=False,
        validators=[MinValueValidator(_FIRST_DAY), MaxValueValidator(_LAST_DAY)],
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )
    date_to = forms.DateField(
        label=_("To"),
        required=False,
        validators=[MinValueValidator(_FIRST_DAY), MaxValueValidator(_LAST_DAY)],
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )
    administration = forms.ModelChoiceField(
        label=_("Administration"),
        required=False,
        queryset=Administration.objects.none(),
        empty_label=_("All administrations"),
    )

    def __init__(
        self,
        *args,
        actions: Iterable[str] = (),
        administrations=None,
        **kwargs,
    ):
        super().__init__(*args, **kwargs)
        self.fields["category"].choices = [("", _("All categories")), *AuditEntry.Category.choices]
        words = Words()
        labelled = [(a, words.action(a)) for a in {*known_actions(), *actions}]
        self.fields["action"].widget.choices = [
            ("", _("All actions")),
            *sorted(labelled, key=lambda choice: choice[1].lower()),
        ]
        if administrations is None:
            # Only national staff choose the administration; others read their current one.
            del self.fields["administration"]
        else:
            self.fields["administration"].queryset = administrations

    def clean(self):
        data = super().clean()
        start, end = data.get("date_from"), data.get("date_to")
        if start and end and start > end:
            self.add_error("date_to", _("The end date is before the start date."))
        return data

    def filters(self) -> AuditFilters:
        """The cleaned filters (call after ``is_valid()``)."""
        data = self.cleaned_data
        return AuditFilters(
            category=data.get("category") or "",
            action=data.get("action") or "",
            actor=data.get("actor") or "",
            target=data.get("target") or "",
            date_from=data.get("date_from"),
            date_to=data.get("date_to"),
            q=data.get("q") or "",
        )


def parse_cursor(value: str) -> tuple[dt.datetime, int] | None:
    """``<ISO datetime>_<id>`` as written by ``format_cursor``; None when malformed."""
    created, _sep, pk = value.rpartition("_")
    try:
        parsed = parse_datetime(created) if created else None
    except ValueError:  # well-formed but impossible (month 13)
        return None
    if parsed is None or not pk.isdigit():
        return None
    if timezone.is_naive(parsed):
        parsed = timezone.make_aware(parsed, dt.UTC)
    return parsed, int(pk)


def format_cursor(cursor: tuple[dt.datetime, int]) -> str:
    return f"{cursor[0].isoformat()}_{cursor[1]}"
