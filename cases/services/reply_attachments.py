"""Files an agent sends with a reply: the same content checks, limits and antivirus as intake
(cases/files.py: ``INTAKE_ATTACHMENT_MAX_FILES`` / ``INTAKE_ATTACHMENT_MAX_BYTES``,
``CLAMAV_URL``), OpenDocument accepted too.

The composer's preview stores the files as *pending* attachments of the case (``reply`` empty,
``pending_token`` the token carried by the confirm form, ``uploaded_by`` the agent); the reply
service binds them to the reply in its transaction. Back, Reload and a second preview keep the
same token, so nothing is uploaded twice; pending files never confirmed are deleted by
``reply_attachments_purge_pending`` (called at each preview and by ``reply_attachments_purge``).
"""

from __future__ import annotations

import secrets
from collections.abc import Iterable
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone

from accounts.models import User

from ..files import (
    CheckedFile,
    IncomingFile,
    InfectedFiles,
    files_check,
    infected_files_journal,
)
from ..models import Attachment, Case, Reply
from ..permissions import Ability, may, require_ability

# The shared names (cases/files.py); the composer's words for them.
UploadedFile = IncomingFile

# Pending files older than this were never confirmed (the composer was left).
PENDING_LIFETIME = timedelta(hours=24)


def uploaded_files(uploads: Iterable[Any]) -> list[UploadedFile]:
    """Django's uploaded files read for the check: at most one byte over the limit each (a
    larger file is refused as too large without being read whole)."""
    limit = settings.INTAKE_ATTACHMENT_MAX_BYTES + 1
    files = []
    for upload in uploads:
        files.append(UploadedFile(name=str(upload.name or ""), content=upload.read(limit)))
    return files


def reply_files_check(
    files: list[UploadedFile], *, case: Case, actor: User, already: int = 0
) -> list[CheckedFile]:
    """The files typed by content (intake's types and OpenDocument) and scanned; a
    ValidationError on ``attachments`` naming each refused file otherwise. ``already``: files
    already pending for this reply (counted in the limit). A virus found is journaled in the
    case's administration: call this outside the transaction that the refusal rolls back."""
    try:
        return files_check(files, opendocument=True, already=already)
    except InfectedFiles as exc:
        infected_files_journal(
            administration=case.administration,
            actor=actor,
            found=exc.found,
            source=f"reply:{case.reference}",
        )
        raise


def reply_files_store(
    *,
    case: Case,
    actor: User,
    files: list[CheckedFile],
    pending_token: str = "",
    reply: Reply | None = None,
) -> list[Attachment]:
    """Rows and files; a file already written is deleted if a later one fails."""
    stored: list[Attachment] = []
    try:
        for checked in files:
            row = Attachment(
                case=case,
                reply=reply,
                uploaded_by=actor,
                pending_token=pending_token,
                original_name=checked.name,
                content_type=checked.content_type,
                size=len(checked.content),
                sha256=checked.sha256,
            )
            # The storage name comes from upload_to (random); only the extension is ours.
            row.file.save(f"attachment{checked.extension}", ContentFile(checked.content))
            stored.append(row)
    except BaseException:
        for row in stored:
            if row.file.name:
                row.file.storage.delete(row.file.name)
        raise
    return stored


def new_pending_token() -> str:
    return secrets.token_urlsafe(24)


def pending_attachments(*, case: Case, actor: User, token: str) -> list[Attachment]:
    if not token:
        return []
    return list(
        Attachment.objects.filter(
            case=case, uploaded_by=actor, pending_token=token, reply__isnull=True
        ).order_by("pk")
    )


def reply_attachments_prepare(
    *,
    case: Case,
    actor: User,
    token: str,
    keep: set[int],
    files: list[UploadedFile],
) -> tuple[str, list[Attachment]]:
    """The preview step: drop the pending files the agent unticked, check and store the new
    ones under the token (a new token when none). Returns the token and the pending files.
    A refused file raises ValidationError and nothing is written or dropped; so does a person
    who may not reply on the case (PermissionDenied; not there: ``Case.DoesNotExist``)."""
    # The same door as the reply's (replies.case_send_reply), before anything is read or
    # stored, judged on the case as stored (the caller's copy may predate an assignment).
    stored_case = Case.objects.filter(pk=case.pk).first()
    if stored_case is None or not may(actor, stored_case, Ability.VIEW):
        raise Case.DoesNotExist("No case matches the given query.")
    require_ability(actor, stored_case, Ability.REPLY)
    token = token or new_pending_token()
    current = pending_attachments(case=case, actor=actor, token=token)
    kept = [row for row in current if row.pk in keep]
    checked = reply_files_check(files, case=case, actor=actor, already=len(kept))
    dropped = [row for row in current if row.pk not in keep]
    stored = reply_files_store(case=case, actor=actor, files=checked, pending_token=token)
    _delete_rows(dropped)
    reply_attachments_purge_pending()
    return token, kept + stored


def _delete_rows(rows: list[Attachment]) -> None:
    if not rows:
        return
    names = [row.file.name for row in rows if row.file.name]
    storage = rows[0].file.storage
    Attachment.objects.filter(pk__in=[row.pk for row in rows], reply__isnull=True).delete()

    def remove_files() -> None:
        for name in names:
            storage.delete(name)

    transaction.on_commit(remove_files)


def reply_attachments_purge_pending(*, older_than: timedelta = PENDING_LIFETIME) -> int:
    """Pending files never confirmed (the composer was left): rows and files deleted."""
    rows = list(
        Attachment.objects.filter(
            reply__isnull=True,
            created_at__lt=timezone.now() - older_than,
        ).exclude(pending_token="")[:500]
    )
    _delete_rows(rows)
    return len(rows)
