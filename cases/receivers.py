"""Cases' answers to domain events (connected in CasesConfig.ready).

The case signals are sent inside the change's transaction (cases/signals.py): these receivers
write rows (follow-ups, the delivery) that commit or roll back with the change.
"""

from __future__ import annotations

from accounts.followups.models import FollowUp
from accounts.followups.registry import followup_add
from accounts.models import User

from .delivery.services import delivery_create
from .services import cases_release_of_member
from .survey.tasks import SURVEY_INVITATION


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
    # One invitation per case, however many times a delivery is recorded (a retry after a
    # bounce, a delivery of a reply sent before invitations waited for deliveries).
    if FollowUp.objects.filter(kind=SURVEY_INVITATION, payload__case_id=case_id).exists():
        return
    followup_add(kind=SURVEY_INVITATION, case_id=case_id, reply_id=reply_id)


def invite_usager_after_answer_given(
    sender, *, case_id: int, reply_id: int, given: str = "", **kwargs
) -> None:
    # An answer given at the counter or on the phone reached the usager as it was given: the
    # survey follows its recording as it follows a written reply's delivery (same follow-up,
    # same rules: first reply, an e-mail address, one invitation per case).
    if given:
        invite_usager_to_survey(sender, case_id=case_id, reply_id=reply_id)


def create_reply_delivery(sender, *, reply_id: int, given: str = "", **kwargs) -> None:
    # The delivery row is the reply's own outbox: written with the reply, its task queued
    # after commit, queued again by the delivery sweeper if that is lost.
    if given:
        # An answer given at the counter or on the phone (cases/counter/services.py): the
        # usager heard it, there is nothing to deliver (and no failed delivery to show).
        return
    delivery_create(reply_id=reply_id)
