"""Phone numbers (0812..., +62 812..., 62812...), kept in E.164, shown as 0812-3456-7890."""

import phonenumbers
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

REGION = "ID"

INVALID = _("Nomor HP tidak valid. Tulis seperti 0812-3456-7890 atau +62 812-3456-7890.")


def _parse(value: str) -> phonenumbers.PhoneNumber | None:
    try:
        number = phonenumbers.parse(str(value or ""), REGION)
    except phonenumbers.NumberParseException:
        return None
    return number if phonenumbers.is_valid_number(number) else None


def phone_parse(value: str) -> str:
    """The E.164 form (+6281234567890) of a number typed as 08..., +62... or 62...

    A number without a country code is read as Indonesian. Raises
    ValidationError (code "invalid_phone") for anything phonenumbers does not
    recognise as a real number.
    """
    number = _parse(value)
    if number is None:
        raise ValidationError(INVALID, code="invalid_phone")
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def phone_display(value) -> str:
    """0812-3456-7890 for an Indonesian number (any stored form), +65 6123 4567 for a foreign one.

    Text that is not a phone number is returned as it is, so old data still shows.
    """
    if not value:
        return ""
    number = _parse(str(value))
    if number is None:
        return str(value)
    style = (
        phonenumbers.PhoneNumberFormat.NATIONAL
        if number.country_code == 62
        else phonenumbers.PhoneNumberFormat.INTERNATIONAL
    )
    return phonenumbers.format_number(number, style)
