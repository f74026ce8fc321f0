"""Every write of the experiment: periods (start, change, stop) and the arm of each new case."""

from __future__ import annotations

import hashlib
import secrets
from decimal import Decimal
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import Administration, AuditEntry, User
from accounts.permissions import MANAGE_EXPERIMENT, has_administration_perm
from accounts.services import audit_record
from cases.models import Case
from drafting.audit_actions import DraftingAuditAction
from drafting.suggestions.backends import backends_offered

from .models import Arm, CaseArm, ExperimentPeriod
from .selectors import experiment_has_volunteer, running_period


@transaction.atomic
def experiment_start(
    *,
    actor: User | None,
    administration: Administration,
    assisted_share: Decimal | float | str,
    backend: str = "offline",
    model_name: str = "",
    seed: str = "",
) -> ExperimentPeriod:
    """Start a new configuration period (ending the running one: periods are frozen)."""
    if actor is not None and not has_administration_perm(actor, MANAGE_EXPERIMENT, administration):
        raise PermissionDenied(_("Only administrators set the experiment up."))
    try:
        share = Decimal(str(assisted_share).strip())
    except ArithmeticError:
        share = Decimal("NaN")
    if share.is_nan() or not Decimal(0) <= share <= Decimal(1):
        raise ValidationError({"assisted_share": _("The assisted share is between 0 and 1.")})
    now = timezone.now()
    running = (
        ExperimentPeriod.objects.select_for_update()
        .filter(administration=administration, ended_at__isnull=True)
        .first()
    )
    if running is not None:
        ExperimentPeriod.objects.filter(pk=running.pk).update(ended_at=now)
    period = ExperimentPeriod.objects.create(
        administration=administration,
        assisted_share=share,
        seed=seed or secrets.token_hex(8),
        backend=backend,
        model_name=model_name,
        started_at=now,
        started_by=actor,
    )
    audit_record(
        administration=administration,
        actor=actor,
        category=AuditEntry.Category.EXPERIMENT,
        action=(
            DraftingAuditAction.EXPERIMENT_RECONFIGURED
            if running is not None
            else DraftingAuditAction.EXPERIMENT_STARTED
        ),
        target_label=_period_label(period),
        data={"before": _period_data(running), "after": _period_data(period)},
    )
    return period


@transaction.atomic
def experiment_stop(*, actor: User | None, administration: Administration) -> int:
    if actor is not None and not has_administration_perm(actor, MANAGE_EXPERIMENT, administration):
        raise PermissionDenied(_("Only administrators set the experiment up."))
    running = (
        ExperimentPeriod.objects.select_for_update()
        .filter(administration=administration, ended_at__isnull=True)
        .first()
    )
    if running is None:
        return 0
    # Stopping only ends the period: its arms, drafts and decisions stay for the results.
    running.ended_at = timezone.now()
    ExperimentPeriod.objects.filter(pk=running.pk).update(ended_at=running.ended_at)
    audit_record(
        administration=administration,
        actor=actor,
        category=AuditEntry.Category.EXPERIMENT,
        action=DraftingAuditAction.EXPERIMENT_STOPPED,
        target_label=_period_label(running),
        data={"before": _period_data(running), "after": None},
    )
    return 1


def _period_label(period: ExperimentPeriod) -> str:
    share = (period.assisted_share * 100).normalize()
    return f"{share:f} % · {period.backend}{' · ' + period.model_name if period.model_name else ''}"


def _period_data(period: ExperimentPeriod | None) -> dict[str, Any] | None:
    if period is None:
        return None
    return {
        "period": period.pk,
        "assisted_share": str(period.assisted_share),
        "unit": "case",
        "backend": period.backend,
        "model_name": period.model_name,
        "started_at": period.started_at.isoformat(),
        "ended_at": period.ended_at.isoformat() if period.ended_at else None,
    }


def arm_draw(seed: str, case_id: int) -> float:
    """A uniform number in [0, 1) that depends only on the period's seed and the case."""
    digest = hashlib.sha256(f"{seed}:{case_id}".encode()).digest()
    return int.from_bytes(digest[:8], "big") / 2**64


@transaction.atomic
def case_arm_assign(*, case: Case) -> CaseArm | None:
    """Draw the arm of a new case if its administration runs an experiment (idempotent)."""
    existing = CaseArm.objects.filter(case=case).first()
    if existing is not None:
        return existing
    period = running_period(case.administration_id)
    if period is None:
        return None
    draw = arm_draw(period.seed, case.pk)
    arm = Arm.ASSISTED if draw < float(period.assisted_share) else Arm.CONTROL
    return CaseArm.objects.create(case=case, period=period, arm=arm, draw=draw)


@transaction.atomic
def experiment_configure(
    *,
    actor: User,
    administration: Administration,
    assisted_percent: int,
    backend: str,
    model_name: str = "",
) -> ExperimentPeriod:
    """Start the experiment, or change its set-up, as an administrator does it.

    Each change is a new frozen period (the running one ends), so that results can be split by
    period. The share is a whole percentage from 1 to 99: with 0 or 100 % there is nothing to
    compare. The backend and model are among those the platform offers, and there must be at
    least one approved volunteer: without one, no draft would ever be shown.
    """
    if not has_administration_perm(actor, MANAGE_EXPERIMENT, administration):
        raise PermissionDenied(_("Only administrators set the experiment up."))
    if isinstance(assisted_percent, bool) or not isinstance(assisted_percent, int):
        raise ValidationError(
            {"assisted_percent": [ValidationError(_("Enter a whole number."), code="invalid")]}
        )
    if not 1 <= assisted_percent <= 99:
        raise ValidationError(
            {
                "assisted_percent": [
                    ValidationError(
                        _("The assisted share is a whole percentage from 1 to 99."),
                        code="out_of_range",
                    )
                ]
            }
        )
    backend = (backend or "").strip()
    model_name = (model_name or "").strip()
    if backend == "offline":
        model_name = ""
    if (backend, model_name) not in backends_offered():
        raise ValidationError(
            {
                "backend": [
                    ValidationError(
                        _("Choose a drafting backend and model that the platform offers."),
                        code="invalid_choice",
                    )
                ]
            }
        )
    if not experiment_has_volunteer(administration):
        raise ValidationError(
            {
                "assisted_percent": [
                    ValidationError(
                        _(
                            "The experiment cannot start: no agent of this administration is an "
                            "approved volunteer. Approve at least one volunteer first."
                        ),
                        code="no_volunteer",
                    )
                ]
            }
        )
    share = Decimal(assisted_percent) / Decimal(100)
    running = running_period(administration.pk)
    if (
        running is not None
        and running.assisted_share == share
        and (running.backend, running.model_name) == (backend, model_name)
    ):
        raise ValidationError(
            {
                "assisted_percent": [
                    ValidationError(
                        _("This is already the running set-up: nothing was changed."),
                        code="unchanged",
                    )
                ]
            }
        )
    return experiment_start(
        actor=actor,
        administration=administration,
        assisted_share=share,
        backend=backend,
        model_name=model_name,
    )


@transaction.atomic
def experiment_end(*, actor: User, administration: Administration) -> ExperimentPeriod:
    """Stop the running experiment: its period ends; nothing is deleted."""
    if not has_administration_perm(actor, MANAGE_EXPERIMENT, administration):
        raise PermissionDenied(_("Only administrators set the experiment up."))
    running = running_period(administration.pk)
    if running is None:
        raise ValidationError(
            {"experiment": [ValidationError(_("No experiment is running."), code="not_running")]}
        )
    experiment_stop(actor=actor, administration=administration)
    running.refresh_from_db()
    return running
