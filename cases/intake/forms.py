"""Forms of the e-mail settings page (administrators): the IMAP mailbox and the
acknowledgement of receipt."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from ..models import Channel, Mailbox


class MailboxForm(forms.Form):
    address = forms.EmailField(
        label=_("Address usagers write to"),
        required=False,
        help_text=_("Set as Reply-To of the mails Guichet sends, so that answers come back here."),
    )
    host = forms.CharField(label=_("IMAP server"), max_length=253)
    port = forms.IntegerField(label=_("Port"), min_value=1, max_value=65535, initial=993)
    security = forms.ChoiceField(
        label=_("Security"), choices=Mailbox.Security.choices, initial=Mailbox.Security.SSL
    )
    username = forms.CharField(label=_("User name"), max_length=254)
    password = forms.CharField(
        label=_("Password"),
        required=False,
        widget=forms.PasswordInput(render_value=False),
        help_text=_("Stored encrypted. Leave empty to keep the current one."),
    )
    folder = forms.CharField(label=_("Folder read"), max_length=200, initial="INBOX")
    after_read = forms.ChoiceField(
        label=_("After reading"), choices=Mailbox.AfterRead.choices, initial=Mailbox.AfterRead.MOVE
    )
    processed_folder = forms.CharField(
        label=_("Folder for read messages"), max_length=200, required=False, initial="Guichet"
    )
    is_active = forms.BooleanField(label=_("Read this mailbox"), required=False, initial=True)


class AcknowledgementForm(forms.Form):
    channels = forms.MultipleChoiceField(
        label=_("Channels whose new cases are acknowledged"),
        choices=Channel.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    service_contact = forms.CharField(
        label=_("How to reach the service in charge"),
        max_length=500,
        required=False,
        help_text=_("Postal address, phone or e-mail: the acknowledgement must say it."),
    )
    subject = forms.CharField(label=_("Subject"), max_length=300)
    body = forms.CharField(label=_("Text"), widget=forms.Textarea(attrs={"rows": 14}))
