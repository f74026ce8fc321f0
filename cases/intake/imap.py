"""IMAP intake: each administration's mailbox read by the scheduler (``poll_mailboxes``) or the
``mail_poll`` command.

- The password is kept encrypted in the database (Fernet, AES-128-CBC + HMAC-SHA256) with a
  key from the settings (``MAILBOX_ENCRYPTION_KEY``, given by the environment): a copy of the
  database alone does not give the mailbox away, and administrators can still change it from
  their settings page (an environment variable per mailbox would need an operator for each).
- Each message is read once: its UIDVALIDITY and UID are recorded (``MailboxMessage``) in the
  transaction that reads it, and its Message-ID makes a copy under another UID a duplicate.
  After reading, the message is moved to the folder for read messages (or flagged \\Seen).
- A message that cannot be read is quarantined and the next ones are read; a mailbox that
  cannot be reached (DNS, TLS, login, folder) is journaled in the administration's journal
  and shown on the mailbox page, once per distinct error. So is an antivirus out of reach
  (``CLAMAV_URL``): the poll stops at the message it could not scan, left unread for the next.
- Two pollers never read the same mailbox at once (a lease on its row, ``MAILBOX_LEASE_SECONDS``).
"""

from __future__ import annotations

import base64
import contextlib
import datetime as dt
import hashlib
import imaplib
import logging
import re
import socket
import ssl
from dataclasses import dataclass, field

from celery.exceptions import SoftTimeLimitExceeded
from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from accounts.models import AuditEntry
from accounts.services import audit_record

from ..audit_actions import CasesAuditAction
from ..files import ScannerUnavailable
from ..models import Mailbox, MailboxMessage
from .quarantine import mail_read_one
from .servers import ServerRefused, connect_addresses

logger = logging.getLogger(__name__)


# --- the password ------------------------------------------------------------------------------


def _fernets() -> list[Fernet]:
    """The key passwords are encrypted with, first, then those they may still be under.

    ``MAILBOX_ENCRYPTION_KEY`` alone when set. Without it, keys derived from the secret key and
    from ``DJANGO_SECRET_KEY_FALLBACKS``: the secret key's rotation (README, "Rotating secrets")
    keeps the passwords readable, and each is written again under the new key when read."""
    key = settings.MAILBOX_ENCRYPTION_KEY
    if key:
        return [Fernet(key.encode() if isinstance(key, str) else key)]
    return [
        Fernet(base64.urlsafe_b64encode(hashlib.sha256(b"guichet-mailbox:" + secret).digest()))
        for secret in (
            str(s).encode() for s in [settings.SECRET_KEY, *settings.SECRET_KEY_FALLBACKS]
        )
    ]


def _fernet() -> MultiFernet:
    return MultiFernet(_fernets())


def password_encrypt(password: str) -> str:
    return _fernet().encrypt(password.encode()).decode()


def _password_keep_current(mailbox: Mailbox) -> None:
    """A password still under a previous secret key, written again under the current one:
    once the fallbacks are emptied, it stays readable."""
    token = mailbox.password_encrypted.encode()
    try:
        _fernets()[0].decrypt(token)
    except InvalidToken:
        rotated = _fernet().rotate(token).decode()
        Mailbox.objects.filter(pk=mailbox.pk, password_encrypted=mailbox.password_encrypted).update(
            password_encrypted=rotated
        )
        mailbox.password_encrypted = rotated


def password_decrypt(token: str) -> str:
    try:
        return _fernet().decrypt(token.encode()).decode()
    except (InvalidToken, ValueError) as exc:
        raise MailboxError(
            Mailbox.Failure.PASSWORD,
            "The stored password cannot be decrypted (MAILBOX_ENCRYPTION_KEY changed?): "
            "enter it again.",
        ) from exc


# --- reading -------------------------------------------------------------------------------------


class MailboxError(Exception):
    """The mailbox cannot be read (connection, TLS, login, folder): ``failure``, a
    ``Mailbox.Failure`` shown to administrators; ``str()``, the detail for the log."""

    def __init__(self, failure: str, detail: str = "") -> None:
        super().__init__(detail or failure)
        self.failure = failure


def _failure_of(exc: BaseException, *, login: bool = False) -> str:
    """The category of a network or IMAP error (``login``: raised while signing in)."""
    if isinstance(exc, TimeoutError):  # socket.timeout too
        return Mailbox.Failure.TIMEOUT
    if isinstance(exc, imaplib.IMAP4.error) and not isinstance(exc, imaplib.IMAP4.abort):
        return Mailbox.Failure.CREDENTIALS if login else Mailbox.Failure.UNEXPECTED
    if isinstance(exc, ssl.SSLError | imaplib.IMAP4.abort):
        return Mailbox.Failure.UNEXPECTED
    return Mailbox.Failure.REFUSED  # refused, reset, unreachable, unknown name


