import pytest
from django.core.exceptions import ValidationError
from django.utils import translation

from accounts.models import Administration
from accounts.validators import luhn_is_valid, validate_siret

# INSEE's own establishment: a plain Luhn SIRET.
INSEE = "73282932000074"
# La Poste's head office passes the Luhn rule like everybody else.
LA_POSTE_HEAD_OFFICE = "35600000000048"
# A La Poste establishment numbered outside the Luhn rule: its digits add up to 15.
LA_POSTE_OUTSIDE_LUHN = "35600000000010"


@pytest.fixture(autouse=True)
def _english():
    with translation.override("en"):
        yield


def _refusal(value: str) -> ValidationError:
    with pytest.raises(ValidationError) as excinfo:
        validate_siret(value)
    return excinfo.value


def test_example_sirets_are_what_they_claim_to_be():
    assert luhn_is_valid(INSEE)
    assert luhn_is_valid(LA_POSTE_HEAD_OFFICE)
    assert not luhn_is_valid(LA_POSTE_OUTSIDE_LUHN)
    assert sum(int(c) for c in LA_POSTE_OUTSIDE_LUHN) % 5 == 0


@pytest.mark.parametrize("siret", [INSEE, LA_POSTE_HEAD_OFFICE, LA_POSTE_OUTSIDE_LUHN])
def test_valid_siret_is_accepted(siret):
    assert validate_siret(siret) is None


@pytest.mark.parametrize(
    "value",
    [
        pytest.param("7328293200007", id="13-digits"),
        pytest.param("732829320000740", id="15-digits"),
        pytest.param("", id="empty"),
        pytest.param("7328293200007A", id="letter"),
        pytest.param("732 829 320 00074", id="spaces"),
        pytest.param(" 73282932000074", id="leading-space"),
        pytest.param("7328293200007 ", id="trailing-space"),
        pytest.param("73282932-00074", id="dash"),
        pytest.param("７３２８２９３２０００７４", id="fullwidth-digits"),
        pytest.param("٧٣٢٨٢٩٣٢٠٠٠٠٧٤", id="arabic-indic-digits"),
    ],
)
def test_siret_that_is_not_fourteen_ascii_digits_is_refused_as_format(value):
    error = _refusal(value)
    assert error.code == "siret_format"
    message = error.messages[0]
    assert "14 digits" in message
    assert value in message


@pytest.mark.parametrize(
    "value",
    [
        pytest.param("73282932000075", id="last-digit-off-by-one"),
        pytest.param("73282932000047", id="two-digits-swapped"),
        pytest.param("12345678901234", id="digit-sum-multiple-of-5-but-not-la-poste"),
        pytest.param("35600000000046", id="la-poste-neither-rule"),
    ],
)
def test_siret_with_wrong_check_digit_is_refused_as_checksum(value):
    assert not luhn_is_valid(value)
    error = _refusal(value)
    assert error.code == "siret_checksum"
    message = error.messages[0]
    assert value in message
    assert "check digit" in message


def test_administration_full_clean_reports_bad_siret_on_the_siret_field():
    administration = Administration(
        name="Mairie de Tulle", slug="tulle", code="TULLE", kind="local_authority"
    )
    administration.siret = "73282932000075"
    with pytest.raises(ValidationError) as excinfo:
        administration.full_clean(validate_unique=False, validate_constraints=False)
    assert set(excinfo.value.message_dict) == {"siret"}
    assert "check digit" in excinfo.value.message_dict["siret"][0]


def test_administration_full_clean_accepts_good_or_empty_siret():
    for siret in (INSEE, LA_POSTE_OUTSIDE_LUHN, ""):
        Administration(
            name="Mairie de Tulle", slug="tulle", code="TULLE", kind="local_authority", siret=siret
        ).full_clean(validate_unique=False, validate_constraints=False)


@pytest.mark.django_db
def test_administration_create_with_bad_siret_writes_nothing():
    from accounts import services

    with pytest.raises(ValidationError) as excinfo:
        services.administration_create(
            name="Mairie de Tulle",
            slug="tulle",
            code="TULLE",
            kind="local_authority",
            siret="7328293200007",
        )
    assert "siret" in excinfo.value.message_dict
    assert not Administration.objects.filter(slug="tulle").exists()
