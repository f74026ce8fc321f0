"""The counter's forms: the new case recorded by an agent, and how an answer was given."""

from __future__ import annotations

import re

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from ..models import Priority, Topic, topic_choices
from ..services.common import MAX_TEXT_LENGTH
from .services import COUNTER_CHANNELS, AnswerGiven

# Digits with the separators people write (spaces, dots, dashes, brackets), an optional leading
# "+": French numbers and foreign ones alike; between 6 and 20 digits.
PHONE_RE = re.compile(r"^\+?[0-9 .()\-]+$")


def _phone(value: str) -> str:
    value = value.strip()
    digits = sum(ch.isdigit() for ch in value)
    if value and (not PHONE_RE.match(value) or not 6 <= digits <= 20):
        raise ValidationError(
            _(
                "Enter a phone number: digits, spaces, dots or dashes, and a leading + for a "
                "foreign number (e.g. 06 12 34 56 78)."
            ),
            code="invalid",
        )
    return value


class CounterCaseForm(forms.Form):
    channel = forms.ChoiceField(
        label=_("How did the usager reach you?"),
        choices=[(c.value, c.label) for c in COUNTER_CHANNELS],
        widget=forms.RadioSelect,
        error_messages={
            "required": _("Say how the usager reached you."),
            "invalid_choice": _("Say how the usager reached you."),
        },
    )
    subject = forms.CharField(
        label=_("Subject"),
        max_length=300,
        error_messages={"required": _("Give the case a subject.")},
    )
    body = forms.CharField(
        label=_("What the usager asks"),
        help_text=_("In the usager's words where you can: the draft is prepared from this text."),
        widget=forms.Textarea(attrs={"rows": 8}),
        max_length=MAX_TEXT_LENGTH,
        error_messages={"required": _("Write what the usager asks.")},
    )
    usager_name = forms.CharField(label=_("Usager's name"), max_length=200, required=False)
    usager_email = forms.EmailField(
        label=_("Usager's e-mail"),
        max_length=254,
        required=False,
        help_text=_("Without an e-mail, the answer is given to the usager in person or by phone."),
        error_messages={"invalid": _("Enter a valid e-mail address (e.g. nom@exemple.fr).")},
    )
    usager_phone = forms.CharField(label=_("Usager's phone"), max_length=40, required=False)
    topic = forms.TypedChoiceField(
        label=_("Topic"),
        required=False,
        coerce=int,
        empty_value=None,
        error_messages={"invalid_choice": _("Choose a topic from the list.")},
    )
    priority = forms.TypedChoiceField(
        label=_("Priority"),
        coerce=int,
        choices=Priority.choices,
        initial=Priority.NORMAL,
        error_messages={"invalid_choice": _("Choose a priority from the list.")},
    )
    handle_now = forms.BooleanField(
        label=_("I am handling it now"),
        help_text=_("The case is assigned to you; otherwise it waits in the queue."),
        required=False,
        initial=True,
    )

    def __init__(self, *args, topics: list[Topic], **kwargs):
        super().__init__(*args, **kwargs)
        self.topics = {topic.pk: topic for topic in topics}
        topic_field = self.fields["topic"]
        if isinstance(topic_field, forms.TypedChoiceField):
            topic_field.choices = topic_choices(topics, empty=_("No topic"))

    def clean_usager_phone(self) -> str:
        return _phone(self.cleaned_data.get("usager_phone") or "")

    def clean_usager_name(self) -> str:
        return " ".join((self.cleaned_data.get("usager_name") or "").split())

    def topic_object(self) -> Topic | None:
        topic_id = self.cleaned_data.get("topic")
        return self.topics.get(topic_id) if topic_id is not None else None


class AnswerGivenForm(forms.Form):
    """The composer's fields (the text, the version read, the preview's files) and how the
    answer was given: posted by the composer's "Record the answer given" button."""

    body = forms.CharField(
        max_length=MAX_TEXT_LENGTH,
        error_messages={"required": _("Write the answer you gave before recording it.")},
    )
    version = forms.IntegerField()
    given = forms.ChoiceField(
        label=_("The answer was given"),
        choices=AnswerGiven.choices,
        widget=forms.RadioSelect,
        error_messages={
            "required": _("Say how the answer was given: at the counter or on the phone."),
            "invalid_choice": _("Say how the answer was given: at the counter or on the phone."),
        },
    )
    attachment_token = forms.CharField(required=False, max_length=64)
