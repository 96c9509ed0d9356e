from django import forms
from django.utils.translation import gettext_lazy as _

from orders.statuses import OrderStatus

FEE_FIELD = {"required": False, "min_value": 0, "max_digits": 10, "decimal_places": 0,
             "error_messages": {"min_value": _("Ongkir tidak boleh negatif."),
                                "invalid": _("Tulis ongkir sebagai angka rupiah, misalnya 10000."),
                                "max_decimal_places": _("Ongkir dalam rupiah bulat, tanpa sen.")}}


class OrderTransitionForm(forms.Form):
    status = forms.ChoiceField(choices=OrderStatus.choices)
    reason = forms.CharField(label=_("Alasan"), required=False, max_length=500,
                             widget=forms.Textarea(attrs={"rows": 2}))


class DeliveryTermsForm(forms.Form):
    local_fee = forms.DecimalField(label=_("Diantar dalam kecamatan toko (Rp)"), **FEE_FIELD)
    near_fee = forms.DecimalField(label=_("Ke kecamatan lain, jarak dekat (Rp)"), **FEE_FIELD)
    middle_fee = forms.DecimalField(label=_("Ke kecamatan lain, jarak menengah (Rp)"), **FEE_FIELD)
    far_fee = forms.DecimalField(label=_("Ke kecamatan lain, jarak jauh (Rp)"), **FEE_FIELD)
