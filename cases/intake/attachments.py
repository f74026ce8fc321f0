"""Attachments the usager sends: checked by their content (magic bytes), never by the name or
the type the sender gave, and stored under random names through Django's storage."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.utils.translation import gettext as _

from ..models import Attachment, Case
from ..services import invalid

# (leading bytes, detected type, extension). Only types an agent can open safely.
ALLOWED_SIGNATURES: tuple[tuple[bytes, str, str], ...] = (
    (b"%PDF-", "application/pdf", ".pdf"),
    (b"\x89PNG\r\n\x1a\n", "image/png", ".png"),
    (b"\xff\xd8\xff", "image/jpeg", ".jpg"),
)


@dataclass(frozen=True)
class AttachmentData:
    name: str
    content: bytes


@dataclass(frozen=True)
class CheckedAttachment:
    name: str
    content: bytes
    content_type: str
    extension: str
    sha256: str


def detect_type(content: bytes) -> tuple[str, str] | None:
    for signature, content_type, extension in ALLOWED_SIGNATURES:
        if content.startswith(signature):
            return content_type, extension
    return None


def attachments_check(attachments: list[AttachmentData]) -> list[CheckedAttachment]:
    """The attachments, typed by content; a ValidationError on ``attachments`` naming each
    refused file otherwise (nothing is stored until all of them pass)."""
    max_files = settings.INTAKE_ATTACHMENT_MAX_FILES
    max_bytes = settings.INTAKE_ATTACHMENT_MAX_BYTES
    if len(attachments) > max_files:
        raise invalid(
            "attachments",
            _("Too many attachments: %(count)d (%(max)d at most).")
            % {"count": len(attachments), "max": max_files},
            "too_many",
        )
    errors = []
    checked = []
    for index, attachment in enumerate(attachments, start=1):
        label = attachment.name or f"#{index}"
        if not attachment.content:
            errors.append(_("“%(name)s” is empty.") % {"name": label})
            continue
        if len(attachment.content) > max_bytes:
            errors.append(
                _("“%(name)s” is too large (%(max)d MB at most).")
                % {"name": label, "max": max_bytes // (1024 * 1024)}
            )
            continue
        detected = detect_type(attachment.content)
        if detected is None:
            errors.append(
                _("“%(name)s” is not an accepted type (PDF, PNG or JPEG).") % {"name": label}
            )
            continue
        checked.append(
            CheckedAttachment(
                name=attachment.name[:255],
                content=attachment.content,
                content_type=detected[0],
                extension=detected[1],
                sha256=hashlib.sha256(attachment.content).hexdigest(),
            )
        )
    if errors:
        raise ValidationError(
            {"attachments": [ValidationError(e, code="invalid_attachment") for e in errors]}
        )
    return checked


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
