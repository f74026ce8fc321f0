"""A usager's phone number is stored in one written form, so their cases meet."""

from __future__ import annotations

import pytest

from cases import services
from cases.history import usager_other_cases
from cases.models import Channel
from cases.text import phone_number
from tests.factories import make_administration

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    "written",
    [
        "06 12 34 56 78",
        "06.12.34.56.78",
        "0612345678",
        "+33 6 12 34 56 78",
        "0033612345678",
        "06-12-34-56-78",
        "(06) 12 34 56 78",
    ],
)
def test_a_french_number_has_one_form_however_it_is_typed(written):
    assert phone_number(written) == "06 12 34 56 78"


@pytest.mark.parametrize(
    ("written", "stored"),
    [("+32 2 555 12 34", "+3225551234"), ("poste 4512", "poste 4512"), ("", "")],
)
def test_other_numbers_keep_their_digits_and_words_stay_as_written(written, stored):
    assert phone_number(written) == stored


def test_the_cases_of_one_caller_meet_whatever_each_agent_typed():
    administration = make_administration("CAF du Rhône", code="CAF69")
    first, second = (
        services.case_create(
            actor=None,
            administration=administration,
            channel=Channel.PHONE,
            subject="Appel",
            body="Question sur mon allocation.",
            usager_phone=phone,
        )
        for phone in ("06.12.34.56.78", "+33 6 12 34 56 78")
    )
    assert first.usager_phone == second.usager_phone == "06 12 34 56 78"
    assert list(usager_other_cases(second).cases) == [first]
