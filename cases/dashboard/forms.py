"""The dashboard's filters: a preset period or custom dates, and (national staff) the
administration. The page and the API parse them alike."""

from __future__ import annotations

from django import forms
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from .scope import MAX_PERIOD_DAYS, Period


class DashboardForm(forms.Form):
    periode = forms.ChoiceField(
        label=gettext_lazy("Period"),
        required=False,
        choices=[
            ("7", gettext_lazy("Last 7 days")),
            ("30", gettext_lazy("Last 30 days")),
            ("90", gettext_lazy("Last 90 days")),
            ("custom", gettext_lazy("Custom dates")),
        ],
    )
    du = forms.DateField(
        label=gettext_lazy("From"),
        required=False,
        error_messages={"invalid": gettext_lazy("Enter a valid start date (YYYY-MM-DD).")},
    )
    au = forms.DateField(
        label=gettext_lazy("To (included)"),
        required=False,
        error_messages={"invalid": gettext_lazy("Enter a valid end date (YYYY-MM-DD).")},
    )
    administration = forms.CharField(required=False, max_length=20)

    def clean(self):
        data = super().clean()
        preset = data.get("periode") or ""
        start, end = data.get("du"), data.get("au")
        custom = preset == "custom" or (not preset and (start or end))
        if self.errors:
            return data
        if not custom:
            data["period"] = Period.last(int(preset or 30))
            return data
        if start is None or end is None:
            raise forms.ValidationError(_("Give both the start and the end date of the period."))
        if start > end:
            raise forms.ValidationError(_("The start date must be before the end date."))
        if end > timezone.localdate():
            raise forms.ValidationError(_("The period cannot end in the future."))
        if (end - start).days + 1 > MAX_PERIOD_DAYS:
            raise forms.ValidationError(
                _("The period cannot be longer than %(days)s days.") % {"days": MAX_PERIOD_DAYS}
            )
        data["period"] = Period(start=start, end=end)
        return data
