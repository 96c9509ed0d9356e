"""The one filter bar every report shares: period, agency, unit, product category, the seller's kecamatan
and scale. Only the spend report reads the category (its figures are split over order lines); the
realisation and UMKM share pages say so when one is chosen (ReportMixin.uses_category)."""

from dataclasses import dataclass

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from oscar.core.loading import get_model

from peken.city import kecamatan_names
from procurement.models import Agency, Unit
from sellers.abstract_models import UmkmScale

Category = get_model("catalogue", "Category")

COOPERATIVE = "koperasi"
MONTHS = [
    (1, _("Januari")),
    (2, _("Februari")),
    (3, _("Maret")),
    (4, _("April")),
    (5, _("Mei")),
    (6, _("Juni")),
    (7, _("Juli")),
    (8, _("Agustus")),
    (9, _("September")),
    (10, _("Oktober")),
    (11, _("November")),
    (12, _("Desember")),
]


@dataclass(frozen=True)
class ReportFilter:
    """What the filter bar asks for; None or "" means "all"."""

    year: int
    month: int | None = None
    agency: Agency | None = None
    unit: Unit | None = None
    kecamatan: str = ""
    scale: str = ""
    category: Category | None = None  # any category: its products and those of its subcategories


class ReportFilterForm(forms.Form):
    """GET parameters of a report; the agencies and units offered are only those ``agencies`` holds."""

    tahun = forms.IntegerField(label=_("Tahun anggaran"), min_value=2000, max_value=2100, required=False)
    bulan = forms.TypedChoiceField(
        label=_("Bulan"),
        choices=[("", _("Sepanjang tahun")), *MONTHS],
        coerce=int,
        empty_value=None,
        required=False,
    )
    opd = forms.ModelChoiceField(
        label=_("OPD"), queryset=Agency.objects.none(), required=False, to_field_name="code"
    )
    unit = forms.ModelChoiceField(label=_("Unit"), queryset=Unit.objects.none(), required=False)
    kategori = forms.ModelChoiceField(
        label=_("Kategori produk"),
        queryset=Category.objects.none(),
        required=False,
        help_text=_("Dipakai laporan belanja; realisasi anggaran dan porsi UMKM tidak memilah per kategori."),
    )
    kecamatan = forms.ChoiceField(label=_("Kecamatan penjual"), required=False)
    skala = forms.ChoiceField(label=_("Skala usaha"), required=False)

    def __init__(self, data=None, *, agencies, **kwargs):
        super().__init__(data, **kwargs)
        self.fields["opd"].queryset = agencies.order_by("name")
        self.fields["opd"].empty_label = _("Semua OPD")
        self.fields["unit"].queryset = Unit.objects.filter(agency__in=agencies).select_related("agency")
        self.fields["unit"].empty_label = _("Semua unit")
        self.fields["kategori"].queryset = Category.objects.order_by("path")
        self.fields["kategori"].empty_label = _("Semua kategori")
        # the tree shown by indentation: a subcategory under its parent
        self.fields["kategori"].label_from_instance = lambda c: "\u2003" * (c.depth - 1) + c.name
        self.fields["kecamatan"].choices = [("", _("Semua kecamatan"))] + [(k, k) for k in kecamatan_names()]
        self.fields["skala"].choices = [
            ("", _("Semua skala")),
            *UmkmScale.choices,
            (COOPERATIVE, _("Koperasi")),
        ]

    def clean(self):
        cleaned = super().clean()
        agency, unit = cleaned.get("opd"), cleaned.get("unit")
        if agency and unit and unit.agency_id != agency.pk:
            self.add_error("unit", _("Unit ini bukan bagian dari OPD yang dipilih."))
        return cleaned

    def report_filter(self) -> ReportFilter:
        """The valid filter (call after is_valid()); the year defaults to this year."""
        data = self.cleaned_data
        return ReportFilter(
            year=data.get("tahun") or timezone.localdate().year,
            month=data.get("bulan"),
            agency=data.get("opd"),
            unit=data.get("unit"),
            kecamatan=data.get("kecamatan") or "",
            scale=data.get("skala") or "",
            category=data.get("kategori"),
        )
