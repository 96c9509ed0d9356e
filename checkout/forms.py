from django import forms
from django.utils.translation import gettext_lazy as _

from checkout.mixins import CARD, PAY_ON_DELIVERY
from payments import gateway


class PaymentMethodForm(forms.Form):
    method = forms.ChoiceField(
        label=_("Cara bayar"),
        choices=[
            (CARD, _("Kartu debit/kredit")),
            (PAY_ON_DELIVERY, _("Bayar di tempat (tunai saat barang diterima atau diambil)")),
        ],
        initial=PAY_ON_DELIVERY,
        widget=forms.RadioSelect,
        error_messages={
            "required": _("Pilih cara bayar."),
            "invalid_choice": _("Cara bayar ini tidak tersedia. Pilih salah satu yang ada."),
        },
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if not gateway.configured():
            # Production without Stripe keys: pay on delivery only.
            self.fields["method"].choices = [c for c in self.fields["method"].choices if c[0] != CARD]
