"""Reads of the experiment that carry a rule: the running period, a case's arm, volunteers."""

from __future__ import annotations

from django.db.models import Count, Q, QuerySet

from accounts.models import Administration, Enrolment
from cases.models import Case

from .models import Arm, CaseArm, ExperimentPeriod


def running_period(administration_id: int) -> ExperimentPeriod | None:
    return ExperimentPeriod.objects.filter(
        administration_id=administration_id, ended_at__isnull=True
    ).first()


def case_gets_drafts(case: Case) -> bool:
    arm = CaseArm.objects.filter(case=case).values_list("arm", flat=True).first()
    return arm != Arm.CONTROL


def experiment_has_volunteer(administration: Administration) -> bool:
    """At least one active member of the administration is an approved volunteer."""
    return Enrolment.objects.filter(
        administration=administration,
        status=Enrolment.Status.APPROVED,
        consented_at__isnull=False,
        user__is_active=True,
        user__memberships__administration=administration,
        user__memberships__is_active=True,
    ).exists()


def experiment_periods(administration: Administration) -> QuerySet[ExperimentPeriod]:
    """The administration's periods, newest first, with their number of cases per arm."""
    return (
        ExperimentPeriod.objects.filter(administration=administration)
        .select_related("started_by")
        .annotate(
            assisted_cases=Count("arms", filter=Q(arms__arm="assisted")),
            control_cases=Count("arms", filter=Q(arms__arm="control")),
        )
        .order_by("-started_at", "-pk")
    )
