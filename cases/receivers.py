"""Cases' answers to domain events (connected in CasesConfig.ready)."""

from __future__ import annotations

from accounts.models import User

from .delivery.services import delivery_create
from .services import cases_release_of_member
from .survey.tasks import send_survey_invitation


def release_cases_of_deactivated_member(
    sender, *, administration_id: int, user_id: int, actor_id: int | None, **kwargs
) -> None:
    # Runs inside the deactivating transaction (see accounts/signals.py).
    actor = User.objects.filter(pk=actor_id).first() if actor_id else None
    cases_release_of_member(
        administration_id=administration_id,
        user_id=user_id,
        actor=actor,
        reason="member_deactivated",
    )


def invite_usager_to_survey(sender, *, case_id: int, reply_id: int, **kwargs) -> None:
    # reply_sent is sent after commit: the task reads committed rows.
    send_survey_invitation.delay(case_id, reply_id)


def create_reply_delivery(sender, *, reply_id: int, **kwargs) -> None:
    # Runs after the reply's transaction committed; the task is queued after this one does.
    delivery_create(reply_id=reply_id)
