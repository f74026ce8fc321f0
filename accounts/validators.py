from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _


def luhn_is_valid(digits: str) -> bool:
    total = 0
    for index, char in enumerate(reversed(digits)):
        value = int(char)
        if index % 2 == 1:
            value *= 2
            if value > 9:
                value -= 9
        total += value
    return total % 10 == 0


# La Poste's establishments are numbered outside the Luhn rule: their SIREN is 356000000
# and the digits of their SIRET add up to a multiple of 5 instead.
LA_POSTE_SIREN = "356000000"


def validate_siret(value: str) -> None:
    if not (len(value) == 14 and value.isascii() and value.isdigit()):
        raise ValidationError(
            _("A SIRET has exactly 14 digits (got “%(value)s”)."),
            code="siret_format",
            params={"value": value},
        )
    if value.startswith(LA_POSTE_SIREN) and sum(int(c) for c in value) % 5 == 0:
        return
    if not luhn_is_valid(value):
        raise ValidationError(
            _("“%(value)s” is not a valid SIRET: its check digit is wrong."),
            code="siret_checksum",
            params={"value": value},
        )
