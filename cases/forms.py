from django import forms
from django.utils.translation import gettext_lazy as _

from accounts.models import Administration

from .models import Channel, Priority, Status, topic_choices


class InboxFilterForm(forms.Form):
    box = forms.ChoiceField(
        label=_("Box"),
        required=False,
        choices=[("mine", _("My cases")), ("queue", _("Queue")), ("all", _("All cases"))],
    )
    status = forms.ChoiceField(
        label=_("Status"), required=False, choices=[("", _("All")), *Status.choices]
    )
    channel = forms.ChoiceField(
        label=_("Channel"), required=False, choices=[("", _("All")), *Channel.choices]
    )
    topic = forms.TypedChoiceField(label=_("Topic"), required=False, coerce=int, empty_value=None)
    priority = forms.TypedChoiceField(
        label=_("Priority"),
        required=False,
        coerce=int,
        empty_value=None,
        choices=[("", _("All")), *Priority.choices],
    )
    overdue = forms.BooleanField(label=_("Overdue only"), required=False)
    q = forms.CharField(label=_("Search subject and text"), required=False, max_length=200)
    # Drill-downs from the dashboard (hidden: the dashboard writes them into the link).
    assignee = forms.IntegerField(required=False, min_value=1, widget=forms.HiddenInput)
    unassigned = forms.BooleanField(required=False, widget=forms.HiddenInput)
    open = forms.BooleanField(required=False, widget=forms.HiddenInput)
    due_soon = forms.BooleanField(required=False, widget=forms.HiddenInput)
    created_from = forms.DateField(required=False, widget=forms.HiddenInput)
    created_to = forms.DateField(required=False, widget=forms.HiddenInput)
    answered_from = forms.DateField(required=False, widget=forms.HiddenInput)
    answered_to = forms.DateField(required=False, widget=forms.HiddenInput)
    rating = forms.IntegerField(required=False, min_value=1, max_value=5, widget=forms.HiddenInput)
    surveyed_from = forms.DateField(required=False, widget=forms.HiddenInput)
    surveyed_to = forms.DateField(required=False, widget=forms.HiddenInput)

    DRILL_DOWN = (
        "assignee",
        "unassigned",
        "open",
        "due_soon",
        "created_from",
        "created_to",
        "answered_from",
        "answered_to",
        "rating",
        "surveyed_from",
        "surveyed_to",
    )

    SELECTS = ("status", "channel", "topic", "priority")

    def __init__(self, *args, topics=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["topic"].choices = topic_choices(topics, empty=_("All"))

    def selects(self) -> list[dict]:
        """The four select filters, each option with whether it is the chosen one: the
        template places them (through the generic field loop, reading the bound value once per
        option was a twentieth of the inbox page's CPU)."""
        selects = []
        for name in self.SELECTS:
            field = self[name]
            chosen = field.value()
            chosen = "" if chosen is None else str(chosen)
            selects.append(
                {
                    "id": field.id_for_label,
                    "name": field.html_name,
                    "label": field.label,
                    "options": [
                        (str(value), label, str(value) == chosen)
                        for value, label in field.field.choices
                    ],
                }
            )
        return selects


class NoteForm(forms.Form):
    body = forms.CharField(
        label=_("Internal note (never sent to the usager)"),
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=10_000,
    )


class TransferForm(forms.Form):
    target = forms.ModelChoiceField(
        label=_("Administration to transfer to"),
        queryset=Administration.objects.none(),
        error_messages={
            "required": _("Choose the administration to transfer to."),
            "invalid_choice": _("This administration does not exist."),
        },
    )
    reason = forms.CharField(
        label=_("Reason (shown to the receiving administration)"),
        widget=forms.Textarea(attrs={"rows": 2}),
        max_length=2_000,
        error_messages={"required": _("Say why the case is transferred.")},
    )
    version = forms.IntegerField(widget=forms.HiddenInput)

    def __init__(self, *args, current: Administration, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["target"].queryset = Administration.objects.exclude(pk=current.pk).order_by(
            "name"
        )


class TransitionForm(forms.Form):
    action = forms.CharField()
    version = forms.IntegerField()
    reason = forms.CharField(required=False, max_length=2_000)


class AssignForm(forms.Form):
    assignee = forms.IntegerField()
    version = forms.IntegerField()