def _connect_first(addresses: list[str], port: int, timeout) -> socket.socket:
    """A connection to the first of ``addresses`` that answers (as ``create_connection`` does
    with the addresses it resolves)."""
    error: OSError | None = None
    for address in addresses:
        try:
            return socket.create_connection((address, port), timeout)
        except OSError as exc:
            error = exc
    raise error or OSError("no address to connect to")


class _CheckedIMAP4(imaplib.IMAP4):
    """IMAP4 connecting to the addresses ``servers.connect_addresses`` checked, not to
    whatever the name resolves to a second time."""

    def __init__(self, host: str, port: int, *, addresses: list[str], timeout: float) -> None:
        self._addresses = addresses
        super().__init__(host, port, timeout=timeout)

    def _create_socket(self, timeout):
        return _connect_first(self._addresses, self.port, timeout)


class _CheckedIMAP4_SSL(imaplib.IMAP4_SSL):
    def __init__(self, host: str, port: int, *, addresses: list[str], timeout: float) -> None:
        self._addresses = addresses
        super().__init__(host, port, ssl_context=ssl.create_default_context(), timeout=timeout)

    def _create_socket(self, timeout):
        sock = _connect_first(self._addresses, self.port, timeout)
        # The certificate is checked against the name, as imaplib does.
        return self.ssl_context.wrap_socket(sock, server_hostname=self.host)


@dataclass
class PollResult:
    mailbox_id: int
    read: int = 0
    outcomes: dict[str, int] = field(default_factory=dict)
    error: str = ""  # a Mailbox.Failure
    detail: str = ""  # what the server or the network said (operators only)
    skipped: bool = False


def _open(mailbox: Mailbox, timeout: float) -> imaplib.IMAP4:
    try:
        addresses = connect_addresses(mailbox)
    except ServerRefused as exc:
        raise MailboxError(Mailbox.Failure.FORBIDDEN, str(exc)) from exc
    ssl_mode = mailbox.security == Mailbox.Security.SSL
    if addresses is not None:
        kind = _CheckedIMAP4_SSL if ssl_mode else _CheckedIMAP4
        return kind(mailbox.host, mailbox.port, addresses=addresses, timeout=timeout)
    if ssl_mode:
        return imaplib.IMAP4_SSL(
            mailbox.host, mailbox.port, ssl_context=ssl.create_default_context(), timeout=timeout
        )
    return imaplib.IMAP4(mailbox.host, mailbox.port, timeout=timeout)


def imap_login(client: imaplib.IMAP4, username: str, password: str) -> None:
    """Sign in. imaplib's LOGIN speaks ASCII only: a password such as "Épée-2026" made it
    raise UnicodeEncodeError, which stopped the reading of every mailbox after this one. Such
    credentials go by AUTHENTICATE PLAIN, UTF-8 by definition (RFC 4616)."""
    if username.isascii() and password.isascii():
        client.login(username, password)
        return
    credentials = f"\0{username}\0{password}".encode()
    client.authenticate("PLAIN", lambda _challenge: credentials)


def _connect(mailbox: Mailbox) -> imaplib.IMAP4:
    timeout = settings.MAILBOX_TIMEOUT_SECONDS
    client: imaplib.IMAP4 | None = None
    login = False
    try:
        client = _open(mailbox, timeout)
        if mailbox.security == Mailbox.Security.STARTTLS:
            client.starttls(ssl_context=ssl.create_default_context())
        password = password_decrypt(mailbox.password_encrypted)
        login = True
        imap_login(client, mailbox.username, password)
    except (TimeoutError, imaplib.IMAP4.error, OSError, ssl.SSLError, MailboxError) as exc:
        if client is not None:  # connected but refused: close the socket
            with contextlib.suppress(imaplib.IMAP4.error, OSError):
                client.shutdown()
        if isinstance(exc, MailboxError):
            raise
        raise MailboxError(_failure_of(exc, login=login), f"{type(exc).__name__}: {exc}") from exc
    _password_keep_current(mailbox)
    return client


_SHIFTED = re.compile(r"&([A-Za-z0-9+,]*)-")


def _already_encoded(name: str) -> bool:
    """Whether ``name`` is already modified UTF-7 ("INBOX.Trait&AOk-s", typed so to get round
    an older version): every "&" opens a valid shifted run."""
    if not name.isascii() or "&" not in name or not all(" " <= c <= "~" for c in name):
        return False
    runs = list(_SHIFTED.finditer(name))
    if name.count("&") != len(runs):
        return False
    for run in runs:
        chunk = run.group(1)
        if not chunk:
            continue  # "&-" is "&"
        try:
            padded = chunk.replace(",", "/") + "=" * (-len(chunk) % 4)
            base64.b64decode(padded, validate=True).decode("utf-16-be")
        except (ValueError, UnicodeDecodeError):
            return False
    return True


