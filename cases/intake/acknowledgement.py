"""The acknowledgement of receipt (code des relations entre le public et l'administration,
L112-3 and R112-5): the date the request was received, the service in charge and how to reach
it, the case's reference, and the date by which an answer is due.

Per administration, the channels whose new cases get one, and its French text, which
administrators edit within the mentions the law expects (their placeholders must stay).

Sent once per case (a database-unique ``Acknowledgement`` row written in the transaction that
creates the case), through the case's channel: the channel's callback when one is configured,
else an e-mail to the usager in the case's thread. Never for an automatic reply (those never
create a case). The sending is a follow-up of the case's creation (``mail.acknowledgement``,
accounts/followups): its row is written with the case, its task queued after commit, and the
follow-ups' sweeper queues it again if that is lost. ``acknowledgement_send`` is idempotent (a
conditional claim on the row), so a duplicated follow-up never sends twice.
"""

from __future__ import annotations

import datetime as dt
import logging
import re

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F, Q
from django.utils import formats, timezone, translation
from django.utils.translation import gettext as _

from accounts.followups.registry import followup_add, followup_handler
from accounts.models import Administration

from ..delivery.answers import answer_address, service_contact
from ..models import (
    Acknowledgement,
    AcknowledgementSettings,
    Case,
    CaseEvent,
    ChannelEndpoint,
    Delivery,
)
from ..services.journal import case_event_record
from ..text import one_line

logger = logging.getLogger(__name__)

# The follow-up kind (its task: ``followup.mail.acknowledgement``, on the mail queue).
ACKNOWLEDGEMENT = "mail.acknowledgement"

# The mentions R112-5 asks for; an administrator's text must keep each of them.
REQUIRED_PLACEHOLDERS = ("date_reception", "reference", "service", "contact")
OPTIONAL_PLACEHOLDERS = ("usager", "date_limite", "canal", "repondre")
PLACEHOLDERS = REQUIRED_PLACEHOLDERS + OPTIONAL_PLACEHOLDERS

DEFAULT_SUBJECT = "Accusé de réception de votre demande {reference}"
DEFAULT_BODY = """Bonjour {usager},

Nous avons bien reçu votre demande le {date_reception}. Elle est enregistrée sous la référence {reference}.

Service chargé de votre demande : {service}
Pour le joindre : {contact}

Nous nous efforçons de vous répondre au plus tard le {date_limite}.

Pour toute correspondance, rappelez la référence {reference}{repondre}.

Ce message, envoyé automatiquement, vaut accusé de réception au sens des articles L112-3 et R112-5 du code des relations entre le public et l'administration."""  # noqa: E501


# ``{repondre}``: the invitation to answer the mail, said only when an answer reaches the
# service (by e-mail, and a mailbox reads it: cases/delivery/answers.py). Texts saved from the
# former default wrote it out: there it is read as the placeholder.
REPLY_INVITATION = ", ou répondez simplement à ce message"

# A placeholder is one of the names above in braces, nothing more: no format spec, no
# attribute or index (``str.format`` would let a text such as ``{reference:>200000}`` make the
# worker build huge strings, or reach into the values' attributes).
_BRACED = re.compile(r"\{([^{}]*)\}")


def _placeholders(text: str, field: str) -> set[str]:
    names = _BRACED.findall(text)
    unknown = sorted({name for name in names if name not in PLACEHOLDERS})
    if unknown:
        raise ValidationError(
            {
                field: _("Unknown placeholder(s): %(names)s. Allowed: %(allowed)s.")
                % {
                    "names": ", ".join(f"{{{n}}}" for n in unknown),
                    "allowed": ", ".join(f"{{{n}}}" for n in PLACEHOLDERS),
                }
            },
            code="invalid",
        )
    rest = _BRACED.sub("", text)
    if "{" in rest or "}" in rest:
        raise ValidationError(
            {field: _("Braces must surround a placeholder, such as {reference}.")},
            code="invalid",
        )
    return set(names)


# What a text saved when it was filled by ``str.format`` may hold: "{{" and "}}" for a brace.
_FILLED = re.compile(r"\{\{|\}\}|\{([^{}]*)\}")


