"""Forms of the administration settings page (administrators)."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from ..models import DEFAULT_RESPONSE_DAYS, Channel


def deadline_field_name(channel: str) -> str:
    return f"days_{channel}"


class DeadlinesForm(forms.Form):
    """One number of days per channel; empty means the platform's default."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for channel in Channel:
            self.fields[deadline_field_name(channel.value)] = forms.IntegerField(
                label=channel.label,
                required=False,
                min_value=1,
                max_value=365,
                help_text=_("Default: %(days)d days") % {"days": DEFAULT_RESPONSE_DAYS[channel]},
                error_messages={
                    "invalid": _("A whole number of days from 1 to 365."),
                    "min_value": _("A whole number of days from 1 to 365."),
                    "max_value": _("A whole number of days from 1 to 365."),
                },
            )

    def days(self) -> dict[str, int | None]:
        return {
            channel.value: self.cleaned_data.get(deadline_field_name(channel.value))
            for channel in Channel
        }

    def rows(self):
        return [(channel, self[deadline_field_name(channel.value)]) for channel in Channel]


class TextsForm(forms.Form):
    closing = forms.CharField(
        label=_("Closing formula"),
        required=False,
        max_length=300,
        help_text=_("Ends every draft and is offered in every reply, before the signature."),
    )
    signature = forms.CharField(
        label=_("Signature"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("The last lines of drafts and replies (service, address, hours…)."),
    )


class ReferencesForm(forms.Form):
    reply_references = forms.BooleanField(
        label=_("Add the “Pour en savoir plus” list to replies"),
        required=False,
        help_text=_(
            "When an agent uses a draft, the reply ends with the public links of the fiches "
            "the draft relies on. Internal citation numbers such as [1] are never sent."
        ),
    )


class TopicForm(forms.Form):
    name = forms.CharField(
        label=_("Topic name"),
        max_length=120,
        error_messages={"required": _("This field cannot be empty.")},
    )
