"""The owner's NIK (KTP) and the shop's NPWP, checked for structure and check digit, not only length."""

import re

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _
from stdnum import exceptions as stdnum_errors
from stdnum.id import nik, npwp

NIK_LENGTH = _("NIK harus 16 angka, sesuai KTP.")
NIK_IMPOSSIBLE = _(
    "NIK ini tidak ada: kode wilayah, tanggal lahir atau nomor urutnya tidak cocok. Salin lagi dari KTP."
)
NPWP_LENGTH = _("NPWP harus 15 atau 16 angka.")
NPWP_IMPOSSIBLE = _("NPWP ini tidak ada: angka pemeriksanya tidak cocok. Salin lagi dari kartu NPWP.")
NITKU_LENGTH = _(
    "NITKU harus 22 angka: NPWP 16 angka (atau NIK) diikuti 6 angka kode tempat usaha, misalnya "
    "0012345674614000000000."
)
NITKU_IMPOSSIBLE = _("16 angka pertama NITKU bukan NPWP atau NIK yang sah. Salin lagi dari Coretax.")


def nik_clean(value: str) -> str:
    """The 16 digits of a real-looking NIK, typed with or without spaces, dots or dashes.

    python-stdnum checks the province and regency code and the birth date
    (day + 40 for women); a serial of 0000 is never issued. Raises
    ValidationError with a message for the owner.
    """
    try:
        number = nik.validate(value or "")
    except (stdnum_errors.InvalidLength, stdnum_errors.InvalidFormat):
        raise ValidationError(NIK_LENGTH, code="nik_length") from None
    except stdnum_errors.ValidationError:
        raise ValidationError(NIK_IMPOSSIBLE, code="nik_invalid") from None
    if number.endswith("0000"):
        raise ValidationError(NIK_IMPOSSIBLE, code="nik_invalid")
    return number


def npwp_clean(value: str) -> str:
    """The digits of an NPWP: the old 15 digits or 0 + those, with their check digit, or an owner's NIK.

    Since 2024 an individual's NIK serves as their NPWP, so 16 digits not
    starting with 0 must be a valid NIK. Raises ValidationError with a
    message for the owner.
    """
    compact = npwp.compact(value or "")
    if not compact.isdigit() or len(compact) not in (15, 16):
        raise ValidationError(NPWP_LENGTH, code="npwp_length")
    if len(compact) == 16 and not compact.startswith("0"):
        return nik_clean(compact)
    if not npwp.is_valid(compact):
        raise ValidationError(NPWP_IMPOSSIBLE, code="npwp_invalid")
    return compact


def nitku_clean(value: str) -> str:
    """The 22 digits of a NITKU: a 16-digit NPWP (or NIK) followed by a 6-digit place-of-business code.

    Typed with or without spaces, dots or dashes. The first 16 digits must themselves be a
    valid NPWP or NIK (npwp_clean); whether they are this shop's is the form's check.
    Raises ValidationError with a message for the owner.
    """
    compact = re.sub(r"[\s.\-]", "", value or "")
    if not compact.isdigit() or len(compact) != 22:
        raise ValidationError(NITKU_LENGTH, code="nitku_length")
    try:
        npwp_clean(compact[:16])
    except ValidationError:
        raise ValidationError(NITKU_IMPOSSIBLE, code="nitku_invalid") from None
    return compact
