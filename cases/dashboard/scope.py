"""What a workload dashboard is about: whose cases (``Scope``) over which days (``Period``),
and who may choose (``dashboard_scope``, through the access door)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any
from urllib.parse import urlencode

from django.db.models import QuerySet
from django.urls import reverse
from django.utils import timezone

from accounts.access import report_scope
from accounts.models import Administration
from accounts.permissions import VIEW_DASHBOARD
from cases.models import Case, SatisfactionResponse
from cases.selectors import day_bounds

PRESET_DAYS = (7, 30, 90)
MAX_PERIOD_DAYS = 731


@dataclass(frozen=True)
class Period:
    start: dt.date
    end: dt.date  # inclusive
    preset: int | None = None

    @classmethod
    def last(cls, days: int, today: dt.date | None = None) -> Period:
        today = today or timezone.localdate()
        return cls(start=today - dt.timedelta(days=days - 1), end=today, preset=days)

    @property
    def days(self) -> int:
        return (self.end - self.start).days + 1

    def bounds(self) -> tuple[dt.datetime, dt.datetime]:
        low, high = day_bounds(self.start, self.end)
        return low or _never(), high or _never()

    def as_params(self) -> dict[str, str]:
        if self.preset:
            return {"periode": str(self.preset)}
        return {"du": self.start.isoformat(), "au": self.end.isoformat()}


@dataclass
class Scope:
    """What the dashboard shows: one administration, or all (``administration`` None)."""

    administration: Administration | None
    # Drill-down links open the inbox, which works in the session's administration.
    links: bool = True
    extra: dict = field(default_factory=dict)

    def cases(self) -> QuerySet[Case]:
        if self.administration is None:
            return Case.objects.all()
        return Case.objects.filter(administration=self.administration)

    def responses(self) -> QuerySet[SatisfactionResponse]:
        if self.administration is None:
            return SatisfactionResponse.objects.all()
        return SatisfactionResponse.objects.filter(administration=self.administration)

    def link(self, **params) -> str | None:
        if not self.links or self.administration is None:
            return None
        query = {"box": "all"}
        query.update({k: v for k, v in params.items() if v not in (None, "")})
        if query.get("box") == "queue":
            query = {"box": "queue"}
        return f"{self._inbox_path}?{urlencode(query)}"

    @cached_property
    def _inbox_path(self) -> str:
        # Reversed once per scope: the agents' table alone makes three links per agent (2,279
        # reverses for the largest administration at 17.5 million cases, a third of the page).
        return reverse("cases:inbox")


def _never() -> dt.datetime:
    raise ValueError("A period always has both bounds.")


def dashboard_scope(request: Any, requested: str | None) -> Scope:
    """The scope whose dashboard the request's user may see (``accounts.access.report_scope``).

    National staff choose any administration, or all of them (then without drill-down links:
    the inbox works in one administration). Everyone else sees the administration they work in
    (the session's or the token's): naming another one answers 404, like a page that does not
    exist, and a role without the dashboard answers 403.
    """
    chosen = report_scope(request, VIEW_DASHBOARD, requested, allow_all=True)
    if chosen.administration is None:
        return Scope(administration=None, links=False)
    return Scope(administration=chosen.administration)
