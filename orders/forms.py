from django import forms
from django.utils.translation import gettext_lazy as _

from orders.statuses import OrderStatus
from peken import limits
from peken.forms import RupiahField

FEE_FIELD = {
    "required": False,
    "error_messages": {
        "negative": _("Ongkir tidak boleh negatif."),
        "invalid": _("Tulis ongkir sebagai angka rupiah, misalnya 10000."),
        "fraction": _("Ongkir dalam rupiah bulat, tanpa sen."),
    },
}


class OrderTransitionForm(forms.Form):
    status = forms.ChoiceField(choices=OrderStatus.choices)
    reason = forms.CharField(
        label=_("Alasan"), required=False, max_length=500, widget=forms.Textarea(attrs={"rows": 2})
    )


class DeliveryTermsForm(forms.Form):
    local_fee = RupiahField(label=_("Diantar dalam kecamatan toko (Rp)"), **FEE_FIELD)
    near_fee = RupiahField(label=_("Ke kecamatan lain, jarak dekat (Rp)"), **FEE_FIELD)
    middle_fee = RupiahField(label=_("Ke kecamatan lain, jarak menengah (Rp)"), **FEE_FIELD)
    far_fee = RupiahField(label=_("Ke kecamatan lain, jarak jauh (Rp)"), **FEE_FIELD)

    def clean(self):
        data = super().clean()
        for name, fee in list(data.items()):
            if fee is not None and (
                too_big := limits.number_problem(fee, maximum=limits.MAX_PRICE, label=_("Ongkir"))
            ):
                self.add_error(name, too_big)
        return data
