from django import forms
from django.utils.translation import gettext_lazy as _

from peken import city


class BuyerKecamatanForm(forms.Form):
    """Where the shopper lives: listings show shops in this kecamatan first."""

    kecamatan = forms.ChoiceField(
        label=_("Kecamatan tempat tinggal"),
        required=False,
        help_text=_("Toko di kecamatan Anda kami tampilkan lebih dulu."),
        error_messages={"invalid_choice": _("Pilih kecamatan dari daftar.")},
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["kecamatan"].choices = [("", _("Belum dipilih"))] + [
            (name, name) for name in city.kecamatan_names()
        ]
