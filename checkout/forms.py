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


class SellerShippingForm(forms.Form):
    """One choice per seller of the basket (field ``toko_<seller id>``): how its goods reach the buyer."""

    def __init__(self, *args, options: dict, sellers: dict, chosen: dict[int, str], **kwargs):
        super().__init__(*args, **kwargs)
        for seller_id, seller_options in options.items():
            shop = sellers[seller_id].name
            codes = [option.code for option in seller_options]
            self.fields[f"toko_{seller_id}"] = forms.ChoiceField(
                label=shop,
                choices=[(option.code, option.name) for option in seller_options],
                initial=chosen.get(seller_id) if chosen.get(seller_id) in codes else codes[0],
                widget=forms.RadioSelect,
                error_messages={
                    "required": _("Pilih cara terima barang dari %(shop)s.") % {"shop": shop},
                    "invalid_choice": _("Cara terima ini tidak ditawarkan oleh %(shop)s.") % {"shop": shop},
                },
            )

    def choices(self) -> dict[int, str]:
        """Seller id -> the chosen shipping code."""
        return {int(name.removeprefix("toko_")): code for name, code in self.cleaned_data.items()}
