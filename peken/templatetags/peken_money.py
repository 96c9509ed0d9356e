"""Money in templates, through peken.money: {% load peken_money %}{{ amount|rupiah }} -> Rp150.000."""

from django import template

from peken.money import rupiah_format, rupiah_words

register = template.Library()


@register.filter
def rupiah(amount) -> str:
    """Rp150.000, -Rp1.500; nothing for an empty or non-numeric value (as Oscar's ``currency`` does)."""
    if amount is None or amount == "":
        return ""
    try:
        return rupiah_format(amount)
    except (TypeError, ValueError):
        return ""


@register.filter
def terbilang(amount) -> str:
    """The amount in words, capitalised, for a document's "Terbilang:" line; nothing if it cannot be."""
    if amount is None or amount == "":
        return ""
    try:
        return rupiah_words(amount, capitalised=True)
    except (TypeError, ValueError):
        return ""
