from django import forms
from django.utils.translation import gettext_lazy as _

from .models import Suggestion

REASONS = [
    (value, label)
    for value, label in Suggestion.DiscardReason.choices
    if value != Suggestion.DiscardReason.NOT_USED
]


class DiscardForm(forms.Form):
    reason = forms.ChoiceField(
        label=_("Why is this draft discarded?"),
        choices=[("", _("Choose a reason")), *REASONS],
        error_messages={"required": _("Choose a reason for discarding the draft.")},
    )
    comment = forms.CharField(
        label=_("Comment (required for “Other”)"),
        required=False,
        max_length=2000,
        widget=forms.TextInput,
    )

    def clean(self):
        cleaned = super().clean()
        if (
            cleaned.get("reason") == Suggestion.DiscardReason.OTHER
            and not (cleaned.get("comment") or "").strip()
        ):
            self.add_error("comment", _("Say in a few words why the draft is discarded."))
        return cleaned
