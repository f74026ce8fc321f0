"""The composer's form: the reply as the agent writes, previews and confirms it."""

from django import forms
from django.utils.translation import gettext_lazy as _


class ReplyForm(forms.Form):
    body = forms.CharField(
        label=_("Reply to the usager"),
        widget=forms.Textarea(attrs={"rows": 14}),
        max_length=50_000,
        error_messages={"required": _("Write the reply before sending it.")},
    )
    version = forms.IntegerField(widget=forms.HiddenInput)
    confirmed = forms.BooleanField(required=False, widget=forms.HiddenInput)
    # Reply attachments: the preview's pending files (cases/services/reply_attachments.py).
    attachment_token = forms.CharField(required=False, max_length=64, widget=forms.HiddenInput)
