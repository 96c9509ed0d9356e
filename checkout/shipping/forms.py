from django import forms
from django.utils.translation import gettext_lazy as _


class SellerShippingForm(forms.Form):
    """One choice per seller of the basket: pickup, or the seller's delivery where offered."""

    def __init__(self, *args, options: dict, sellers: dict, chosen: dict[int, str], **kwargs):
        super().__init__(*args, **kwargs)
        for seller_id, seller_options in options.items():
            self.fields[f"toko_{seller_id}"] = forms.ChoiceField(
                label=sellers[seller_id].name,
                choices=[(o.code, o.name) for o in seller_options],
                initial=chosen.get(seller_id, seller_options[0].code),
                widget=forms.RadioSelect,
                error_messages={"required": _("Pilih cara pengiriman untuk toko ini."),
                                "invalid_choice": _("Cara pengiriman ini tidak tersedia untuk toko ini.")},
            )

    def choices(self) -> dict[int, str]:
        return {int(name.removeprefix("toko_")): code for name, code in self.cleaned_data.items()}