def _fill(text: str, values: dict[str, str]) -> str:
    """``text`` with each known placeholder replaced by its value, in one pass (a value that
    looks like a placeholder stays as it is); anything else in braces is left untouched, and a
    doubled brace is one brace (as ``str.format`` read the texts saved before)."""

    def one(match: re.Match[str]) -> str:
        if match.group(0) in ("{{", "}}"):
            return match.group(0)[0]
        return values.get(match.group(1), match.group(0))

    return _FILLED.sub(one, text)


def template_check(*, subject: str, body: str) -> None:
    """``ValidationError`` unless the text keeps every mention the law expects."""
    _placeholders(subject, "subject")
    names = _placeholders(body, "body")
    missing = [n for n in REQUIRED_PLACEHOLDERS if n not in names]
    if missing:
        raise ValidationError(
            {
                "body": _(
                    "The text must keep the mentions the law expects: %(names)s "
                    "(date of receipt, reference, service in charge, how to reach it)."
                )
                % {"names": ", ".join(f"{{{n}}}" for n in missing)}
            },
            code="required",
        )


def settings_for(administration: Administration) -> AcknowledgementSettings:
    """The administration's settings (defaults, off for every channel, when never saved)."""
    found = AcknowledgementSettings.objects.filter(administration=administration).first()
    return found or AcknowledgementSettings(
        administration=administration, channels=[], subject=DEFAULT_SUBJECT, body=DEFAULT_BODY
    )


def acknowledgement_render(
    case: Case, config: AcknowledgementSettings, *, by_mail: bool = True
) -> tuple[str, str]:
    """(subject, text) of the case's acknowledgement. ``by_mail``: it goes by e-mail (not
    through a channel's callback), so an answer to it may reach the service."""
    with translation.override("fr"):  # the text is French, whoever renders it
        return _render(case, config, by_mail=by_mail)


def _render(case: Case, config: AcknowledgementSettings, *, by_mail: bool) -> tuple[str, str]:
    received = timezone.localtime(case.created_at)
    answer = answer_address(case)
    invite = by_mail and bool(answer)
    values = {
        "date_reception": formats.date_format(received, "j F Y", use_l10n=True),
        "reference": case.reference,
        "service": case.administration.name,
        # Never the sending address: it reads nothing.
        "contact": config.service_contact or service_contact(case),
        "usager": one_line(case.usager_name) or "Madame, Monsieur",
        "date_limite": formats.date_format(timezone.localtime(case.due_at), "j F Y", use_l10n=True),
        "canal": case.get_channel_display(),
        "repondre": REPLY_INVITATION if invite else "",
    }
    body = config.body if invite else config.body.replace(REPLY_INVITATION, "")
    return _fill(config.subject, values)[:300], _fill(body, values)


def _route(case: Case) -> str:
    if ChannelEndpoint.objects.filter(
        administration_id=case.administration_id, channel=case.channel, is_active=True
    ).exists():
        return Delivery.Backend.HTTP_CALLBACK
    if case.usager_email:
        return Delivery.Backend.EMAIL
    return Delivery.Backend.NONE


def acknowledgement_schedule(*, case: Case) -> Acknowledgement | None:
    """In the transaction that creates ``case``: its acknowledgement row when the
    administration asks for one on this channel and the case has a route (once per case)."""
    config = settings_for(case.administration)
    if case.channel not in (config.channels or []):
        return None
    backend = _route(case)
    if backend == Delivery.Backend.NONE:
        return None
    subject, body = acknowledgement_render(case, config, by_mail=backend == Delivery.Backend.EMAIL)
    acknowledgement, created = Acknowledgement.objects.get_or_create(
        case=case, defaults={"backend": backend, "subject": subject, "body": body}
    )
    if created:
        followup_add(kind=ACKNOWLEDGEMENT, acknowledgement_id=acknowledgement.pk)
    return acknowledgement


