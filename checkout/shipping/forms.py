from django import forms
from django.core.exceptions import ValidationError
from django.core.validators import MaxLengthValidator
from django.utils.translation import gettext_lazy as _
from oscar.apps.address import forms as address_forms
from oscar.apps.checkout import forms as shipping_forms
from phonenumber_field.phonenumber import PhoneNumber

from checkout.shipping.methods import PICKUP
from peken import city, limits
from peken.phone import phone_parse


def preselected(options: list, chosen: str | None) -> str:
    """The option ticked when the page opens: the shopper's earlier choice if still offered,
    otherwise the shop's delivery where it delivers to the address, otherwise pickup."""
    codes = [o.code for o in options]
    if chosen in codes:
        return chosen
    return next((code for code in codes if code != PICKUP), codes[0])


class SellerShippingForm(forms.Form):
    """One choice per seller of the basket: pickup, or the seller's delivery where offered."""

    def __init__(self, *args, options: dict, sellers: dict, chosen: dict[int, str], **kwargs):
        super().__init__(*args, **kwargs)
        for seller_id, seller_options in options.items():
            self.fields[f"toko_{seller_id}"] = forms.ChoiceField(
                label=sellers[seller_id].name,
                choices=[(o.code, o.name) for o in seller_options],
                initial=preselected(seller_options, chosen.get(seller_id)),
                widget=forms.RadioSelect,
                error_messages={
                    "required": _("Pilih cara pengiriman untuk toko ini."),
                    "invalid_choice": _("Cara pengiriman ini tidak tersedia untuk toko ini."),
                },
            )

    def choices(self) -> dict[int, str]:
        return {int(name.removeprefix("toko_")): code for name, code in self.cleaned_data.items()}


def kecamatan_choices() -> list[tuple[str, str]]:
    return [("", _("— di luar kota / tidak tahu —"))] + [(f"Kec. {k}", k) for k in city.kecamatan_names()]


class RequiredPhoneMixin:
    """Oscar's address phone field, required (08..., +62... or 62..., kept in E.164); notes bounded."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if "notes" in self.fields:  # a TextField in Oscar, with no length of its own
            notes = self.fields["notes"]
            notes.max_length = limits.MAX_ADDRESS
            notes.validators.append(MaxLengthValidator(limits.MAX_ADDRESS))
            notes.widget.attrs["maxlength"] = str(limits.MAX_ADDRESS)
        phone = self.fields["phone_number"]
        phone.required = True
        phone.label = _("Nomor HP/WhatsApp")
        phone.help_text = _("Untuk dihubungi toko, misalnya 0812-3456-7890.")
        phone.error_messages["required"] = _("Nomor HP wajib diisi: toko menghubungi Anda lewat nomor ini.")

    def clean_phone_number_field(self, field_name):
        value = self.cleaned_data.get(field_name)
        if not value:
            return ""  # the required check has said so already
        try:
            return PhoneNumber.from_string(phone_parse(value))
        except ValidationError as error:
            self.add_error(field_name, error)
            return value


class ShippingAddressForm(RequiredPhoneMixin, shipping_forms.ShippingAddressForm):
    """Oscar's shipping address, with the kelurahan and a kecamatan from the city's list.

    The kecamatan decides which sellers can deliver and at what fee; it is
    stored as "Kec. <name>" in line3, as shop addresses are. The phone number
    is required (the shop calls when it delivers or the order is ready) and
    stored in E.164, whether typed as 08..., +62... or 62...
    """

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["line2"].label = _("Kelurahan")
        self.fields["line3"] = forms.ChoiceField(
            label=_("Kecamatan"),
            choices=kecamatan_choices(),
            required=False,
            help_text=_("Toko mengantar sesuai kecamatan; tanpa kecamatan hanya bisa ambil di toko."),
        )
        self.fields["line4"].initial = self.fields["line4"].initial or "Surabaya"


class UserAddressForm(RequiredPhoneMixin, address_forms.UserAddressForm):
    """A saved address edited during checkout: it needs a phone number too."""
