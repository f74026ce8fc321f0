"""Files an agent sends with a reply: the same content checks and limits as intake
(``INTAKE_ATTACHMENT_MAX_FILES`` / ``INTAKE_ATTACHMENT_MAX_BYTES``), OpenDocument accepted too.

The composer's preview stores the files as *pending* attachments of the case (``reply`` empty,
``pending_token`` the token carried by the confirm form, ``uploaded_by`` the agent); the reply
service binds them to the reply in its transaction. Back, Reload and a second preview keep the
same token, so nothing is uploaded twice; pending files never confirmed are deleted by
``reply_attachments_purge_pending`` (called at each preview and by ``reply_attachments_purge``).
"""

from __future__ import annotations

import hashlib
import secrets
import zipfile
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import timedelta
from io import BytesIO
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User

from ..models import Attachment, Case, Reply
from .common import invalid

# Intake's signatures (cases/intake/attachments.py ALLOWED_SIGNATURES; not imported: intake
# imports the services, and a test keeps both tables equal).
SIGNATURES: tuple[tuple[bytes, str, str], ...] = (
    (b"%PDF-", "application/pdf", ".pdf"),
    (b"\x89PNG\r\n\x1a\n", "image/png", ".png"),
    (b"\xff\xd8\xff", "image/jpeg", ".jpg"),
)
# OpenDocument: a ZIP whose first entry, stored uncompressed, is "mimetype" (ODF 1.2, 3.3).
OPENDOCUMENT_TYPES = {
    "application/vnd.oasis.opendocument.text": ".odt",
    "application/vnd.oasis.opendocument.spreadsheet": ".ods",
    "application/vnd.oasis.opendocument.presentation": ".odp",
    "application/vnd.oasis.opendocument.graphics": ".odg",
}
# Pending files older than this were never confirmed (the composer was left).
PENDING_LIFETIME = timedelta(hours=24)


@dataclass(frozen=True)
class UploadedFile:
    name: str
    content: bytes


@dataclass(frozen=True)
class CheckedFile:
    name: str
    content: bytes
    content_type: str
    extension: str
    sha256: str


def uploaded_files(uploads: Iterable[Any]) -> list[UploadedFile]:
    """Django's uploaded files read for the check: at most one byte over the limit each (a
    larger file is refused as too large without being read whole)."""
    limit = settings.INTAKE_ATTACHMENT_MAX_BYTES + 1
    files = []
    for upload in uploads:
        files.append(UploadedFile(name=str(upload.name or ""), content=upload.read(limit)))
    return files


def _opendocument_type(content: bytes) -> tuple[str, str] | None:
    if not content.startswith(b"PK\x03\x04") or content[30:38] != b"mimetype":
        return None
    try:
        with zipfile.ZipFile(BytesIO(content)) as archive:
            first = archive.infolist()[0]
            if first.filename != "mimetype" or first.compress_type != zipfile.ZIP_STORED:
                return None
            declared = archive.read(first).decode("ascii", "replace").strip()
            if archive.testzip() is not None:
                return None
    except (zipfile.BadZipFile, IndexError, OSError, RuntimeError, ValueError):
        return None
    extension = OPENDOCUMENT_TYPES.get(declared)
    return (declared, extension) if extension else None


def detect_reply_type(content: bytes) -> tuple[str, str] | None:
    for signature, content_type, extension in SIGNATURES:
        if content.startswith(signature):
            return content_type, extension
    return _opendocument_type(content)


def reply_files_check(files: list[UploadedFile], *, already: int = 0) -> list[CheckedFile]:
    """The files typed by content; a ValidationError on ``attachments`` naming each refused
    file otherwise. ``already``: files already pending for this reply (counted in the limit)."""
    max_files = settings.INTAKE_ATTACHMENT_MAX_FILES
    max_bytes = settings.INTAKE_ATTACHMENT_MAX_BYTES
    if len(files) + already > max_files:
        raise invalid(
            "attachments",
            _("Too many attachments: %(count)d (%(max)d at most).")
            % {"count": len(files) + already, "max": max_files},
            "too_many",
        )
    errors = []
    checked = []
    for index, upload in enumerate(files, start=1):
        label = upload.name or f"#{index}"
        if not upload.content:
            errors.append(_("“%(name)s” is empty.") % {"name": label})
            continue
        if len(upload.content) > max_bytes:
            errors.append(
                _("“%(name)s” is too large (%(max)d MB at most).")
                % {"name": label, "max": max_bytes // (1024 * 1024)}
            )
            continue
        detected = detect_reply_type(upload.content)
        if detected is None:
            errors.append(
                _("“%(name)s” is not an accepted type (PDF, PNG, JPEG or OpenDocument).")
                % {"name": label}
            )
            continue
        checked.append(
            CheckedFile(
                name=upload.name[:255],
                content=upload.content,
                content_type=detected[0],
                extension=detected[1],
                sha256=hashlib.sha256(upload.content).hexdigest(),
            )
        )
    if errors:
        raise ValidationError(
            {"attachments": [ValidationError(e, code="invalid_attachment") for e in errors]}
        )
    return checked


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
    A refused file raises ValidationError and nothing is written or dropped."""
    token = token or new_pending_token()
    current = pending_attachments(case=case, actor=actor, token=token)
    kept = [row for row in current if row.pk in keep]
    checked = reply_files_check(files, already=len(kept))
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
