"""Where the usager's answer to a mail about a case goes, and how the mail says to reach the
service: one rule for every mail to the usager (acknowledgement, transfer notice, reply, survey).

- The answer address (the mail's ``Reply-To``): the address of the case's administration's
  active mailbox; when it has none (a case transferred to an administration that reads no
  mailbox), the mailbox of the nearest administration the request went through before (walking
  back its transfers): Guichet reads it, and an answer there goes along the transfers to the
  case that now works the request (cases/intake/threads.py). None when no mailbox would read an
  answer: the mail then invites none and says how to reach the service instead.
- The contact (how to reach the service in charge): the administration's service contact
  (acknowledgement settings), else its own mailbox's address, else its signature when it gives
  a telephone, an address or an e-mail, else "by post or at its reception desk".
"""

from __future__ import annotations

import re

from django.conf import settings
from django.utils import translation
from django.utils.translation import gettext as _

from ..models import AcknowledgementSettings, Case, Mailbox
from ..text import one_line


def _reading_mailbox(administration_id: int) -> str:
    """The address usagers write to, when the administration's mailbox is read."""
    return (
        Mailbox.objects.filter(administration_id=administration_id, is_active=True)
        .exclude(address="")
        .values_list("address", flat=True)
        .first()
    ) or ""


def answer_address(case: Case) -> str:
    """The address whose mailbox reads the usager's answer to a mail about ``case`` ("" when
    none does)."""
    seen: set[int] = set()
    current: Case | None = case
    while current is not None and current.pk not in seen:
        seen.add(current.pk)
        address = _reading_mailbox(current.administration_id)
        if address:
            return address
        if current.transferred_from_id is None:
            break
        current = Case.objects.filter(pk=current.transferred_from_id).first()
    return ""


def service_contact(case: Case) -> str:
    """How to reach the service in charge of ``case``, in one line (see the module): its own
    ways only (an earlier administration's mailbox reads answers to the thread, it is not how
    to reach this service)."""
    configured = (
        AcknowledgementSettings.objects.filter(administration_id=case.administration_id)
        .values_list("service_contact", flat=True)
        .first()
    )
    if configured:
        return configured
    address = _reading_mailbox(case.administration_id)
    if address:
        return address
    signature = one_line(
        ", ".join(
            line.strip(" ,") for line in case.administration.signature.splitlines() if line.strip()
        )
    )
    # A signature with a telephone, an address or an e-mail says how to reach the service; a
    # name alone does not. Said when nothing better is known (in the mail's language).
    if re.search(r"\d|@", signature):
        return signature
    return _("by post or at its reception desk")


def no_answer_notice(case: Case) -> str:
    """The paragraph that ends a mail about ``case`` when no mailbox reads an answer to it
    ("" when one does): do not answer, and how to reach the service instead. In the site's
    language, like the survey's invitation."""
    if answer_address(case):
        return ""
    with translation.override(settings.LANGUAGE_CODE):
        return _(
            "This address does not receive answers: please do not reply to this message. "
            "To reach %(service)s: %(contact)s, quoting the reference %(reference)s."
        ) % {
            "service": case.administration.name,
            "contact": service_contact(case),
            "reference": case.reference,
        }


__all__ = ["answer_address", "no_answer_notice", "service_contact"]
