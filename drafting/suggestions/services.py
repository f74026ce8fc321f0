"""Every write of suggestions but the drafting itself (``pipeline.py``): creating and asking
for drafts, and recording what the agent did with them."""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _
from rapidfuzz import fuzz

from accounts.followups.registry import queue_after_commit
from accounts.models import User
from accounts.permissions import VIEW_CASES, has_administration_perm
from accounts.selectors import is_volunteer
from cases.models import Case, Reply
from cases.permissions import Ability, may, require_ability
from drafting.experiment.selectors import case_gets_drafts
from drafting.experiment.services import case_arm_assign

from .models import Suggestion
from .tasks import draft_suggestion
from .usable import usable_forms


def _enqueue(suggestion_id: int) -> None:
    """Queue the draft after commit: only a nudge (a broker error is logged; the drafts'
    sweeper queues a pending row again)."""
    queue_after_commit(draft_suggestion, suggestion_id)


@transaction.atomic
def suggestion_create_for_new_case(*, case_id: int) -> Suggestion | None:
    """React to a new case: draw its arm, and queue its first draft unless it is a control.

    Idempotent: a second delivery of the event finds the first suggestion and does nothing.
    """
    case = Case.objects.select_related("administration").get(pk=case_id)
    case_arm_assign(case=case)
    if not case_gets_drafts(case):
        return None
    suggestion, created = Suggestion.objects.get_or_create(
        case=case, sequence=1, defaults={"administration_id": case.administration_id}
    )
    if created:
        _enqueue(suggestion.pk)
    return suggestion


@transaction.atomic
def suggestion_request(*, actor: User, case: Case) -> Suggestion:
    """An agent asks for a fresh draft; earlier ones stay in the history."""
    if not may(actor, case, Ability.VIEW):
        raise Case.DoesNotExist("No case matches the given query.")
    # The draft is the reply's first version: whoever may reply on the case (its assignee,
    # a manager) may ask for another, nobody else.
    require_ability(actor, case, Ability.REPLY)
    if not is_volunteer(actor, case.administration_id):
        # Nothing is written for an agent who may not see drafts (they would count in the
        # experiment's figures without ever being shown).
        raise PermissionDenied(_("Drafts are shown only to volunteers of the experiment."))
    if not case.is_open:
        raise ValidationError({"case": _("Drafts are only made for open cases.")})
    if not case_gets_drafts(case):
        raise ValidationError({"case": _("No draft is made for this case.")})
    case = Case.objects.select_for_update().get(pk=case.pk)
    busy = Suggestion.objects.filter(
        case=case, status__in=[Suggestion.Status.PENDING, Suggestion.Status.RUNNING]
    ).first()
    if busy is not None:
        # Queue it again: harmless if a worker holds it (the claim decides), and it is drafted
        # again once a dead worker's claim expires.
        _enqueue(busy.pk)
        return busy
    last = Suggestion.objects.filter(case=case).aggregate(m=Max("sequence"))["m"] or 0
    suggestion = Suggestion.objects.create(
        case=case,
        administration_id=case.administration_id,
        sequence=last + 1,
        requested_by=actor,
    )
    _enqueue(suggestion.pk)
    return suggestion


def _require_volunteer(actor: User, suggestion: Suggestion) -> None:
    # Nobody sees, or acts on, a draft without their own recorded consent.
    if not is_volunteer(actor, suggestion.administration_id):
        raise PermissionDenied(_("Drafts are shown only to volunteers of the experiment."))


def suggestion_mark_shown(*, actor: User, suggestion: Suggestion) -> Suggestion:
    """Record when the agent first saw a ready draft (start of the decision clock)."""
    if not has_administration_perm(actor, VIEW_CASES, suggestion.administration):
        raise Suggestion.DoesNotExist("No suggestion matches the given query.")
    _require_volunteer(actor, suggestion)
    if suggestion.status != Suggestion.Status.READY or suggestion.shown_at is not None:
        return suggestion
    # The clock measures the decision of whoever may take it (the assignee, a manager: those
    # who may reply): a colleague reading the draft does not start it.
    if not may(actor, suggestion.case, Ability.REPLY):
        return suggestion
    now = timezone.now()
    Suggestion.objects.filter(pk=suggestion.pk, shown_at__isnull=True).update(
        shown_at=now, shown_to=actor
    )
    suggestion.refresh_from_db(fields=["shown_at", "shown_to"])
    return suggestion


