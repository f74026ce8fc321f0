"""Administrators' writes for e-mail intake: the IMAP mailbox and the acknowledgement of
receipt. Each is journaled in the administration's journal."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from accounts.models import Administration, AuditEntry, User
from accounts.permissions import MANAGE_SETTINGS, has_administration_perm
from accounts.services import audit_record

from ..audit_actions import CasesAuditAction
from ..models import AcknowledgementSettings, Channel, Mailbox
from .acknowledgement import settings_for, template_check
from .imap import password_encrypt
from .servers import server_refusals


def _require_settings(actor: User, administration: Administration) -> None:
    if not has_administration_perm(actor, MANAGE_SETTINGS, administration):
        raise PermissionDenied(
            _("Your role does not allow managing this administration's settings.")
        )


_MAILBOX_FIELDS = (
    "address",
    "host",
    "port",
    "security",
    "username",
    "folder",
    "after_read",
    "processed_folder",
    "is_active",
)


@transaction.atomic
def mailbox_save(
    *, actor: User, administration: Administration, password: str = "", **fields: Any
) -> Mailbox:
    """Create or change the administration's mailbox. An empty ``password`` keeps the stored
    one (a new mailbox needs one). The password is stored encrypted and never journaled."""
    _require_settings(actor, administration)
    unknown = set(fields) - set(_MAILBOX_FIELDS)
    if unknown:
        raise TypeError(f"Unknown mailbox fields: {sorted(unknown)}")
    mailbox = Mailbox.objects.select_for_update().filter(
        administration=administration
    ).first() or Mailbox(administration=administration)
    created = mailbox.pk is None
    for name, value in fields.items():
        setattr(mailbox, name, value.strip() if isinstance(value, str) else value)
    if password:
        mailbox.password_encrypted = password_encrypt(password)
    elif created:
        raise ValidationError({"password": _("Enter the mailbox's password.")}, code="required")
    if mailbox.after_read == Mailbox.AfterRead.MOVE and not mailbox.processed_folder:
        raise ValidationError(
            {"processed_folder": _("Name the folder read messages are moved to.")},
            code="required",
        )
    if mailbox.processed_folder and mailbox.processed_folder == mailbox.folder:
        raise ValidationError(
            {"processed_folder": _("Read messages must go to another folder than the one read.")},
            code="invalid",
        )
    refusals = server_refusals(host=mailbox.host, port=mailbox.port, security=mailbox.security)
    if refusals:
        raise ValidationError(refusals, code="invalid")
    mailbox.full_clean(exclude=["administration", "password_encrypted"])
    mailbox.last_error = ""  # a changed setting deserves a fresh try
    mailbox.save()
    audit_record(
        administration=administration,
        actor=actor,
        category=AuditEntry.Category.SETTINGS,
        action=CasesAuditAction.MAILBOX_SAVED,
        target_label=str(mailbox),
        data={
            **{name: getattr(mailbox, name) for name in _MAILBOX_FIELDS},
            "password_changed": bool(password),
            "created": created,
        },
    )
    return mailbox


@transaction.atomic
def mailbox_delete(*, actor: User, administration: Administration) -> None:
    _require_settings(actor, administration)
    mailbox = Mailbox.objects.filter(administration=administration).first()
    if mailbox is None:
        return
    label = str(mailbox)
    mailbox.delete()
    audit_record(
        administration=administration,
        actor=actor,
        category=AuditEntry.Category.SETTINGS,
        action=CasesAuditAction.MAILBOX_DELETED,
        target_label=label,
    )


@transaction.atomic
def acknowledgement_settings_save(
    *,
    actor: User,
    administration: Administration,
    channels: list[str],
    subject: str,
    body: str,
    service_contact: str,
) -> AcknowledgementSettings:
    """The channels whose new cases are acknowledged, and the text (which must keep the
    mentions the law expects: ``ValidationError`` otherwise)."""
    _require_settings(actor, administration)
    bad = [c for c in channels if c not in Channel.values]
    if bad:
        raise ValidationError(
            {"channels": _("Unknown channel “%(value)s”.") % {"value": bad[0]}},
            code="invalid_choice",
        )
    subject, body, service_contact = subject.strip(), body.strip(), service_contact.strip()
    template_check(subject=subject, body=body)
    if channels and not service_contact:
        raise ValidationError(
            {"service_contact": _("Say how to reach the service in charge (the law asks for it).")},
            code="required",
        )
    config = settings_for(administration)
    before = {
        "channels": list(config.channels or []),
        "subject": config.subject,
        "body": config.body,
        "service_contact": config.service_contact,
    }
    config.channels = sorted(set(channels), key=Channel.values.index)
    config.subject = subject
    config.body = body
    config.service_contact = service_contact
    config.full_clean(exclude=["administration"])
    config.save()
    audit_record(
        administration=administration,
        actor=actor,
        category=AuditEntry.Category.SETTINGS,
        action=CasesAuditAction.ACKNOWLEDGEMENT_CHANGED,
        data={
            "channels": config.channels,
            "before_channels": before["channels"],
            "text_changed": (before["subject"], before["body"]) != (subject, body),
            "service_contact": service_contact,
        },
    )
    return config
