from django import forms
from django.utils.translation import gettext_lazy as _

from api.models import Scope


class TokenForm(forms.Form):
    name = forms.CharField(
        label=_("Nama token"),
        max_length=80,
        help_text=_("Untuk apa token ini, misalnya “Kasir toko” atau “Sistem anggaran”."),
    )
    scopes = forms.MultipleChoiceField(
        label=_("Cakupan"),
        choices=Scope.choices,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Token hanya mencapai toko dan OPD tempat Anda sendiri berperan."),
    )
