"""Rupiah as Peken writes, reads and spells it: the one home of money's text.

- ``rupiah_format``: Rp150.000, -Rp1.500 (dot thousands, no decimals, in every
  language). Oscar's ``currency`` filter reads the same Babel pattern
  (settings.OSCAR_CURRENCY_FORMAT is ``CURRENCY_FORMAT`` below), so Oscar's own
  templates agree with Peken's ``{% load peken_money %}{{ amount|rupiah }}``.
- ``rupiah_parse``: what people type in forms and CSV files, "15.000.000",
  "15000000", "Rp 15.000.000" or SIPD's "15.000.000,00", as a Decimal.
- ``rupiah_words``: terbilang, the amount in Indonesian words that receipts and
  orders repeat under the figure ("seribu lima ratus rupiah").

``whole_number_format`` and ``whole_number_parse`` are the same dot-thousands
grammar without the currency, for counts such as stock. Converting rupiah to
Stripe's minor units is payments.money's job (``rupiah_to_minor``).
"""

import re
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation, localcontext

from babel.numbers import format_currency, format_decimal
from django.utils.translation import gettext_lazy as _

CURRENCY = "IDR"
# Babel's pattern: ¤ is the symbol (Rp in Indonesian), dot thousands, no decimals.
CURRENCY_FORMAT = {"format": "¤#,##0", "locale": "id_ID", "currency_digits": False}
_NUMBER_FORMAT = {"format": "#,##0", "locale": "id_ID"}

# A number of more than this many digits is above every limit (peken.limits) and
# Python refuses to read an integer of more than 4300 digits, so it is not read exactly.
MAX_DIGITS = 30
_PLAIN = re.compile(r"[0-9]+")
_GROUPED = re.compile(r"[0-9]{1,3}(?:\.[0-9]{3})+")  # 1.500.000 as Indonesians write rupiah
_SYMBOL = re.compile(r"(-?)(?:rp\.?)?(-?)", re.IGNORECASE)


class RupiahError(ValueError):
    """Text that is not a whole number of rupiah; ``code`` says why and ``message`` tells the person.

    Codes: ``invalid`` (not a number), ``fraction`` (sen other than ,00),
    ``ambiguous`` (a dot with one or two digits after it: "2.5" may be 2,5 or
    2.500), ``comma`` (commas between thousands, which in Indonesian mark sen).
    """

    MESSAGES = {
        "invalid": _("Tulis jumlah rupiah dengan angka, misalnya 15.000."),
        "fraction": _("Tulis rupiah utuh tanpa sen, misalnya 15.000."),
        "ambiguous": _("Tulis ribuan dengan titik dan tiga angka, misalnya 2.500; rupiah tidak memakai sen."),
        "comma": _("Pakai titik untuk ribuan, misalnya 15.000.000; koma menandai sen."),
    }

    def __init__(self, code: str, text: str):
        self.code, self.text = code, text
        super().__init__(f"{text!r} is not whole rupiah ({code})")

    @property
    def message(self) -> str:
        return self.MESSAGES[self.code]


def rupiah_round(amount: Decimal | int) -> Decimal:
    """``amount`` rounded half-up to whole rupiah, the business rule for money and tax.

    Raises TypeError for a float (money is Decimal) and ValueError for NaN or infinity.
    """
    amount = _decimal(amount)
    with _precise(amount):
        return amount.quantize(Decimal(1), rounding=ROUND_HALF_UP)


def rupiah_format(amount: Decimal | int | str, *, symbol: bool = True) -> str:
    """``amount`` as people read it: Rp150.000, -Rp1.500, Rp0; rounded half-up to whole rupiah.

    The same in every language (a Rupiah amount is always written the Indonesian way).
    ``symbol=False`` leaves out "Rp", as in CSV cells and form inputs: 150.000.
    A numeric string ("150000.00", as stored in JSON) is read as a Decimal.
    Raises TypeError for a float or a non-number and ValueError for text that is
    not a number, NaN or infinity.
    """
    rounded = rupiah_round(amount)
    if rounded == 0:
        rounded = abs(rounded)  # -0.4 rounds to Rp0, not -Rp0
    with _precise(rounded):
        if not symbol:
            return format_decimal(rounded, **_NUMBER_FORMAT)
        return format_currency(rounded, CURRENCY, **CURRENCY_FORMAT)


def rupiah_parse(text: str) -> Decimal:
    """Whole rupiah from what people type: the amount as a Decimal with no decimals.

    Accepted: "15000000", "15.000.000" (dots between every three digits),
    with "Rp", "Rp." or "rp" in front, with spaces anywhere ("Rp 15.000"),
    with zero sen at the end (",00", ",0", ".00", as SIPD and spreadsheets write
    it: "15.000.000,00"), and with a minus sign before or after "Rp" ("-Rp1.500",
    the way rupiah_format writes it; "Rp-1.500"). Whether a negative amount is
    allowed is the caller's rule.
    Refused with RupiahError: empty or non-numeric text ("invalid"; "1e5" and
    "15.00.000" too), sen other than zero ("fraction": "12.500,50"), a dot
    followed by one or two digits ("ambiguous": "2.5", "2.50"), commas between
    thousands ("comma": "15,000,000" or "15,000", which Indonesian reads as 15).
    Raises TypeError if ``text`` is not a str.
    """
    if not isinstance(text, str):
        raise TypeError(f"rupiah_parse reads text, not {type(text).__name__}")
    value = "".join(text.split())
    sign = _SYMBOL.match(value)
    if sign.group(1) and sign.group(2):
        raise RupiahError("invalid", text)
    negative = bool(sign.group(1) or sign.group(2))
    number = value[sign.end() :]
    if "," in number:
        number, _comma, cents = number.rpartition(",")
        if "," in number or re.fullmatch(r"[0-9]{3}(?:\.[0-9]{1,2})?", cents):  # 15,000 or 15,000.00
            raise RupiahError("comma", text)
        if not (1 <= len(cents) <= 2 and cents.isascii() and cents.isdigit()):
            raise RupiahError("invalid", text)
        if cents.strip("0"):
            raise RupiahError("fraction", text)
    elif match := re.fullmatch(r"(.+)\.([0-9]{1,2})", number):
        number, cents = match.groups()
        if cents.strip("0"):
            raise RupiahError("ambiguous", text)
    amount = _unsigned(number, text)
    return Decimal(-amount if negative else amount)


