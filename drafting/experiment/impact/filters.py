"""What an impact report is about (``ImpactFilters``) and the rows it covers: the experiment
cases of one administration's periods, read from the source tables or from the fact tables
that PostgreSQL triggers keep (``use_facts``)."""

from __future__ import annotations

from dataclasses import dataclass

from django.conf import settings
from django.db import connection
from django.db.models import Q, QuerySet

from accounts.models import Administration
from drafting.models import CaseArm, ExperimentPeriod, ImpactCase, ImpactDraft, Suggestion


@dataclass(frozen=True)
class ImpactFilters:
    """What the report is about. ``period`` None means all periods of the administration."""

    administration: Administration
    period: ExperimentPeriod | None = None
    backend: str = ""
    model_name: str = ""
    channel: str = ""
    topic_id: int | None = None


def periods_of(administration: Administration) -> QuerySet[ExperimentPeriod]:
    return ExperimentPeriod.objects.filter(administration=administration).order_by("-started_at")


def period_get(administration: Administration, pk: int) -> ExperimentPeriod:
    """A period of this administration; another administration's raises DoesNotExist."""
    return periods_of(administration).get(pk=pk)


def configurations_of(administration: Administration) -> tuple[list[str], list[str]]:
    """The backends and models the administration's periods were configured with."""
    rows = periods_of(administration).order_by().values_list("backend", "model_name").distinct()
    backends = sorted({b for b, _m in rows if b})
    models = sorted({m for _b, m in rows if m})
    return backends, models


def case_filter(filters: ImpactFilters, prefix: str = "") -> Q:
    """The experiment cases the report covers, as a Q on a model reaching Case by ``prefix``.
    The administration comes first: every query of the report is one tenant's."""
    q = Q(**{f"{prefix}administration": filters.administration})
    if filters.period is not None:
        q &= Q(**{f"{prefix}arm__period": filters.period})
    else:
        # Through the period index of the arms, not a scan of every arm of every administration.
        period_ids = list(periods_of(filters.administration).values_list("pk", flat=True))
        q &= Q(**{f"{prefix}arm__period_id__in": period_ids})
    if filters.backend:
        q &= Q(**{f"{prefix}arm__period__backend": filters.backend})
    if filters.model_name:
        q &= Q(**{f"{prefix}arm__period__model_name": filters.model_name})
    if filters.channel:
        q &= Q(**{f"{prefix}channel": filters.channel})
    if filters.topic_id:
        q &= Q(**{f"{prefix}topic_id": filters.topic_id})
    return q


def use_facts() -> bool:
    """Whether the report reads its fact tables (``ImpactCase``, ``ImpactDraft``), kept by
    PostgreSQL triggers, rather than joining the source tables. SQLite (``make run``) has no
    triggers for them: the source tables there. ``IMPACT_REPORT_FACTS = False`` forces the
    source tables (the tests compare both)."""
    return connection.vendor == "postgresql" and getattr(settings, "IMPACT_REPORT_FACTS", True)


def fact_periods(filters: ImpactFilters) -> Q:
    """The periods covered, as a condition on a fact's ``period_id`` (a subquery on the few
    periods of the administration when the backend or model filters them)."""
    periods = periods_of(filters.administration).order_by()
    if not filters.backend and not filters.model_name:
        # A fact's period is always one of its administration's (the triggers join on it).
        return Q(period_id=filters.period.pk) if filters.period is not None else Q()
    if filters.period is not None:
        periods = periods.filter(pk=filters.period.pk)
    if filters.backend:
        periods = periods.filter(backend=filters.backend)
    if filters.model_name:
        periods = periods.filter(model_name=filters.model_name)
    return Q(period_id__in=periods.values("pk"))


def facts_of(model: type[ImpactCase] | type[ImpactDraft], filters: ImpactFilters) -> QuerySet:
    """The fact rows the report covers: one administration, its periods, one index range."""
    rows = model.objects.filter(fact_periods(filters), administration_id=filters.administration.pk)
    if filters.channel:
        rows = rows.filter(channel=filters.channel)
    if filters.topic_id:
        rows = rows.filter(topic_id=filters.topic_id)
    return rows


def suggestions_of(filters: ImpactFilters, *, with_case: bool = True) -> QuerySet[Suggestion]:
    """The drafts of the report's cases. Without ``with_case`` (and no channel or topic filter)
    the cases table is not joined: the arms of the period say which cases count."""
    drafts = Suggestion.objects.filter(administration=filters.administration)
    if with_case or filters.channel or filters.topic_id:
        return drafts.filter(case_filter(filters, "case__"))
    arms = CaseArm.objects.all()
    if filters.period is not None:
        arms = arms.filter(period=filters.period)
    else:
        arms = arms.filter(
            period_id__in=list(periods_of(filters.administration).values_list("pk", flat=True))
        )
    if filters.backend:
        arms = arms.filter(period__backend=filters.backend)
    if filters.model_name:
        arms = arms.filter(period__model_name=filters.model_name)
    return drafts.filter(case_id__in=arms.values("case_id"))
