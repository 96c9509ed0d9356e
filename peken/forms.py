"""Form fields every app shares."""

from decimal import Decimal

from django import forms
from django.utils.translation import gettext_lazy as _

from peken.money import RupiahError, rupiah_parse


class RupiahField(forms.CharField):
    """Whole rupiah typed as people write them (peken.money.rupiah_parse): 1.500.000, 1500000, Rp 1.500.000.

    Cleans to a Decimal, or None when empty and not required. Refuses what
    rupiah_parse refuses ("2.5", "12.500,50", "15,000") with its own message
    per code, and a negative amount with ``negative``; a form may replace any
    of them through ``error_messages`` as with Django's fields.
    """

    widget = forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off"})
    default_error_messages = {**RupiahError.MESSAGES, "negative": _("Tidak boleh negatif.")}

    def to_python(self, value) -> Decimal | None:
        value = super().to_python(value)
        if value in self.empty_values:
            return None
        try:
            amount = rupiah_parse(value)
        except RupiahError as error:
            raise forms.ValidationError(self.error_messages[error.code], code=error.code) from None
        if amount < 0:
            raise forms.ValidationError(self.error_messages["negative"], code="negative")
        return amount
