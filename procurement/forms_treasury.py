"""Forms of the treasurer's pages: they parse input; procurement.services.treasury decides.

What each payment method needs (a transfer's bank reference, LS's SP2D) and the shape of a
billing code and NTPN are the service's rules; the forms only read the values, so a refusal
comes back with everything the treasurer typed still in the form.
"""

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from procurement.forms import DATE_INPUT
from procurement.statuses import PaymentMethod

# the card (KKPD) is paid in its own section of the page, through Stripe
RECORDED_METHODS = [(m, PaymentMethod(m).label) for m in PaymentMethod.values if m != PaymentMethod.KKPD]


class PaymentRecordForm(forms.Form):
    """A payment made outside Peken: UP/GU by transfer or cash, or LS through the city treasury."""

    method = forms.ChoiceField(label=_("Cara bayar"), choices=RECORDED_METHODS, widget=forms.RadioSelect)
    paid_on = forms.DateField(label=_("Tanggal bayar"), widget=DATE_INPUT)
    bank_reference = forms.CharField(
        label=_("Nomor referensi transfer bank"),
        max_length=64,
        required=False,
        help_text=_("Untuk UP/GU transfer: nomor referensi dari bukti transfer."),
    )
    sp2d_number = forms.CharField(
        label=_("Nomor SP2D"), max_length=64, required=False, help_text=_("Untuk LS lewat kas daerah.")
    )
    sp2d_date = forms.DateField(label=_("Tanggal SP2D"), required=False, widget=DATE_INPUT)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["paid_on"].initial = timezone.localdate()


class IdListField(forms.Field):
    """The ids of the ticked boxes (rendered by the template, one checkbox per withholding)."""

    widget = forms.MultipleHiddenInput

    def to_python(self, value) -> list[int]:
        ids = []
        for item in value or []:
            if not str(item).isdigit():
                raise forms.ValidationError(_("Pilihan pajak tidak dikenal; muat ulang halaman."))
            ids.append(int(item))
        return ids


class TaxDepositForm(forms.Form):
    """One deposit of one tax kind's withholdings: its billing code, NTPN and date (prefix: the kind)."""

    billing_code = forms.CharField(
        label=_("Kode billing"),
        max_length=15,
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off"}),
        help_text=_("15 angka."),
    )
    ntpn = forms.CharField(
        label=_("NTPN"),
        max_length=16,
        widget=forms.TextInput(attrs={"autocomplete": "off", "autocapitalize": "characters"}),
        help_text=_("16 huruf atau angka, dari bukti penerimaan negara."),
    )
    deposited_on = forms.DateField(label=_("Tanggal setor"), widget=DATE_INPUT)
    withholdings = IdListField(label=_("Pajak yang disetor"), required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["deposited_on"].initial = timezone.localdate()

    def ticked(self) -> set[int] | None:
        """The ids ticked in a submitted form (None before it is submitted: every box is ticked)."""
        if not self.is_bound:
            return None
        return set(self.cleaned_data.get("withholdings") or []) if hasattr(self, "cleaned_data") else set()
