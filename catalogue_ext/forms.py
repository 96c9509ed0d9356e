from django import forms
from django.utils.translation import gettext_lazy as _

from catalogue_ext.abstract_models import ReportReason


class ListingReportForm(forms.Form):
    reason = forms.ChoiceField(
        label=_("Apa masalahnya?"),
        choices=ReportReason.choices,
        error_messages={"required": _("Pilih alasan laporan.")},
    )
    details = forms.CharField(
        label=_("Keterangan (boleh kosong)"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
