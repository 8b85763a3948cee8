import unicodedata

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

MSG_NPI_FORMAT = _("An NPI is exactly 10 digits.")
MSG_NPI_CHECK_DIGIT = _("This NPI's check digit is wrong; please check the number.")
MSG_NAME_INVISIBLE = _("Use letters, spaces and punctuation only: this name contains invisible formatting characters.")
MSG_NUMBER_INVISIBLE = _(
    "Use letters, digits and punctuation only: this number contains invisible formatting characters."
)


def luhn_valid(digits: str) -> bool:
    total = 0
    for index, char in enumerate(reversed(digits)):
        value = int(char)
        if index % 2 == 1:
            value *= 2
            if value > 9:
                value -= 9
        total += value
    return total % 10 == 0


def validate_npi(value: str) -> None:
    """US National Provider Identifier: 10 digits whose last is a Luhn check digit
    computed over the card-issuer prefix 80840 and the first nine digits."""
    if len(value) != 10 or not value.isascii() or not value.isdigit():
        raise ValidationError(MSG_NPI_FORMAT, code="npi_format")
    if not luhn_valid("80840" + value):
        raise ValidationError(MSG_NPI_CHECK_DIGIT, code="npi_check_digit")


def has_invisible_characters(value: str) -> bool:
    """Control and format characters: direction overrides and isolates (U+202A-202E,
    U+2066-2069) that make a name print as something other than what is stored and
    searched, zero-width spaces and joiners, and the like."""
    return any(unicodedata.category(char) in ("Cc", "Cf") for char in value)


def validate_printed_name(value: str) -> None:
    """For names printed on certificates."""
    if has_invisible_characters(value):
        raise ValidationError(MSG_NAME_INVISIBLE, code="invisible_characters")


def validate_printed_number(value: str) -> None:
    """For numbers printed on certificates and compared by staff (licence numbers)."""
    if has_invisible_characters(value):
        raise ValidationError(MSG_NUMBER_INVISIBLE, code="invisible_characters")
