"""The counter's writes: a case recorded by an agent for a usager in front of them or on the
phone, and the answer given there.

``counter_case_create`` opens the case through ``case_create`` (deadline, experiment arm and
draft like any other case), stores the usager's files and, when the agent handles it now, gives
it to them: one transaction, nothing half-written. The files are checked and scanned before it,
like the composer's (cases/files.py); a virus found is journaled although nothing else is.

``case_record_answer_given`` stores the answer given orally as the case's reply, through the
composer's own ``case_send_reply`` with ``given`` set (the same rules): the case
becomes answered, ``reply_sent`` fires (the draft's decision, the answer bank and the impact
facts count it like a sent reply) with ``given`` set, so that no delivery is created
(cases/receivers.py): the usager already heard it. Its journal line says how it was given.
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.db import models, transaction
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from accounts.models import Administration, User
from accounts.permissions import WORK_CASES, has_administration_perm

from ..files import CheckedFile, InfectedFiles, files_check, infected_files_journal
from ..models import Case, Channel, Priority, Reply, Topic
from ..services.assignment import case_take
from ..services.common import (
    invalid,
)
from ..services.lifecycle import case_create
from ..services.replies import case_send_reply
from ..services.reply_attachments import UploadedFile, reply_files_store

# The channels of a person who came or called; the platforms' own channels come by intake.
COUNTER_CHANNELS = (Channel.PHONE, Channel.FRANCE_SERVICES)


class AnswerGiven(models.TextChoices):
    """How an answer reached the usager without any delivery."""

    COUNTER = "counter", gettext_lazy("At the counter, in person")
    PHONE = "phone", gettext_lazy("On the phone")


def answer_given_default(case: Case) -> str:
    return AnswerGiven.PHONE if case.channel == Channel.PHONE else AnswerGiven.COUNTER


def _files_check(
    files: list[UploadedFile], *, administration: Administration, actor: User
) -> list[CheckedFile]:
    """The composer's checks (cases/files.py); a virus is journaled in the administration,
    outside the transaction that the refusal leaves unwritten."""
    try:
        return files_check(files, opendocument=True)
    except InfectedFiles as exc:
        infected_files_journal(
            administration=administration, actor=actor, found=exc.found, source="counter"
        )
        raise


def counter_case_create(
    *,
    actor: User,
    administration: Administration,
    channel: str,
    subject: str,
    body: str,
    usager_name: str = "",
    usager_email: str = "",
    usager_phone: str = "",
    topic: Topic | None = None,
    priority: int = Priority.NORMAL,
    files: list[UploadedFile] | None = None,
    handle_now: bool = False,
) -> Case:
    """A case an agent records for a usager at the counter or on the phone.

    ``PermissionDenied`` unless the actor works cases in ``administration``; ``ValidationError``
    (with its field) for a channel that is not a person's, bad input or a refused file."""
    if not has_administration_perm(actor, WORK_CASES, administration):
        raise PermissionDenied(_("Your role does not allow creating cases here."))
    if channel not in COUNTER_CHANNELS:
        raise invalid(
            "channel",
            _("Choose how the usager reached you: on the phone or at the counter."),
            "invalid_choice",
        )
    checked = _files_check(files or [], administration=administration, actor=actor)
    # One transaction from here: the case, its taking and its files, or nothing.
    with transaction.atomic():
        case = case_create(
            actor=actor,
            administration=administration,
            channel=channel,
            subject=subject,
            body=body,
            usager_name=usager_name,
            usager_email=usager_email,
            usager_phone=usager_phone,
            topic=topic,
            priority=priority,
        )
        if handle_now:
            case = case_take(actor=actor, case=case)
        # Files last: nothing after them can fail and leave a stored file that no row names.
        reply_files_store(case=case, actor=actor, files=checked)
    return case


def case_record_answer_given(
    *,
    actor: User,
    case: Case,
    body: str,
    given: str,
    expected_version: int | None = None,
    attachment_token: str = "",
    attachment_ids: list[int] | tuple[int, ...] = (),
    files: list[UploadedFile] | None = None,
) -> Reply:
    """Record the answer the agent gave the usager at the counter or on the phone: the case's
    reply, nothing delivered. The same rules as ``case_send_reply`` (who may, the case's state,
    a text that says something, the version the agent read, the files)."""
    if given not in AnswerGiven.values:
        raise invalid(
            "given", _("Say how the answer was given: at the counter or on the phone."), "invalid"
        )
    return case_send_reply(
        actor=actor,
        case=case,
        body=body,
        expected_version=expected_version,
        attachment_token=attachment_token,
        attachment_ids=attachment_ids,
        files=files,
        given=given,
    )
