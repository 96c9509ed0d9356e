"""Form fields every app shares."""

from decimal import Decimal

from django import forms
from django.core.validators import MaxLengthValidator
from django.utils.translation import gettext_lazy as _

from peken.money import RupiahError, rupiah_parse


class RupiahField(forms.Field):
    """Whole rupiah typed as people write them (peken.money.rupiah_parse): 1.500.000, 1500000, Rp 1.500.000.

    Cleans to a Decimal, or None when empty and not required. Refuses text
    longer than ``max_length`` (if given), what rupiah_parse refuses ("2.5", "12.500,50",
    "15,000") with its own message per code, and a negative amount with
    ``negative``; a form may replace any of them through ``error_messages`` as
    with Django's fields.
    """

    widget = forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off"})
    default_error_messages = {**RupiahError.MESSAGES, "negative": _("Tidak boleh negatif.")}

    def __init__(self, *, max_length: int | None = None, **kwargs):
        self.max_length = max_length
        super().__init__(**kwargs)

    def widget_attrs(self, widget) -> dict:
        attrs = super().widget_attrs(widget)
        return attrs if self.max_length is None else {**attrs, "maxlength": str(self.max_length)}

    def to_python(self, value) -> Decimal | None:
        if value in self.empty_values:
            return None
        text = str(value).strip()
        if not text:
            return None
        if self.max_length is not None:
            MaxLengthValidator(self.max_length)(text)  # the length of what was typed, not of the amount
        try:
            amount = rupiah_parse(text)
        except RupiahError as error:
            raise forms.ValidationError(self.error_messages[error.code], code=error.code) from None
        if amount < 0:
            raise forms.ValidationError(self.error_messages["negative"], code="negative")
        return amount