def whole_number_parse(text: str) -> int:
    """A whole number written as 1500 or 1.500 (dots between every three digits), "-" in front allowed.

    Used for counts such as stock (whether a negative one is allowed is the
    caller's rule); rupiah_parse reads money with the same grammar. A number of
    more than MAX_DIGITS digits comes back as 10**MAX_DIGITS (above every
    limit). Raises RupiahError("invalid") for anything else, "1.5" and "1e5"
    included, and TypeError if ``text`` is not a str.
    """
    if not isinstance(text, str):
        raise TypeError(f"whole_number_parse reads text, not {type(text).__name__}")
    value = "".join(text.split())
    negative = value.startswith("-")
    amount = _unsigned(value.removeprefix("-"), text)
    return -amount if negative else amount


def _unsigned(digits: str, text: str) -> int:
    """ "1500" or "1.500" as an int; RupiahError("invalid") naming ``text`` for anything else."""
    if _GROUPED.fullmatch(digits):
        digits = digits.replace(".", "")
    if not _PLAIN.fullmatch(digits):
        raise RupiahError("invalid", text)
    return int(digits) if len(digits) <= MAX_DIGITS else 10**MAX_DIGITS


def whole_number_format(number: int) -> str:
    """``number`` with dot thousands, as Indonesians write it: 1.500.000."""
    number = Decimal(number)
    with _precise(number):
        return format_decimal(number, **_NUMBER_FORMAT)


_ONES = ("nol", "satu", "dua", "tiga", "empat", "lima", "enam", "tujuh", "delapan", "sembilan")
_SCALES = ((10**12, "triliun"), (10**9, "miliar"), (10**6, "juta"), (10**3, "ribu"))
MAX_WORDS = 10**15 - 1  # the largest amount spelled: 999 triliun and the rest


def rupiah_words(amount: Decimal | int, *, capitalised: bool = False) -> str:
    """The amount in Indonesian words (terbilang): 1500 -> "seribu lima ratus rupiah".

    As written on a kuitansi or an SPK: "sebelas", "seratus", "seribu" (but "satu
    juta"), "nol rupiah" for zero, "minus" before a negative amount, up to
    MAX_WORDS (999 triliun ...). ``capitalised`` starts the text with a capital
    letter ("Seribu lima ratus rupiah"), for a document's "Terbilang:" line.
    Raises ValueError for a fraction of a rupiah (round with rupiah_round first)
    or an amount above MAX_WORDS, and TypeError for a float.
    """
    amount = _decimal(amount)
    if amount != amount.to_integral_value():
        raise ValueError(f"terbilang spells whole rupiah, not {amount}")
    whole = int(amount)
    if abs(whole) > MAX_WORDS:
        raise ValueError(f"terbilang spells up to {MAX_WORDS}, not {whole}")
    words = _words(abs(whole)) if whole else "nol"
    text = ("minus " if whole < 0 else "") + words + " rupiah"
    return text[0].upper() + text[1:] if capitalised else text


def _words(number: int) -> str:
    """1 <= number <= MAX_WORDS in words."""
    for scale, name in _SCALES:
        if number >= scale:
            high, rest = divmod(number, scale)
            head = "seribu" if scale == 1000 and high == 1 else f"{_words(high)} {name}"
            return f"{head} {_words(rest)}" if rest else head
    return _hundreds(number)


def _hundreds(number: int) -> str:
    """1 <= number <= 999 in words."""
    hundreds, rest = divmod(number, 100)
    parts = []
    if hundreds:
        parts.append("seratus" if hundreds == 1 else f"{_ONES[hundreds]} ratus")
    if rest >= 20:
        tens, ones = divmod(rest, 10)
        parts.append(f"{_ONES[tens]} puluh" + (f" {_ONES[ones]}" if ones else ""))
    elif rest >= 12:
        parts.append(f"{_ONES[rest - 10]} belas")
    elif rest == 11:
        parts.append("sebelas")
    elif rest == 10:
        parts.append("sepuluh")
    elif rest:
        parts.append(_ONES[rest])
    return " ".join(parts)


def _precise(amount: Decimal):
    """A decimal context that holds every digit of ``amount`` (the default holds 28)."""
    return localcontext(prec=max(28, amount.adjusted() + 3))


def _decimal(amount) -> Decimal:
    """``amount`` as a finite Decimal; a float or a bool is refused (money is Decimal)."""
    if isinstance(amount, float | bool) or not isinstance(amount, Decimal | int | str):
        raise TypeError(f"money is a Decimal, an int or numeric text, not {type(amount).__name__}")
    try:
        amount = Decimal(amount)
    except InvalidOperation:
        raise ValueError(f"{amount!r} is not a number") from None
    if not amount.is_finite():
        raise ValueError(f"money is a finite number, not {amount}")
    return amount
