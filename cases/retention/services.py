"""Retention and rights requests: the one eraser (``cases_anonymise``), the scheduled purge,
and the administrator's export and erasure of what is held about one usager."""

from __future__ import annotations

import datetime as dt
import io
import json
import zipfile
from collections.abc import Callable, Sequence
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.serializers.json import DjangoJSONEncoder
from django.db import transaction
from django.db.models import F, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from accounts.models import Administration, User
from accounts.permissions import MANAGE_SETTINGS, has_administration_perm
from accounts.services import audit_record

from ..audit_actions import CasesAuditAction
from ..models import OPEN_STATUSES, Attachment, Case, QuarantinedEmail, Status
from ..text import phone_number
from . import registry
from .models import MAX_DAYS, MIN_DAYS, RetentionPolicy, retention_days

ENDED_STATUSES = (Status.CLOSED, Status.TRANSFERRED)
PURGE_BATCH = 500


def cases_anonymise(*, case_ids: Sequence[int], now: dt.datetime | None = None) -> int:
    """Remove the usager's data from ``case_ids`` in every registered table, in the caller's
    transaction; the statistics facts stay. Cases already anonymised are skipped (idempotent).
    Returns how many cases were anonymised."""
    now = now or timezone.now()
    ids = list(
        Case.objects.filter(pk__in=list(case_ids), anonymised_at__isnull=True)
        .order_by("pk")
        .values_list("pk", flat=True)
    )
    if not ids:
        return 0
    for holder in registry.HOLDERS.values():
        holder.erase(ids)
    Case.objects.filter(pk__in=ids).update(anonymised_at=now, version=F("version") + 1)
    return len(ids)


def _due(administration: Administration, now: dt.datetime) -> QuerySet[Case]:
    cutoff = now - dt.timedelta(days=retention_days(administration))
    return Case.objects.filter(
        administration=administration,
        status__in=ENDED_STATUSES,
        anonymised_at__isnull=True,
        closed_at__lt=cutoff,
    )


def retention_purge(
    *,
    now: dt.datetime | None = None,
    batch_size: int = PURGE_BATCH,
    max_batches: int | None = None,
    administrations: QuerySet[Administration] | None = None,
    progress: Callable[[str], None] | None = None,
) -> int:
    """Anonymise the closed cases past their administration's retention period, in batches
    of ``batch_size``, each its own short transaction with its journal line: agents' writes
    never wait on a purge (the batch's rows are locked with SKIP LOCKED, a case being reopened
    is left for the next run). Resumable and idempotent: what is done is marked
    (``anonymised_at``); an interrupted run loses at most its current batch, redone next
    time. Returns the number of cases anonymised."""
    now = now or timezone.now()
    done = batches = 0
    for administration in administrations or Administration.objects.order_by("pk"):
        while max_batches is None or batches < max_batches:
            with transaction.atomic():
                ids = list(
                    _due(administration, now)
                    .order_by("closed_at", "id")
                    .select_for_update(skip_locked=True, of=("self",))
                    .values_list("pk", flat=True)[:batch_size]
                )
                if not ids:
                    break
                count = cases_anonymise(case_ids=ids, now=now)
                audit_record(
                    administration=administration,
                    actor=None,
                    category="retention",
                    action=CasesAuditAction.RETENTION_ANONYMISED,
                    target_label=ngettext("%(count)s closed case", "%(count)s closed cases", count)
                    % {"count": count},
                    data={
                        "cases": count,
                        "first_case_id": ids[0],
                        "last_case_id": ids[-1],
                        "retention_days": retention_days(administration),
                    },
                )
            done += count
            batches += 1
            if progress:
                progress(f"{administration.code}: {count} cases anonymised")
    quarantine_purge(now=now)
    return done


def quarantine_purge(*, now: dt.datetime | None = None) -> int:
    """Delete the quarantined e-mails older than ``MAIL_QUARANTINE_DAYS``: they hold a usager's
    message as received but no case, so no rights request can find them. Returns how many."""
    cutoff = (now or timezone.now()) - dt.timedelta(days=settings.MAIL_QUARANTINE_DAYS)
    deleted, _by_model = QuarantinedEmail.objects.filter(created_at__lt=cutoff).delete()
    return deleted


