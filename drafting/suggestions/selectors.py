from __future__ import annotations

from django.db.models import QuerySet

from accounts.models import User
from accounts.selectors import is_volunteer
from cases.models import Case
from cases.selectors import cases_visible_to
from drafting.experiment.models import Arm, CaseArm

from .models import Suggestion


def suggestions_visible_to(user: User) -> QuerySet[Suggestion]:
    return Suggestion.objects.filter(case__in=cases_visible_to(user).values("pk"))


def current_suggestion(case: Case) -> Suggestion | None:
    """The latest draft of a case (earlier ones are its history)."""
    return Suggestion.objects.filter(case=case).order_by("-sequence").first()


def suggestion_get(user: User, pk: int) -> Suggestion:
    return suggestions_visible_to(user).select_related("case", "administration").get(pk=pk)


def panel_context(user: User, case: Case) -> dict:
    """What the suggestion panel shows. Control cases, and anyone who has not volunteered
    (approved, with their own recorded consent), get nothing at all: no label, no hint, so that
    the agent's work is not biased."""
    if not is_volunteer(user, case.administration_id):
        return {"case": case, "hidden": True}
    arm = CaseArm.objects.filter(case=case).values_list("arm", flat=True).first()
    if arm == Arm.CONTROL:
        return {"case": case, "hidden": True}
    suggestion = current_suggestion(case)
    history = (
        Suggestion.objects.filter(case=case).exclude(pk=suggestion.pk).count() if suggestion else 0
    )
    return {"case": case, "hidden": False, "suggestion": suggestion, "history": history}