# A transferred case's notice (CRPA L114-2: the administration that received a request it is
# not competent for sends it to the competent one and tells the usager). It is the acknowledgement
# of the new case, sent whatever the administration's acknowledgement settings, from the
# administration that now works the request and in the usager's thread of the first one.
TRANSFER_SUBJECT = (
    "Votre demande {ancienne_reference} a été transmise : nouvelle référence {reference}"
)
TRANSFER_BODY = """Bonjour {usager},

Votre demande {ancienne_reference}, reçue le {date_reception}, a été transmise le {date_transmission} au service compétent pour y répondre, comme le prévoit l'article L114-2 du code des relations entre le public et l'administration.

Service qui a reçu votre demande : {origine}
Service désormais chargé de votre demande : {service}
Nouvelle référence de votre demande : {reference}
Pour joindre ce service : {contact}

C'est ce service qui vous répondra. Pour toute correspondance, rappelez la référence {reference}{answer}.

Ce message a été envoyé automatiquement."""  # noqa: E501
# Said only when an answer to the mail reaches the administration (a mailbox that reads it is
# the mail's Reply-To: cases/delivery/answers.py): without one, it would go to the sending
# address, which reads nothing.
TRANSFER_ANSWER = ", ou répondez simplement à ce message : votre réponse parviendra à ce service"


def _first_of(case: Case) -> Case:
    """The case the usager's request first arrived as (the start of a chain of transfers)."""
    seen = {case.pk}
    while case.transferred_from_id is not None and case.transferred_from_id not in seen:
        seen.add(case.transferred_from_id)
        case = Case.objects.select_related("administration").get(pk=case.transferred_from_id)
    return case


def transfer_notice_render(case: Case, source: Case, *, by_mail: bool = True) -> tuple[str, str]:
    """(subject, text) of the notice telling the usager of ``case``, opened by the transfer of
    ``source``, that another administration now works their request, in French. ``by_mail``:
    it goes by e-mail (not through a channel's callback)."""
    first = _first_of(source)
    answer = answer_address(case)
    with translation.override("fr"):
        values = {
            "usager": one_line(case.usager_name) or "Madame, Monsieur",
            "ancienne_reference": source.reference,
            "reference": case.reference,
            "origine": first.administration.name,
            "service": case.administration.name,
            "date_reception": formats.date_format(
                timezone.localtime(first.created_at), "j F Y", use_l10n=True
            ),
            "date_transmission": formats.date_format(
                timezone.localtime(case.created_at), "j F Y", use_l10n=True
            ),
            "contact": service_contact(case),
            "answer": TRANSFER_ANSWER if by_mail and answer else "",
        }
        return _fill(TRANSFER_SUBJECT, values)[:300], _fill(TRANSFER_BODY, values)


def transfer_notice_schedule(*, case: Case, source: Case) -> Acknowledgement | None:
    """In the transaction of the transfer of ``source`` that opened ``case``: its notice to
    the usager (the case's acknowledgement row), when the case has a route to the usager."""
    backend = _route(case)
    if backend == Delivery.Backend.NONE:
        return None
    subject, body = transfer_notice_render(case, source, by_mail=backend == Delivery.Backend.EMAIL)
    acknowledgement, created = Acknowledgement.objects.get_or_create(
        case=case, defaults={"backend": backend, "subject": subject, "body": body}
    )
    if created:
        followup_add(kind=ACKNOWLEDGEMENT, acknowledgement_id=acknowledgement.pk)
    return acknowledgement


def _claim(acknowledgement_id: int) -> bool:
    now = timezone.now()
    stale = now - dt.timedelta(seconds=settings.DELIVERY_CLAIM_LEASE_SECONDS)
    return bool(
        Acknowledgement.objects.filter(pk=acknowledgement_id)
        .filter(
            Q(status=Acknowledgement.Status.PENDING)
            | Q(status=Acknowledgement.Status.SENDING, claimed_at__lt=stale)
        )
        .update(status=Acknowledgement.Status.SENDING, claimed_at=now, attempts=F("attempts") + 1)
    )


