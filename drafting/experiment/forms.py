"""The form of the experiment set-up page."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from drafting.suggestions.backends import backend_label, backends_offered


def backend_choice_value(backend: str, model_name: str) -> str:
    return f"{backend}:{model_name}"


class ExperimentForm(forms.Form):
    assisted_percent = forms.IntegerField(
        label=_("Assisted share (%)"),
        help_text=_(
            "Share of new cases that get an AI draft, from 1 to 99 %. The other cases are the "
            "control group."
        ),
        min_value=1,
        max_value=99,
        error_messages={
            "required": _("Enter the assisted share."),
            "invalid": _("Enter a whole number."),
            "min_value": _("The assisted share is a whole percentage from 1 to 99."),
            "max_value": _("The assisted share is a whole percentage from 1 to 99."),
        },
    )
    backend = forms.ChoiceField(
        label=_("Drafting backend and model"),
        error_messages={
            "required": _("Choose a drafting backend and model that the platform offers."),
            "invalid_choice": _("Choose a drafting backend and model that the platform offers."),
        },
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["backend"].choices = [
            (backend_choice_value(b, m), backend_label(b, m)) for b, m in backends_offered()
        ]

    def backend_pair(self) -> tuple[str, str]:
        backend, _sep, model_name = self.cleaned_data["backend"].partition(":")
        return backend, model_name
