from django import forms
from django.utils.translation import gettext_lazy as _
from oscar.apps.checkout import forms as shipping_forms


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


def kecamatan_choices() -> list[tuple[str, str]]:
    from peken import city

    return [("", _("— di luar kota / tidak tahu —"))] + [(f"Kec. {k}", k) for k in city.kecamatan_names()]


class ShippingAddressForm(shipping_forms.ShippingAddressForm):
    """Oscar's shipping address, with the kelurahan and a kecamatan from the city's list.

    The kecamatan decides which sellers can deliver and at what fee; it is
    stored as "Kec. <name>" in line3, as shop addresses are.
    """

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["line2"].label = _("Kelurahan")
        self.fields["line3"] = forms.ChoiceField(
            label=_("Kecamatan"), choices=kecamatan_choices(), required=False,
            help_text=_("Toko mengantar sesuai kecamatan; tanpa kecamatan hanya bisa ambil di toko."),
        )
        self.fields["line4"].initial = self.fields["line4"].initial or "Surabaya"
