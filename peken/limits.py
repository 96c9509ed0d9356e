"""How large a number, how long a text and how far a date a person can mean, for every form and upload.

A value past these limits is a typing slip or an attack, never a wish: the
database would refuse it with a server error (a number too large for its
column, a NUL byte in text), or keep it and break every page that shows it.
Forms and the CSV readers call the ``*_problem`` functions, which answer the
Indonesian message to show, or None when the value is fine.
"""

from datetime import date, timedelta

from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext as _

from peken.money import whole_number_format

# Each limit is below what its column holds (a PositiveIntegerField 2.147.483.647, Oscar's
# price 9.999.999.999, procurement's MONEY 15 digits) and is what a person means. A unit of a
# local shop's goods above Rp1 miliar, a budget line above
# Rp1 triliun (a whole city's yearly budget is a few tens of triliun) or a stock of more than
# ten million units is a zero typed too many.
MAX_PRICE = 1_000_000_000
MAX_RUPIAH = 1_000_000_000_000
MAX_STOCK = 10_000_000
MAX_MIN_ORDER = 100_000

# Free text, in characters.
MAX_SKU = 128  # Oscar's partner_sku
MAX_ADDRESS = 500
MAX_NOTE = 2_000  # a purpose, a comment, a reason
MAX_DESCRIPTION = 10_000  # a product's description


# PP 55/2022's final tax is granted for at most seven years (individuals); a day's slack for leap years.
PP55_VALID_MAX_DAYS = 7 * 365 + 2
# A delegation is set up for a leave that is planned: it starts within a year.
DELEGATION_START_MAX_DAYS = 365


def needed_by_problem(needed_by: date) -> str | None:
    """The message for a needed-by date more than PEKEN_NEEDED_BY_MAX_DAYS ahead, or None."""
    latest = timezone.localdate() + timedelta(days=settings.PEKEN_NEEDED_BY_MAX_DAYS)
    if needed_by > latest:
        return _("Tanggal dibutuhkan terlalu jauh; paling lambat %(date)s.") % {"date": f"{latest:%d-%m-%Y}"}
    return None


def delegation_problem(*, start: date, end: date) -> str | None:
    """The message for a delegation longer than PEKEN_DELEGATION_MAX_DAYS or starting over a year ahead."""
    days = settings.PEKEN_DELEGATION_MAX_DAYS
    if (end - start).days + 1 > days:
        return _("Pelimpahan paling lama %(days)d hari; buat pelimpahan baru bila perlu lebih lama.") % {
            "days": days
        }
    if start > timezone.localdate() + timedelta(days=DELEGATION_START_MAX_DAYS):
        return _("Pelimpahan harus mulai dalam setahun dari hari ini.")
    return None


def number_problem(value: int, *, maximum: int, label: str) -> str | None:
    """The message for a number above ``maximum``, or None."""
    if value > maximum:
        return _("%(field)s terlalu besar (paling besar %(max)s).") % {
            "field": label,
            "max": whole_number_format(maximum),
        }
    return None


def text_problem(value: str, *, maximum: int, label: str) -> str | None:
    """The message for a text with a NUL byte or longer than ``maximum`` characters, or None."""
    if "\x00" in value:
        return _("%(field)s berisi karakter yang tidak diizinkan.") % {"field": label}
    if len(value) > maximum:
        return _("%(field)s terlalu panjang (paling banyak %(max)d huruf).") % {
            "field": label,
            "max": maximum,
        }
    return None
