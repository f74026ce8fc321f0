"""The usager's other cases in the same administration (issue 16, item 6).

Matched on the usager's e-mail (case-insensitive) or phone, never across administrations:
the agent sees what the usager already asked here, with its status and date, and opens it if
their role lets them see it.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from django.db.models import Q
from django.db.models.functions import Lower

from .models import Case
from .text import phone_number

HISTORY_LIMIT = 10


@dataclass(frozen=True)
class UsagerHistory:
    cases: Sequence[Case]
    total: int

    @property
    def more(self) -> int:
        return self.total - len(self.cases)


def usager_other_cases(case: Case, *, limit: int = HISTORY_LIMIT) -> UsagerHistory:
    """The other cases of ``case``'s usager in its administration, newest first."""
    match = Q()
    if case.usager_email:
        match |= Q(email_lower=case.usager_email.lower())
    if case.usager_phone.strip():
        # Stored in one written form (cases.text.phone_number); older rows as they were typed.
        match |= Q(usager_phone__in={case.usager_phone.strip(), phone_number(case.usager_phone)})
    if not match:
        return UsagerHistory(cases=[], total=0)
    others = (
        Case.objects.filter(administration_id=case.administration_id)
        .annotate(email_lower=Lower("usager_email"))
        .filter(match)
        .exclude(pk=case.pk)
    )
    found = list(
        others.order_by("-created_at", "-id").only(
            "id", "reference", "subject", "status", "created_at", "channel"
        )[: limit + 1]
    )
    total = len(found) if len(found) <= limit else others.count()
    return UsagerHistory(cases=found[:limit], total=total)
