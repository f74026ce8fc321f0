from django import forms
from django.utils.translation import gettext_lazy as _

from .models import MAX_DAYS, MIN_DAYS


class RightsRequestForm(forms.Form):
    identifier = forms.CharField(
        label=_("Usager's e-mail address, phone number or case reference"), max_length=254
    )
    reason = forms.CharField(
        label=_("Reason for the erasure (journaled)"),
        max_length=1000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )


class RetentionForm(forms.Form):
    closed_case_days = forms.IntegerField(
        label=_("Days a closed case keeps the usager's data"),
        min_value=MIN_DAYS,
        max_value=MAX_DAYS,
    )
