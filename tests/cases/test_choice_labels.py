"""The case's choice labels (``get_status_display``...) are read from the enums, not from the
dict Django's generated methods rebuild on every call: same labels, in the active language."""

from __future__ import annotations

import pytest
from django.db.models import Model
from django.utils import translation

from cases.models import Case, Channel, Priority, Status

FIELDS = [("status", Status), ("channel", Channel), ("priority", Priority)]


def _django_label(case: Case, name: str) -> str:
    # What Django's own get_FOO_display gives: the model's generic implementation.
    return Model._get_FIELD_display(case, Case._meta.get_field(name))


@pytest.mark.parametrize("language", ["fr", "en"])
@pytest.mark.parametrize(("name", "choices"), FIELDS)
def test_every_label_is_django_s_own(language, name, choices):
    with translation.override(language):
        for value in choices.values:
            case = Case(**{name: value})
            ours = getattr(case, f"get_{name}_display")()
            assert ours == _django_label(case, name)
            assert isinstance(ours, str)


def test_labels_follow_the_active_language():
    case = Case(status=Status.NEW)
    with translation.override("fr"):
        french = case.get_status_display()
    with translation.override("en"):
        english = case.get_status_display()
    assert french != english


@pytest.mark.parametrize(("name", "value"), [("status", "archived"), ("priority", 9)])
def test_a_value_outside_the_choices_is_shown_as_it_is(name, value):
    case = Case(**{name: value})
    # Django gives the raw value (an int stays an int); as text, the same.
    assert getattr(case, f"get_{name}_display")() == str(value) == str(_django_label(case, name))