def imap_utf7(name: str) -> str:
    """A folder name as IMAP writes it (RFC 3501, 5.1.3, "modified UTF-7"): printable ASCII as
    is ("&" as "&-"), anything else base64 of its UTF-16 between "&" and "-". Without it a
    folder such as "Traités" cannot even be sent (imaplib speaks ASCII) and no mail is read. A
    name already written so is sent as it is."""
    if _already_encoded(name):
        return name
    out: list[str] = []
    pending: list[str] = []

    def flush() -> None:
        if pending:
            encoded = base64.b64encode("".join(pending).encode("utf-16-be")).decode("ascii")
            out.append("&" + encoded.rstrip("=").replace("/", ",") + "-")
            pending.clear()

    for char in name:
        if " " <= char <= "~":
            flush()
            out.append("&-" if char == "&" else char)
        else:
            pending.append(char)
    flush()
    return "".join(out)


def _quote(folder: str) -> str:
    folder = imap_utf7(folder)
    return '"' + folder.replace("\\", "\\\\").replace('"', '\\"') + '"'


def _check(response: tuple, what: str) -> list:
    status, data = response
    if status != "OK":
        detail = b" ".join(d for d in data if isinstance(d, bytes)).decode("utf-8", "replace")
        raise MailboxError(Mailbox.Failure.UNEXPECTED, f"{what}: {status} {detail}".strip())
    return data


def _uidvalidity(client: imaplib.IMAP4, folder: str) -> int:
    _status, data = client.response("UIDVALIDITY")
    if data and data[0]:
        return int(data[0])
    status = _check(client.status(_quote(folder), "(UIDVALIDITY)"), "STATUS")
    match = re.search(rb"UIDVALIDITY (\d+)", status[0] or b"")
    if not match:
        raise MailboxError(Mailbox.Failure.UNEXPECTED, "The server gave no UIDVALIDITY.")
    return int(match.group(1))


def _fetch(client: imaplib.IMAP4, uid: int) -> bytes:
    data = _check(client.uid("FETCH", str(uid), "(BODY.PEEK[])"), f"FETCH {uid}")
    for item in data:
        if isinstance(item, tuple) and len(item) == 2:
            return bytes(item[1])
    raise MailboxError(Mailbox.Failure.UNEXPECTED, f"FETCH {uid}: no message returned.")


def _after_read(client: imaplib.IMAP4, mailbox: Mailbox, uid: int, can_move: bool) -> None:
    if mailbox.after_read == Mailbox.AfterRead.MOVE and mailbox.processed_folder:
        target = _quote(mailbox.processed_folder)
        if can_move:
            _check(client.uid("MOVE", str(uid), target), f"MOVE {uid}")
            return
        _check(client.uid("COPY", str(uid), target), f"COPY {uid}")
        _check(client.uid("STORE", str(uid), "+FLAGS.SILENT", r"(\Deleted)"), f"STORE {uid}")
        return
    _check(client.uid("STORE", str(uid), "+FLAGS.SILENT", r"(\Seen)"), f"STORE {uid}")


def mailbox_read(mailbox: Mailbox) -> PollResult:
    """Read the new messages of one mailbox (the caller holds its lock)."""
    result = PollResult(mailbox.pk)
    client = _connect(mailbox)
    try:
        _check(client.select(_quote(mailbox.folder)), f"SELECT {mailbox.folder}")
        uidvalidity = _uidvalidity(client, mailbox.folder)
        capabilities = {c.upper() for c in client.capabilities}
        if mailbox.after_read == Mailbox.AfterRead.MOVE and mailbox.processed_folder:
            client.create(_quote(mailbox.processed_folder))  # already there: a harmless NO
        if mailbox.after_read == Mailbox.AfterRead.FLAG:
            # Messages stay: ask only for those past the last UID read (whether or not someone
            # opened them in a mail client meanwhile).
            last = (
                MailboxMessage.objects.filter(mailbox=mailbox, uidvalidity=uidvalidity)
                .order_by("-uid")
                .values_list("uid", flat=True)
                .first()
            )
            search = f"UID {(last or 0) + 1}:*"
        else:
            search = "ALL"  # the folder is emptied as it is read
        uids = [int(u) for u in _check(client.uid("SEARCH", search), "SEARCH")[0].split()]
        seen = set(
            MailboxMessage.objects.filter(
                mailbox=mailbox, uidvalidity=uidvalidity, uid__in=uids
            ).values_list("uid", flat=True)
        )
        moved = False
        for uid in uids[: settings.MAILBOX_MAX_MESSAGES_PER_POLL]:
            if uid not in seen:
                raw = _fetch(client, uid)
                source = f"imap://{mailbox.username}@{mailbox.host}/{mailbox.folder};UID={uid}"
                with transaction.atomic():
                    read = mail_read_one(
                        administration=mailbox.administration, raw=raw, source=source
                    )
                    MailboxMessage.objects.get_or_create(
                        mailbox=mailbox,
                        uidvalidity=uidvalidity,
                        uid=uid,
                        defaults={"message_id": read.message_id, "outcome": read.outcome},
                    )
                result.read += 1
                result.outcomes[read.outcome] = result.outcomes.get(read.outcome, 0) + 1
            # Recorded first, then moved: a crash in between reads nothing twice, and the
            # next poll moves it (it is still in the folder, known by its UID).
            _after_read(client, mailbox, uid, "MOVE" in capabilities)
            moved = moved or mailbox.after_read == Mailbox.AfterRead.MOVE
        if moved and "MOVE" not in capabilities:
            client.expunge()
    except (TimeoutError, imaplib.IMAP4.error, OSError) as exc:
        raise MailboxError(_failure_of(exc), f"{type(exc).__name__}: {exc}") from exc
    except ScannerUnavailable as exc:
        # The message stays in the folder, unrecorded: the next poll reads it (fail closed).
        raise MailboxError(
            Mailbox.Failure.ANTIVIRUS,
            f"Antivirus unavailable, reading stopped until it answers: {exc.reason}",
        ) from exc
    finally:
        with contextlib.suppress(imaplib.IMAP4.error, OSError):
            client.logout()
    return result