def _seconds_since(start: dt.datetime | None, end: dt.datetime) -> int | None:
    return max(int((end - start).total_seconds()), 0) if start else None


@transaction.atomic
def suggestion_discard(
    *, actor: User, suggestion: Suggestion, reason: str, comment: str = ""
) -> Suggestion:
    if not has_administration_perm(actor, VIEW_CASES, suggestion.administration):
        raise Suggestion.DoesNotExist("No suggestion matches the given query.")
    # Discarding is the decision on the reply's draft: the same rule as replying.
    require_ability(actor, suggestion.case, Ability.REPLY)
    _require_volunteer(actor, suggestion)
    if reason not in Suggestion.DiscardReason.values or reason == Suggestion.DiscardReason.NOT_USED:
        raise ValidationError(
            {"reason": _("Choose a reason for discarding the draft.")}, code="invalid_choice"
        )
    if reason == Suggestion.DiscardReason.OTHER and not comment.strip():
        raise ValidationError(
            {"comment": _("Say in a few words why the draft is discarded.")}, code="required"
        )
    suggestion = Suggestion.objects.select_for_update().get(pk=suggestion.pk)
    if suggestion.status != Suggestion.Status.READY:
        raise ValidationError({"suggestion": _("Only a ready draft can be discarded.")})
    if suggestion.decision:
        raise ValidationError({"suggestion": _("A decision was already recorded on this draft.")})
    now = timezone.now()
    suggestion.decision = Suggestion.Decision.DISCARDED
    suggestion.discard_reason = reason
    suggestion.discard_comment = comment.strip()[:2000]
    suggestion.decided_at = now
    suggestion.decided_by = actor
    suggestion.seconds_to_decision = _seconds_since(suggestion.shown_at, now)
    suggestion.save()
    return suggestion


def _normalise_space(text: str) -> str:
    return " ".join(text.split())


# Below this similarity the sent reply is taken as written without the draft.
EDITED_MIN_SIMILARITY = 0.4


@transaction.atomic
def suggestion_record_sent_reply(*, case_id: int, reply_id: int) -> Suggestion | None:
    """Derive the decision on the draft the agent saw from the reply actually sent."""
    suggestion = (
        Suggestion.objects.select_for_update()
        .filter(case_id=case_id, status=Suggestion.Status.READY, shown_at__isnull=False)
        .order_by("-sequence")
        .first()
    )
    if suggestion is None or suggestion.decision:
        return suggestion
    reply = Reply.objects.get(pk=reply_id, case_id=case_id)
    # The draft as "Use this reply" gives it (no [n] markers, the references list as the
    # setting stands), not the marked draft: an unchanged draft is accepted, not "edited".
    sent = _normalise_space(reply.body)
    drafts = [_normalise_space(form) for form in usable_forms(suggestion)]
    similarity = max(fuzz.ratio(draft, sent) for draft in drafts) / 100
    if sent in drafts:
        suggestion.decision = Suggestion.Decision.ACCEPTED
        similarity = 1.0
    elif similarity >= EDITED_MIN_SIMILARITY:
        suggestion.decision = Suggestion.Decision.EDITED
    else:
        suggestion.decision = Suggestion.Decision.DISCARDED
        suggestion.discard_reason = Suggestion.DiscardReason.NOT_USED
    suggestion.similarity = round(similarity, 4)
    suggestion.reply = reply
    suggestion.decided_at = reply.created_at
    suggestion.decided_by_id = reply.author_id
    suggestion.seconds_to_decision = _seconds_since(suggestion.shown_at, reply.created_at)
    suggestion.save()
    return suggestion
