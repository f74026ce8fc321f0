"""Messages that cannot be read are quarantined, never blocking the others.

``mail_read_one`` is the one entry point of the readers (``intake_mail``, the IMAP poller): it
reads a message into the cases, or, when that fails for any reason (malformed, NUL bytes where
they cannot be cleaned, MIME nested too deep, refused by the database, a bug), keeps the raw
message as a ``QuarantinedEmail`` row, writes a line in the administration's journal (shown to
administrators on the mailbox page), and returns so that the next message is read. A message
with an infected attachment is quarantined the same way; when the antivirus cannot be reached,
the message is left unread and the reader stops (cases/files.py).
"""

from __future__ import annotations

import hashlib
import logging
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from accounts.models import Administration, AuditEntry
from accounts.services import audit_record

from ..audit_actions import CasesAuditAction
from ..files import InfectedFiles, ScannerUnavailable, infected_files_journal
from ..models import Case, QuarantinedEmail
from .mail import email_receive
from .reading import MalformedEmail

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class ReadResult:
    # an EmailOutcome's outcome, "quarantined" or "quarantined_before"
    outcome: str
    case: Case | None = None
    error: str = ""
    message_id: str = ""


def _message_id_of(raw: bytes) -> str:
    for line in raw[:64_000].split(b"\n"):
        if line.lower().startswith(b"message-id:"):
            return line[11:].strip().decode("ascii", "replace").replace("\x00", "")[:998]
        if not line.strip():
            break
    return ""


@transaction.atomic
def email_quarantine(
    *, administration: Administration, raw: bytes, source: str, error: str
) -> tuple[QuarantinedEmail, bool]:
    """Keep ``raw`` aside with the reason (once per content); journaled."""
    digest = hashlib.sha256(raw).hexdigest()
    row, created = QuarantinedEmail.objects.get_or_create(
        administration=administration,
        sha256=digest,
        defaults={
            "source": source.replace("\x00", "")[:500],
            "message_id": _message_id_of(raw),
            "raw": raw,
            "size": len(raw),
            "error": error.replace("\x00", "")[:2000],
        },
    )
    if created:
        audit_record(
            administration=administration,
            actor=None,
            category=AuditEntry.Category.SETTINGS,
            action=CasesAuditAction.MAIL_QUARANTINED,
            target_label=row.message_id or source[:300],
            data={"quarantine_id": row.pk, "source": row.source, "error": row.error[:500]},
        )
    return row, created


def mail_read_one(*, administration: Administration, raw: bytes, source: str) -> ReadResult:
    """Read one message; quarantine it when it cannot be read or carries an infected file (the
    virus journaled too). Never raises for the message's sake (a lost database connection still
    does: nothing could be kept then); an antivirus out of reach raises ``ScannerUnavailable``
    with nothing written, so that the reader stops and reads the message at its next run."""
    try:
        # Its own savepoint: a database refusal leaves the caller's transaction usable for the
        # quarantine row.
        with transaction.atomic():
            outcome = email_receive(administration=administration, raw=raw, source=source)
        return ReadResult(outcome.outcome, outcome.case, message_id=_message_id_of(raw))
    except ScannerUnavailable:
        # Not the message's fault: left unread (nothing of it written) for the next reading.
        raise
    except InfectedFiles as exc:
        error = str(
            _("infected attachment(s): %(files)s")
            % {"files": ", ".join(f"{f.name} ({f.signature})" for f in exc.found)}
        )
        infected_files_journal(
            administration=administration, actor=None, found=exc.found, source=f"mail:{source}"
        )
    except MalformedEmail as exc:
        error = str(exc)
    except ValidationError as exc:
        error = "; ".join(exc.messages)
    except Exception as exc:  # a database refusal or a bug on this message: not the others'
        logger.exception("E-mail %s could not be read", source)
        error = f"{type(exc).__name__}: {exc}"
    _row, created = email_quarantine(
        administration=administration, raw=raw, source=source, error=error
    )
    return ReadResult(
        "quarantined" if created else "quarantined_before",
        error=error,
        message_id=_message_id_of(raw),
    )
