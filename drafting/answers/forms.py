from __future__ import annotations

from typing import cast

from django import forms
from django.utils.translation import gettext_lazy as _

from accounts.models import Administration
from cases.models import topic_choices
from cases.selectors import topics_for

from .services import MAX_ANSWER_CHARS, MAX_QUESTION_CHARS


def _topic_field(form: forms.Form, administration: Administration) -> None:
    """The administration's topics, listed in the alphabetical order of the page's language
    (an English page does not read the stored French order); validated against the same."""
    field = cast(forms.ModelChoiceField, form.fields["topic"])
    field.queryset = topics = topics_for(administration)
    field.choices = topic_choices(topics, empty=str(field.empty_label))


class BankAnswerForm(forms.Form):
    question = forms.CharField(
        label=_("Question"),
        max_length=MAX_QUESTION_CHARS,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("The usager's question, in their words; identifiers are masked."),
    )
    answer = forms.CharField(
        label=_("Answer"),
        max_length=MAX_ANSWER_CHARS,
        widget=forms.Textarea(attrs={"rows": 10}),
        help_text=_(
            "The reusable body. A greeting, closing formula or signature is taken off (each case "
            "gets its own); a person's name, social security number, IBAN or date of birth is "
            "masked; a service's telephone, e-mail, address and links are kept."
        ),
    )
    topic = forms.ModelChoiceField(
        label=_("Topic"), queryset=None, required=False, empty_label=_("None")
    )

    def __init__(self, *args, administration: Administration, **kwargs):
        super().__init__(*args, **kwargs)
        _topic_field(self, administration)


class FromReplyForm(forms.Form):
    topic = forms.ModelChoiceField(
        label=_("Topic"), queryset=None, required=False, empty_label=_("None")
    )

    def __init__(self, *args, administration: Administration, **kwargs):
        super().__init__(*args, **kwargs)
        _topic_field(self, administration)
