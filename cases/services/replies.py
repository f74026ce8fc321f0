"""What is written on a case: internal notes, the reply to the usager, and the usager's own
messages arriving on the case."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from accounts.models import User

from .. import signals
from ..files import CheckedFile
from ..models import Attachment, Case, CaseEvent, InternalNote, Reply, Status
from ..permissions import Ability, may, require_ability
from ..text import greeting_for, says_nothing, strip_citation_markers
from .common import bump, check_version, clean_text, invalid, lock_case, require_transition
from .journal import case_event_record
from .reply_attachments import UploadedFile, reply_files_check, reply_files_store

NOTHING_SAID = gettext_lazy(
    "This reply holds only the greeting, the closing and the signature: write the answer "
    "before sending it."
)


def reply_says_nothing(case: Case, body: str) -> bool:
    """Whether ``body`` is only the composer's starting text: a greeting, the administration's
    closing formula and signature (``selectors.reply_skeleton``)."""
    administration = case.administration
    return says_nothing(
        body,
        courtesy=[
            greeting_for(case.usager_name),
            administration.closing,
            administration.signature,
            administration.name,
        ],
    )


@transaction.atomic
def case_add_note(*, actor: User, case: Case, body: str) -> InternalNote:
    case = lock_case(case, actor)
    require_ability(actor, case, Ability.NOTE)
    body = clean_text(body, "body", max_length=10_000)
    note = InternalNote.objects.create(case=case, author=actor, body=body)
    case_event_record(
        case=case, actor=actor, kind=CaseEvent.Kind.NOTE_ADDED, data={"note_id": note.pk}
    )
    return note


def case_send_reply(
    *,
    actor: User,
    case: Case,
    body: str,
    expected_version: int | None = None,
    attachment_token: str = "",
    attachment_ids: list[int] | tuple[int, ...] = (),
    files: list[UploadedFile] | None = None,
    given: str = "",
) -> Reply:
    """Send a reply to the usager: the case becomes answered. ``given`` ("counter", "phone"):
    the answer was given in person or on the phone and is recorded, nothing is delivered
    (cases/counter/services.py).

    Attachments: the files the preview stored as pending (``attachment_token`` and the
    ``attachment_ids`` the agent saw), and/or new ``files`` (the API), checked like intake's.
    The reply, its journal line and its attachments are written in one transaction: a
    refused or vanished file raises ValidationError and nothing is written. New files are
    checked and scanned first, outside it (a virus found is journaled although nothing else is
    written, and no row stays locked while the antivirus reads)."""
    checked: list[CheckedFile] = []
    if files:
        # The same door as lock_case's, before anything is read: not yours looks like not there.
        # Judged on the case as stored (the caller's copy may predate a take or an assignment);
        # the transaction judges again under the lock.
        current = Case.objects.filter(pk=case.pk).first()
        if current is None or not may(actor, current, Ability.VIEW):
            raise Case.DoesNotExist("No case matches the given query.")
        require_ability(actor, current, Ability.REPLY)
        checked = reply_files_check(files, case=case, actor=actor, already=len(set(attachment_ids)))
    return _case_send_reply(
        actor=actor,
        case=case,
        body=body,
        expected_version=expected_version,
        attachment_token=attachment_token,
        attachment_ids=attachment_ids,
        checked=checked,
        given=given,
    )


@transaction.atomic
def _case_send_reply(
    *,
    actor: User,
    case: Case,
    body: str,
    expected_version: int | None,
    attachment_token: str,
    attachment_ids: list[int] | tuple[int, ...],
    checked: list[CheckedFile],
    given: str = "",
) -> Reply:
    case = lock_case(case, actor)
    require_ability(actor, case, Ability.REPLY)
    check_version(case, expected_version)
    if case.status in (Status.CLOSED, Status.TRANSFERRED, Status.ANSWERED):
        refusal = (
            _("An answer cannot be recorded on a case that is %(status)s.")
            if given
            else _("A reply cannot be sent on a case that is %(status)s.")
        )
        raise invalid(
            "status",
            refusal % {"status": case.get_status_display().lower()},
            "invalid_transition",
        )
    target = require_transition(case, "answer")
    # The last guard: a draft's internal citation markers ("[3]") never reach the usager,
    # whatever the agent pasted (what is stored is what every channel delivers).
    body = clean_text(strip_citation_markers(body or ""), "body")
    if reply_says_nothing(case, body):
        raise invalid("body", str(NOTHING_SAID), "empty_reply")
    pending: list[Attachment] = []
    if attachment_ids:
        pending = list(
            Attachment.objects.select_for_update()
            .filter(
                case=case,
                uploaded_by=actor,
                pending_token=attachment_token or "-",
                reply__isnull=True,
                pk__in=list(attachment_ids),
            )
            .order_by("pk")
        )
        if len(pending) != len(set(attachment_ids)):
            raise invalid(
                "attachments",
                _("The attached files are no longer available: attach them again."),
                "attachments_expired",
            )
    reply = Reply.objects.create(case=case, author=actor, body=body)
    if pending:
        Attachment.objects.filter(pk__in=[row.pk for row in pending]).update(
            reply=reply, pending_token=""
        )
    from_status = case.status
    case.status = target
    if case.answered_at is None:
        case.answered_at = timezone.now()
    bump(case, ["status", "answered_at"])
    case_event_record(
        case=case,
        actor=actor,
        kind=CaseEvent.Kind.REPLY_SENT,
        from_status=from_status,
        to_status=target,
        data={"reply_id": reply.pk, **({"given": given} if given else {})},
    )
    # Inside the transaction: receivers write the follow-ups with the change (cases/signals.py).
    # ``given``: the usager heard the answer; the delivery receiver writes no outbox row.
    signals.reply_sent.send(
        sender=Case,
        case_id=case.pk,
        reply_id=reply.pk,
        actor_id=actor.pk,
        **({"given": given} if given else {}),
    )
    # Files last: nothing after them can fail and leave a row pointing at nothing (the delivery
    # reads them after commit).
    reply_files_store(case=case, actor=actor, files=checked, reply=reply)
    return reply


@transaction.atomic
def case_add_usager_message(
    *,
    case: Case,
    body: str,
    source: str,
    actor: User | None = None,
    courtesy: bool = False,
    **data: Any,
) -> CaseEvent:
    """The usager wrote again on their case (an e-mail answering a reply or a question).

    A case awaiting the usager resumes; an answered case goes back to its agent, unless the
    message only thanks (``courtesy``: cases/intake/courtesy.py), which leaves the case as it
    is and tells nobody. The text is kept in the journal line. ``actor`` is None for intake
    (nobody in the house acted).
    """
    case = lock_case(case, actor)
    body = clean_text(body, "body")
    from_status = case.status
    to_status = ""
    if courtesy:
        data["courtesy"] = True
    if not courtesy and (
        case.status == Status.AWAITING_USAGER
        or (case.status == Status.ANSWERED and case.assignee_id is not None)
    ):
        to_status = Status.IN_PROGRESS
        case.status = to_status
        if from_status == Status.ANSWERED:
            case.closed_at = None
        bump(case, ["status", "closed_at"])
    else:
        # Stale forms on the case page must see that something new arrived.
        bump(case, [])
    return case_event_record(
        case=case,
        actor=actor,
        kind=CaseEvent.Kind.USAGER_MESSAGE,
        from_status=from_status if to_status else "",
        to_status=to_status,
        data={"body": body, "source": source, **data},
    )