def acknowledgement_send(*, acknowledgement_id: int) -> str:
    """Send one acknowledgement: claim, send outside any transaction, record. Safe to call
    twice (the claim decides). Returns "sent", "retry", "failed" or "skipped"."""
    from ..delivery.backends import (
        DeliveryError,
        new_message_id,
        post_to_channel,
        send_case_email,
        thread_headers,
    )

    if not _claim(acknowledgement_id):
        return "skipped"
    row = Acknowledgement.objects.select_related("case__administration").get(pk=acknowledgement_id)
    case = row.case
    try:
        if row.backend == Delivery.Backend.HTTP_CALLBACK:
            post_to_channel(
                case,
                {
                    "acknowledgement_id": row.pk,
                    "acknowledgement": {"subject": row.subject, "body": row.body},
                },
                f"ack-{row.pk}",
            )
        else:
            if not row.message_id:
                Acknowledgement.objects.filter(pk=row.pk, message_id="").update(
                    message_id=new_message_id("ack", row.pk)
                )
                row.refresh_from_db(fields=["message_id"])
            # A transfer's notice answers in the usager's thread of the case transferred (the
            # mails they already have): it reads as the next message of their conversation.
            source = (
                Case.objects.filter(pk=case.transferred_from_id).first()
                if case.transferred_from_id
                else None
            )
            send_case_email(
                case=case,
                subject=row.subject,
                body=row.body,
                message_id=row.message_id,
                extra={
                    **(thread_headers(source) if source is not None else {}),
                    # RFC 3834: an automatic message; well-behaved responders do not answer it.
                    "Auto-Submitted": "auto-generated",
                },
            )
    except DeliveryError as exc:
        return _failed(row, str(exc))
    except Exception as exc:  # a plugged-in backend's bug must not leave the row "sending"
        logger.exception("Acknowledgement %s crashed", row.pk)
        return _failed(row, f"{type(exc).__name__}: {exc}")
    with transaction.atomic():
        done = Acknowledgement.objects.filter(
            pk=row.pk, status=Acknowledgement.Status.SENDING
        ).update(status=Acknowledgement.Status.SENT, sent_at=timezone.now(), last_error="")
        if done:
            case_event_record(
                case=case,
                actor=None,
                kind=CaseEvent.Kind.ACKNOWLEDGEMENT_SENT,
                data={"backend": row.backend, "message_id": row.message_id},
            )
    return "sent"


def _failed(row: Acknowledgement, error: str) -> str:
    final = row.attempts >= settings.DELIVERY_MAX_ATTEMPTS
    with transaction.atomic():
        updated = Acknowledgement.objects.filter(
            pk=row.pk, status=Acknowledgement.Status.SENDING
        ).update(
            status=Acknowledgement.Status.FAILED if final else Acknowledgement.Status.PENDING,
            last_error=error[:2000],
        )
        if updated and final:
            case_event_record(
                case_id=row.case_id,
                actor=None,
                kind=CaseEvent.Kind.ACKNOWLEDGEMENT_FAILED,
                data={"backend": row.backend, "error": error[:500], "attempts": row.attempts},
            )
    logger.warning("Acknowledgement %s attempt %s failed: %s", row.pk, row.attempts, error)
    return "failed" if final else "retry"


@followup_handler(ACKNOWLEDGEMENT)
def acknowledgement_followup(*, acknowledgement_id: int) -> None:
    """One attempt at sending. An attempt that failed short of ``DELIVERY_MAX_ATTEMPTS`` (counted
    on the row) leaves a new follow-up, due after a backoff, in the same transaction; the last
    one marks the row failed in the case's journal."""
    if acknowledgement_send(acknowledgement_id=acknowledgement_id) != "retry":
        return
    attempts = (
        Acknowledgement.objects.filter(pk=acknowledgement_id)
        .values_list("attempts", flat=True)
        .first()
    ) or 1
    wait = min(
        settings.DELIVERY_RETRY_BASE_SECONDS * 2 ** (attempts - 1),
        settings.DELIVERY_RETRY_MAX_SECONDS,
    )
    followup_add(
        kind=ACKNOWLEDGEMENT,
        due_at=timezone.now() + dt.timedelta(seconds=wait),
        acknowledgement_id=acknowledgement_id,
    )


__all__ = [
    "ACKNOWLEDGEMENT",
    "DEFAULT_BODY",
    "DEFAULT_SUBJECT",
    "PLACEHOLDERS",
    "REQUIRED_PLACEHOLDERS",
    "acknowledgement_followup",
    "acknowledgement_render",
    "acknowledgement_schedule",
    "acknowledgement_send",
    "settings_for",
    "template_check",
    "transfer_notice_render",
    "transfer_notice_schedule",
]
