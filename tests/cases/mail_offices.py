"""Administrations with real mailboxes, for the tests of a usager's conversation across
administrations (the fixtures are in tests/cases/conftest.py): their addresses, the usager's
mails, a mailbox on the test's Dovecot, and ``MailWorld``: the usager's side of real SMTP and
IMAP (send a mail to the administrations, read what Guichet sent them)."""

from __future__ import annotations

import smtplib
from dataclasses import dataclass
from email.message import EmailMessage
from email.utils import getaddresses, make_msgid
from io import StringIO

from django.core.management import call_command

from cases.intake.settings_services import mailbox_save
from cases.models import Mailbox
from tests.case_states import Office

from .mailservers import Dovecot, SmtpServer, wait_until

CONTACT = "contact@caf69.example.gouv.fr"
OTHER = "accueil@cpam38.example.gouv.fr"
THIRD = "courrier@ddfip69.example.gouv.fr"
USAGER = "jeanne.roux@example.org"
PASSWORD = "mot-de-passe-imap"
# The Dovecot user whose INBOX each administration's address delivers to.
MAILBOX_USERS = {CONTACT: "caf69", OTHER: "cpam38", THIRD: "ddfip69"}


def usager_mail(subject, body, *, to=CONTACT, sender=f"Jeanne Roux <{USAGER}>", answering=None):
    """The usager's mail; ``answering``: the mail it answers (threaded as a client does)."""
    message = EmailMessage()
    message["From"] = sender
    message["To"] = to
    message["Subject"] = subject
    message["Message-ID"] = make_msgid(domain="example.org")
    if answering is not None:
        message["In-Reply-To"] = answering["Message-ID"]
        message["References"] = f"{answering['References'] or ''} {answering['Message-ID']}".strip()
    message.set_content(body)
    return message


def make_mailbox(office: Office, dovecot: Dovecot, address: str) -> Mailbox:
    """``office``'s mailbox, read on the test's Dovecot, for ``address``."""
    return mailbox_save(
        actor=office.administrator,
        administration=office.administration,
        password=PASSWORD,
        address=address,
        host="127.0.0.1",
        port=dovecot.port,
        security=Mailbox.Security.NONE,
        username=MAILBOX_USERS[address],
        folder="INBOX",
        after_read=Mailbox.AfterRead.MOVE,
        processed_folder="Guichet",
        is_active=True,
    )


def poll(capture) -> str:
    """Read every mailbox once (``mail_poll``), running what it queues after commit."""
    out = StringIO()
    with capture(execute=True):
        call_command("mail_poll", stdout=out)
    return out.getvalue()


@dataclass
class MailWorld:
    dovecot: Dovecot
    smtp: SmtpServer
    capture: object  # django_capture_on_commit_callbacks

    def send(self, message: EmailMessage) -> None:
        """The usager sends ``message`` through SMTP; once it is in the INBOX of each
        administration it is addressed to (To and Cc), the mailboxes are read."""
        with smtplib.SMTP(self.smtp.host, self.smtp.port, timeout=30) as connection:
            connection.send_message(message)
        recipients = getaddresses(message.get_all("To", []) + message.get_all("Cc", []))
        for _name, address in recipients:
            user = MAILBOX_USERS.get(address.lower())
            if user:
                wait_until(lambda user=user: self.dovecot.uids(user), what=f"the mail in {user}")
        poll(self.capture)

    def received(self, condition=lambda message: True, *, to: str = USAGER):
        """The last mail the usager (``to``) received that meets ``condition`` (waits for
        it)."""
        return wait_until(
            lambda: [m for m in self.smtp.to(to) if condition(m)], what=f"a mail to {to}"
        )[-1]
