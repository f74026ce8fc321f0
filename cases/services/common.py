"""What every case service shares: errors that keep their code, the locked re-read of a case,
the optimistic version check, clean text."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db.models import F
from django.utils.translation import gettext as _

from accounts.models import User

from ..models import Case
from ..permissions import Ability, may
from ..transitions import TRANSITIONS

MAX_TEXT_LENGTH = 50_000


def invalid(field: str, message: str, code: str) -> ValidationError:
    """A ValidationError on ``field`` that keeps its code (a plain dict would drop it)."""
    return ValidationError({field: [ValidationError(message, code=code)]})


def lock_case(case: Case, actor: User | None) -> Case:
    """Re-read the case under a row lock, checking first that the actor may see it."""
    if actor is not None and not may(actor, case, Ability.VIEW):
        raise Case.DoesNotExist("No case matches the given query.")
    return Case.objects.select_for_update().select_related("administration").get(pk=case.pk)


def check_version(case: Case, expected_version: int | None) -> None:
    if expected_version is not None and expected_version != case.version:
        raise invalid(
            "version",
            _(
                "This case was changed by someone else since you opened it. "
                "Reload the page: your text is kept."
            ),
            "stale",
        )


def bump(case: Case, fields: list[str]) -> None:
    case.version = F("version") + 1
    case.save(update_fields=[*fields, "version", "updated_at"])
    case.refresh_from_db(fields=["version"])


def require_transition(case: Case, action: str) -> str:
    transition = TRANSITIONS[action]
    if case.status not in transition.sources:
        raise invalid(
            "status",
            _("“%(action)s” is not possible on a case that is %(status)s.")
            % {"action": transition.label, "status": case.get_status_display().lower()},
            "invalid_transition",
        )
    return transition.target


def clean_text(value: str, field: str, *, max_length: int = MAX_TEXT_LENGTH) -> str:
    value = (value or "").strip()
    if not value:
        raise invalid(field, _("This field cannot be empty."), "required")
    if len(value) > max_length:
        raise invalid(
            field,
            _("This text is too long (%(max)d characters at most).") % {"max": max_length},
            "max_length",
        )
    return value
