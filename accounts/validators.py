from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

MSG_NPI_FORMAT = "An NPI is exactly 10 digits."
MSG_NPI_CHECK_DIGIT = "This NPI's check digit is wrong; please check the number."


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
        raise ValidationError(_(MSG_NPI_FORMAT), code="npi_format")
    if not luhn_valid("80840" + value):
        raise ValidationError(_(MSG_NPI_CHECK_DIGIT), code="npi_check_digit")
