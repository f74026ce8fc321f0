from django import forms
from django.contrib.auth.forms import AuthenticationForm
from django.utils.translation import gettext_lazy as _

from .models import Membership, Role


class EmailAuthenticationForm(AuthenticationForm):
    username = forms.EmailField(
        label=_("E-mail address"),
        widget=forms.EmailInput(attrs={"autofocus": True, "autocomplete": "email"}),
    )
    error_messages = {
        **AuthenticationForm.error_messages,
        # Django's says the fields are case-sensitive: the address is not (stored lower-case).
        "invalid_login": _("Incorrect e-mail address or password."),
    }

    def clean_username(self) -> str:
        # Addresses are stored lower-case: "Agent1.CAF69@..." is the same account.
        return self.cleaned_data["username"].strip().lower()


class DsfrForm(forms.Form):
    """Gives widgets the design system's classes."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            widget = field.widget
            if isinstance(widget, forms.CheckboxSelectMultiple | forms.CheckboxInput):
                continue
            if isinstance(widget, forms.Select):
                widget.attrs.setdefault("class", "fr-select")
            else:
                widget.attrs.setdefault("class", "fr-input")


class InviteForm(DsfrForm):
    email = forms.EmailField(label=_("E-mail address"), max_length=254)
    first_name = forms.CharField(label=_("First name"), max_length=150, required=False)
    last_name = forms.CharField(label=_("Last name"), max_length=150, required=False)
    role = forms.ChoiceField(label=_("Role"), choices=Role.choices, initial=Role.AGENT)
    team = forms.CharField(label=_("Team"), max_length=100, required=False)


class MemberForm(DsfrForm):
    role = forms.ChoiceField(label=_("Role"), choices=Role.choices)
    team = forms.CharField(label=_("Team"), max_length=100, required=False)


class MembersImportForm(DsfrForm):
    file = forms.FileField(
        label=_("CSV file"),
        help_text=_(
            "One row per person under a header row: e-mail, first name, last name, role "
            "(agent, manager or administrator), team. Commas or semicolons."
        ),
    )


class CohortInviteForm(DsfrForm):
    members = forms.ModelMultipleChoiceField(
        label=_("Agents"), queryset=Membership.objects.none(), widget=forms.CheckboxSelectMultiple
    )
    cohort = forms.CharField(label=_("Cohort"), max_length=100, help_text=_("e.g. “vague 1”"))
    starts_on = forms.DateField(
        label=_("Starts on"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )

    def __init__(self, *args, members=None, **kwargs):
        super().__init__(*args, **kwargs)
        if members is not None:
            self.fields["members"].queryset = members
        self.fields["members"].label_from_instance = lambda m: (
            f"{m.user.display_name} ({m.user.email})"
        )


class VolunteerSettingsForm(DsfrForm):
    volunteer_quota = forms.IntegerField(
        label=_("Volunteer quota"),
        min_value=1,
        max_value=100000,
        required=False,
        help_text=_("Most volunteers taking part at once; empty for no limit."),
    )


class ConsentForm(DsfrForm):
    text = forms.CharField(
        label=_("Consent text"),
        max_length=20000,
        widget=forms.Textarea(attrs={"rows": 8}),
        help_text=_("Publishing makes a new version; earlier consents stay tied to their text."),
    )
