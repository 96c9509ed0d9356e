from django import forms
from django.utils.translation import gettext_lazy as _

from checkout.mixins import PAY_ON_DELIVERY


class PaymentMethodForm(forms.Form):
    method = forms.ChoiceField(
        label=_("Cara bayar"),
        choices=[(PAY_ON_DELIVERY, _("Bayar di tempat (tunai saat barang diterima atau diambil)"))],
        initial=PAY_ON_DELIVERY,
        widget=forms.RadioSelect,
        error_messages={"required": _("Pilih cara bayar.")},
    )
