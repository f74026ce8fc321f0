"""Attachments the usager sends: checked by their content (magic bytes), never by the name or
the type the sender gave, scanned (cases/files.py), and stored under random names through
Django's storage."""

from __future__ import annotations

from django.core.files.base import ContentFile

from ..files import CheckedFile, IncomingFile, files_check
from ..models import Attachment, Case

# The shared names (cases/files.py); intake's own words for them.
AttachmentData = IncomingFile
CheckedAttachment = CheckedFile


def attachments_check(attachments: list[AttachmentData]) -> list[CheckedAttachment]:
    """The attachments typed by content (PDF, PNG or JPEG) and scanned when an antivirus is
    configured; a ValidationError on ``attachments`` naming each refused file otherwise (nothing
    is stored until all of them pass). ``cases.files.InfectedFiles`` and
    ``ScannerUnavailable`` are ValidationErrors the callers tell apart."""
    return files_check(attachments, opendocument=False)


def attachments_store(case: Case, attachments: list[CheckedAttachment]) -> list[Attachment]:
    stored = []
    try:
        for attachment in attachments:
            row = Attachment(
                case=case,
                original_name=attachment.name,
                content_type=attachment.content_type,
                size=len(attachment.content),
                sha256=attachment.sha256,
            )
            # The storage name comes from upload_to (random); only the extension is ours.
            row.file.save(f"attachment{attachment.extension}", ContentFile(attachment.content))
            stored.append(row)
    except BaseException:
        attachment_files_delete(stored)
        raise
    # Callers store files last in their transaction, so that a later failure cannot leave
    # rows pointing at nothing; a failed commit at worst leaves an unreferenced file.
    return stored


def attachment_files_delete(rows: list[Attachment]) -> None:
    for row in rows:
        if row.file.name:
            row.file.storage.delete(row.file.name)
