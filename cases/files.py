"""Files that enter Guichet — the usager's attachments (intake: API, multipart, e-mail) and the
files an agent sends with a reply — checked in one place, the same way:

- typed by their content (magic bytes), never by the name or the type the sender gave: PDF, PNG
  and JPEG everywhere, OpenDocument too in an agent's reply;
- at most ``INTAKE_ATTACHMENT_MAX_FILES`` files of ``INTAKE_ATTACHMENT_MAX_BYTES`` each;
- scanned by ClamAV when ``CLAMAV_URL`` is set (cases/antivirus.py). An infected file is refused
  (``InfectedFiles``, a field error naming the file) and the caller journals it
  (``infected_files_journal``) outside its own transaction, so that the line stays although
  nothing else is written. A scanner configured but out of reach fails closed
  (``ScannerUnavailable``): nothing is accepted, the caller says "try again later" (503 in the
  API, a form error on the page; e-mails stay unread for the next poll).
"""

from __future__ import annotations

import hashlib
import logging
import zipfile
from dataclasses import dataclass
from io import BytesIO

from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from accounts.models import Administration, AuditEntry, User
from accounts.services import audit_record

from . import antivirus
from .audit_actions import CasesAuditAction

logger = logging.getLogger(__name__)

# (leading bytes, detected type, extension). Only types an agent or a usager opens safely.
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


@dataclass(frozen=True)
class IncomingFile:
    name: str
    content: bytes


@dataclass(frozen=True)
class CheckedFile:
    name: str
    content: bytes
    content_type: str
    extension: str
    sha256: str


@dataclass(frozen=True)
class Infection:
    name: str
    signature: str
    sha256: str
    size: int


class InfectedFiles(ValidationError):
    """One or more files carry a virus: a field error on ``attachments`` naming each."""

    def __init__(self, found: list[Infection]):
        self.found = found
        super().__init__(
            {
                "attachments": [
                    ValidationError(
                        _("“%(name)s” contains a virus (%(signature)s): it was refused.")
                        % {"name": f.name, "signature": f.signature},
                        code="infected",
                    )
                    for f in found
                ]
            }
        )


class ScannerUnavailable(ValidationError):
    """The antivirus is configured but gave no verdict: nothing is accepted for now."""

    def __init__(self, reason: str):
        self.reason = reason
        super().__init__(
            {
                "attachments": [
                    ValidationError(
                        _(
                            "The antivirus cannot check the attached files right now: nothing "
                            "was saved. Try again in a few minutes."
                        ),
                        code="scanner_unavailable",
                    )
                ]
            }
        )


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


def detect_type(content: bytes, *, opendocument: bool = False) -> tuple[str, str] | None:
    """(content type, extension) read from the bytes, or None for a type we do not take."""
    for signature, content_type, extension in SIGNATURES:
        if content.startswith(signature):
            return content_type, extension
    return _opendocument_type(content) if opendocument else None


def files_check(
    files: list[IncomingFile], *, opendocument: bool = False, already: int = 0
) -> list[CheckedFile]:
    """The files typed by content and scanned; a ValidationError on ``attachments`` naming each
    refused file otherwise (nothing may be stored unless all of them pass). ``already``: files
    already kept for the same message, counted in the limit. ``InfectedFiles`` and
    ``ScannerUnavailable`` are ValidationErrors too (see the module's docstring)."""
    max_files = settings.INTAKE_ATTACHMENT_MAX_FILES
    max_bytes = settings.INTAKE_ATTACHMENT_MAX_BYTES
    if len(files) + already > max_files:
        raise ValidationError(
            {
                "attachments": [
                    ValidationError(
                        _("Too many attachments: %(count)d (%(max)d at most).")
                        % {"count": len(files) + already, "max": max_files},
                        code="too_many",
                    )
                ]
            }
        )
    errors = []
    checked = []
    for index, incoming in enumerate(files, start=1):
        label = incoming.name or f"#{index}"
        if not incoming.content:
            errors.append(_("“%(name)s” is empty.") % {"name": label})
            continue
        if len(incoming.content) > max_bytes:
            errors.append(
                _("“%(name)s” is too large (%(max)d MB at most).")
                % {"name": label, "max": max_bytes // (1024 * 1024)}
            )
            continue
        detected = detect_type(incoming.content, opendocument=opendocument)
        if detected is None:
            errors.append(
                (
                    _("“%(name)s” is not an accepted type (PDF, PNG, JPEG or OpenDocument).")
                    if opendocument
                    else _("“%(name)s” is not an accepted type (PDF, PNG or JPEG).")
                )
                % {"name": label}
            )
            continue
        checked.append(
            CheckedFile(
                name=incoming.name[:255],
                content=incoming.content,
                content_type=detected[0],
                extension=detected[1],
                sha256=hashlib.sha256(incoming.content).hexdigest(),
            )
        )
    if errors:
        raise ValidationError(
            {"attachments": [ValidationError(e, code="invalid_attachment") for e in errors]}
        )
    files_scan(checked)
    return checked


def files_scan(files: list[CheckedFile]) -> None:
    """Each file through the antivirus when one is configured (``CLAMAV_URL``)."""
    target = antivirus.scanner()
    if target is None or not files:
        return
    found = []
    for index, checked in enumerate(files, start=1):
        try:
            signature = antivirus.scan(checked.content, target=target)
        except antivirus.ScannerError as exc:
            logger.warning("Antivirus unavailable, files refused: %s", exc)
            raise ScannerUnavailable(str(exc)) from exc
        if signature:
            found.append(
                Infection(
                    name=checked.name or f"#{index}",
                    signature=signature,
                    sha256=checked.sha256,
                    size=len(checked.content),
                )
            )
    if found:
        logger.warning(
            "Infected attachment(s) refused: %s",
            ", ".join(f"{f.name} ({f.signature}, sha256 {f.sha256})" for f in found),
        )
        raise InfectedFiles(found)


def infected_files_journal(
    *,
    administration: Administration,
    actor: User | None,
    found: list[Infection],
    source: str,
) -> None:
    """One line per refused file in the administration's journal (``source`` says where it
    came from: a channel, e-mail, a reply). Call it outside the transaction that the refusal
    rolls back."""
    for infection in found:
        audit_record(
            administration=administration,
            actor=actor,
            category=AuditEntry.Category.SETTINGS,
            action=CasesAuditAction.ATTACHMENT_INFECTED,
            target_label=infection.name,
            data={
                "virus": infection.signature,
                "sha256": infection.sha256,
                "size": infection.size,
                "source": source[:300],
            },
        )
