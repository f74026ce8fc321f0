"""The e-mail settings page (administrators): the IMAP mailbox with its last error, the
messages kept in quarantine, and the acknowledgement of receipt."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from accounts.access import AuthenticatedHttpRequest, administration_for, requires
from accounts.models import Administration
from accounts.permissions import MANAGE_SETTINGS

from ..models import Mailbox, QuarantinedEmail
from . import settings_services
from .acknowledgement import OPTIONAL_PLACEHOLDERS, REQUIRED_PLACEHOLDERS, settings_for
from .forms import AcknowledgementForm, MailboxForm


def _form_errors(form, exc: ValidationError) -> None:
    for field, errors in exc.message_dict.items():
        form.add_error(field if field in form.fields else None, errors)


def _page(request: HttpRequest, administration: Administration, status: int = 200, **forms):
    mailbox = Mailbox.objects.filter(administration=administration).first()
    config = settings_for(administration)
    initial = (
        {name: getattr(mailbox, name) for name in MailboxForm.base_fields if name != "password"}
        if mailbox is not None
        else None
    )
    mailbox_form = forms.get("mailbox_form") or MailboxForm(initial=initial)
    acknowledgement_form = forms.get("acknowledgement_form") or AcknowledgementForm(
        initial={
            "channels": config.channels,
            "subject": config.subject,
            "body": config.body,
            "service_contact": config.service_contact,
        }
    )
    return render(
        request,
        "cases/mail_settings.html",
        {
            "mailbox": mailbox,
            "mailbox_form": mailbox_form,
            "acknowledgement_form": acknowledgement_form,
            "required_placeholders": [f"{{{n}}}" for n in REQUIRED_PLACEHOLDERS],
            "optional_placeholders": [f"{{{n}}}" for n in OPTIONAL_PLACEHOLDERS],
            "quarantined": QuarantinedEmail.objects.filter(administration=administration)
            .defer("raw")
            .order_by("-created_at", "-pk")[:50],
        },
        status=status,
    )


@requires(MANAGE_SETTINGS)
@require_GET
def mail_settings(request: AuthenticatedHttpRequest) -> HttpResponse:
    return _page(request, administration_for(request, MANAGE_SETTINGS))


@requires(MANAGE_SETTINGS)
@require_POST
def mailbox(request: AuthenticatedHttpRequest) -> HttpResponse:
    administration = administration_for(request, MANAGE_SETTINGS)
    form = MailboxForm(request.POST)
    if form.is_valid():
        data = dict(form.cleaned_data)
        password = data.pop("password", "") or ""
        try:
            settings_services.mailbox_save(
                actor=request.user, administration=administration, password=password, **data
            )
        except ValidationError as exc:
            _form_errors(form, exc)
        else:
            messages.success(request, _("Mailbox saved. It is read every few minutes."))
            return redirect("cases:mail_settings")
    return _page(request, administration, status=400, mailbox_form=form)


@requires(MANAGE_SETTINGS)
@require_POST
def mailbox_delete(request: AuthenticatedHttpRequest) -> HttpResponse:
    administration = administration_for(request, MANAGE_SETTINGS)
    settings_services.mailbox_delete(actor=request.user, administration=administration)
    messages.success(request, _("Mailbox removed: it is no longer read."))
    return redirect("cases:mail_settings")


@requires(MANAGE_SETTINGS)
@require_POST
def acknowledgement(request: AuthenticatedHttpRequest) -> HttpResponse:
    administration = administration_for(request, MANAGE_SETTINGS)
    form = AcknowledgementForm(request.POST)
    if form.is_valid():
        try:
            settings_services.acknowledgement_settings_save(
                actor=request.user, administration=administration, **form.cleaned_data
            )
        except ValidationError as exc:
            _form_errors(form, exc)
        else:
            messages.success(request, _("Acknowledgement of receipt saved."))
            return redirect("cases:mail_settings")
    return _page(request, administration, status=400, acknowledgement_form=form)