def _record_error(mailbox: Mailbox, failure: str) -> None:
    """The category only, on the page and in the journal: the server's own words (its banner,
    what it answered) are for the application log."""
    now = timezone.now()
    with transaction.atomic():
        if failure != mailbox.last_error:
            audit_record(
                administration=mailbox.administration,
                actor=None,
                category=AuditEntry.Category.SETTINGS,
                action=CasesAuditAction.MAILBOX_ERROR,
                target_label=str(mailbox),
                data={"mailbox_id": mailbox.pk, "error": failure},
            )
        Mailbox.objects.filter(pk=mailbox.pk).update(
            last_error=failure, last_error_at=now, last_polled_at=now
        )


def mailbox_poll(mailbox_id: int) -> PollResult:
    """Read one mailbox unless another poller holds it (a lease on the row, so that each
    message commits on its own); errors recorded on it."""
    now = timezone.now()
    lease = dt.timedelta(seconds=settings.MAILBOX_LEASE_SECONDS)
    won = (
        Mailbox.objects.filter(pk=mailbox_id, is_active=True)
        .filter(Q(lease_until__isnull=True) | Q(lease_until__lt=now))
        .update(lease_until=now + lease)
    )
    if not won:
        return PollResult(mailbox_id, skipped=True)
    mailbox = Mailbox.objects.select_related("administration").get(pk=mailbox_id)
    try:
        result = mailbox_read(mailbox)
    except MailboxError as exc:
        logger.warning("Mailbox %s: %s (%s)", mailbox.pk, exc.failure, exc)
        _record_error(mailbox, exc.failure)
        return PollResult(mailbox_id, error=exc.failure, detail=str(exc))
    except SoftTimeLimitExceeded:
        # The poll's time is up: not this mailbox's fault (the lease is released below).
        raise
    except Exception as exc:
        # A defect met on one administration's mailbox must not keep the others unread: it is
        # logged with its traceback (error reporting sees it), said on this mailbox's page, and
        # the next mailboxes are read. What was read before it is committed, message by message.
        logger.exception("Mailbox %s: reading stopped by an unexpected error", mailbox.pk)
        _record_error(mailbox, Mailbox.Failure.INTERNAL)
        return PollResult(mailbox_id, error=Mailbox.Failure.INTERNAL, detail=type(exc).__name__)
    finally:
        Mailbox.objects.filter(pk=mailbox_id).update(lease_until=None)
    Mailbox.objects.filter(pk=mailbox.pk).update(last_polled_at=timezone.now(), last_error="")
    return result


def mailboxes_poll(administration_slug: str | None = None) -> list[dict]:
    """Read every active mailbox (or the one of an administration)."""
    mailboxes = Mailbox.objects.filter(is_active=True)
    if administration_slug:
        mailboxes = mailboxes.filter(administration__slug=administration_slug)
    results = []
    for mailbox_id in mailboxes.order_by("pk").values_list("pk", flat=True):
        outcome = mailbox_poll(mailbox_id)
        results.append(
            {
                "mailbox_id": outcome.mailbox_id,
                "read": outcome.read,
                "outcomes": outcome.outcomes,
                "error": outcome.error,
                "detail": outcome.detail,
                "skipped": outcome.skipped,
            }
        )
    return results