@transaction.atomic
def retention_policy_set(*, actor: User, administration: Administration, days: int) -> int:
    """The administration's retention period for closed cases, journaled."""
    if not has_administration_perm(actor, MANAGE_SETTINGS, administration):
        raise PermissionDenied(
            _("Your role does not allow managing this administration's settings.")
        )
    if isinstance(days, bool) or not isinstance(days, int) or not MIN_DAYS <= days <= MAX_DAYS:
        raise ValidationError(
            {
                "closed_case_days": [
                    ValidationError(
                        _("A whole number of days from %(min)s to %(max)s.")
                        % {"min": MIN_DAYS, "max": MAX_DAYS},
                        code="out_of_range",
                    )
                ]
            }
        )
    before = retention_days(administration)
    RetentionPolicy.objects.update_or_create(
        administration=administration, defaults={"closed_case_days": days}
    )
    audit_record(
        administration=administration,
        actor=actor,
        category="settings",
        action=CasesAuditAction.RETENTION_CHANGED,
        data={"before": before, "after": days},
    )
    return days


# --- rights requests -------------------------------------------------------------------------


def _require_rights(actor: User, administration: Administration) -> None:
    if not has_administration_perm(actor, MANAGE_SETTINGS, administration):
        raise PermissionDenied(
            _("Only the administration's administrators handle rights requests.")
        )


def usager_cases(administration: Administration, identifier: str) -> QuerySet[Case]:
    """The administration's cases of a usager named by e-mail address, phone number or a case
    reference (exact, case-insensitive for the e-mail)."""
    identifier = (identifier or "").strip()
    if len(identifier) < 3:
        raise ValidationError(
            {
                "identifier": [
                    ValidationError(
                        _("Give the usager's e-mail address, phone number or a case reference."),
                        code="required",
                    )
                ]
            }
        )
    # Phone numbers are stored in one written form (cases.text.phone_number), older rows as typed.
    match = Q(reference__iexact=identifier) | Q(
        usager_phone__in={identifier, phone_number(identifier)}
    )
    if "@" in identifier:
        match = Q(usager_email__iexact=identifier)
    return Case.objects.filter(administration=administration).filter(match).order_by("pk")


def usager_export(
    *, actor: User, administration: Administration, identifier: str
) -> tuple[bytes, int]:
    """A ZIP of everything the administration holds about the usager: ``data.json`` (one
    entry per registered table) and the attachments' files. Journaled (without the
    identifier). Returns the file's bytes and the number of cases."""
    _require_rights(actor, administration)
    ids = list(usager_cases(administration, identifier).values_list("pk", flat=True))
    data: dict[str, Any] = {
        "administration": administration.name,
        "generated_at": timezone.now(),
        "cases": len(ids),
        "tables": {name: holder.export(ids) for name, holder in registry.HOLDERS.items()},
    }
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr(
            "data.json", json.dumps(data, cls=DjangoJSONEncoder, ensure_ascii=False, indent=1)
        )
        for attachment in Attachment.objects.filter(case_id__in=ids).order_by("pk"):
            try:
                with attachment.file.open("rb") as handle:
                    content = handle.read()
            except OSError:
                continue
            name = (attachment.file.name or "").rsplit("/")[-1]
            archive.writestr(f"attachments/{attachment.pk}-{name}", content)
    references = list(Case.objects.filter(pk__in=ids).values_list("reference", flat=True))
    audit_record(
        administration=administration,
        actor=actor,
        category="rights",
        action=CasesAuditAction.RIGHTS_EXPORTED,
        target_label=ngettext("%(count)s case", "%(count)s cases", len(ids)) % {"count": len(ids)},
        data={"cases": len(ids), "references": references},
    )
    return buffer.getvalue(), len(ids)


@transaction.atomic
def usager_erase(
    *, actor: User, administration: Administration, identifier: str, reason: str
) -> int:
    """Erase the usager's data from the administration's cases (as retention does), on
    request, journaled with the reason. Refused while one of the cases is open (close it
    first: an open case is being answered). Returns the number of cases anonymised."""
    _require_rights(actor, administration)
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError(
            {"reason": [ValidationError(_("Give the reason for the erasure."), code="required")]}
        )
    cases = usager_cases(administration, identifier).select_for_update()
    rows = list(cases.values_list("pk", "reference", "status"))
    still_open = [reference for _pk, reference, status in rows if status in OPEN_STATUSES]
    if still_open:
        raise ValidationError(
            {
                "identifier": [
                    ValidationError(
                        _("Close these open cases first: %(references)s.")
                        % {"references": ", ".join(still_open)},
                        code="open_cases",
                    )
                ]
            }
        )
    count = cases_anonymise(case_ids=[pk for pk, _ref, _st in rows])
    audit_record(
        administration=administration,
        actor=actor,
        category="rights",
        action=CasesAuditAction.RIGHTS_ERASED,
        target_label=ngettext("%(count)s case", "%(count)s cases", count) % {"count": count},
        data={
            "cases": count,
            "references": [reference for _pk, reference, _st in rows],
            "reason": reason[:1000],
        },
    )
    return count


def default_days() -> int:
    return int(settings.RETENTION_CLOSED_CASE_DAYS)
