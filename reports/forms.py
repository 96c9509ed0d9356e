"""The one filter bar every report shares: period, agency, unit, product category, the seller's kecamatan
and scale. Only the spend report reads the category (its figures are split over order lines); the
realisation and UMKM share pages say so when one is chosen (ReportMixin.uses_category)."""

import calendar
from dataclasses import dataclass
from datetime import date

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


class ReportFilterInvalid(ValueError):
    """A saved filter (a background export's query string) that no longer holds."""


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

    def bounds(self) -> tuple[date, date]:
        """The period's first and last day: the month if one is chosen, else the year."""
        if self.month:
            last = calendar.monthrange(self.year, self.month)[1]
            return date(self.year, self.month, 1), date(self.year, self.month, last)
        return date(self.year, 1, 1), date(self.year, 12, 31)


class FilterWordsMixin:
    """A filter form's fields in words, for the heading of an export."""

    def filter_words(self) -> list[tuple[str, str]]:
        """Each field of the bar and what it was set to, in words; an empty one as its "all" choice.

        For the heading of an export (call after is_valid()): "Bulan: Sepanjang tahun", "OPD: Dinas ...".
        """
        words = []
        for name, field in self.fields.items():
            value = self.cleaned_data.get(name)
            if name == "tahun":
                text = str(value or timezone.localdate().year)
            elif isinstance(field, forms.ModelChoiceField):
                text = str(value) if value is not None else str(field.empty_label or "")
            elif isinstance(field, forms.ChoiceField):
                text = str(dict(field.choices).get("" if value is None else value, value or ""))
            else:
                text = "" if value is None else str(value)
            words.append((str(field.label), text))
        return words


class ReportFilterForm(FilterWordsMixin, forms.Form):
    """GET parameters of a report; the agencies and units offered are only those ``agencies`` holds.

    ``only`` names the fields a report reads (None: all); the others are not offered, and the
    filter leaves them at "all".
    """

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

    def __init__(self, data=None, *, agencies, only=None, **kwargs):
        super().__init__(data, **kwargs)
        if only is not None:
            for name in set(self.fields) - set(only):
                del self.fields[name]
        if "opd" in self.fields:
            self.fields["opd"].queryset = agencies.order_by("name")
            self.fields["opd"].empty_label = _("Semua OPD")
        if "unit" in self.fields:
            self.fields["unit"].queryset = Unit.objects.filter(agency__in=agencies).select_related("agency")
            self.fields["unit"].empty_label = _("Semua unit")
        if "kecamatan" in self.fields:
            names = [(k, k) for k in kecamatan_names()]
            self.fields["kecamatan"].choices = [("", _("Semua kecamatan")), *names]
        if "skala" in self.fields:
            self.fields["skala"].choices = [
                ("", _("Semua skala")),
                *UmkmScale.choices,
                (COOPERATIVE, _("Koperasi")),
            ]
        if "kategori" in self.fields:
            self.fields["kategori"].queryset = Category.objects.order_by("path")
            self.fields["kategori"].empty_label = _("Semua kategori")
            # the tree shown by indentation: a subcategory under its parent
            self.fields["kategori"].label_from_instance = lambda c: "\u2003" * (c.depth - 1) + c.name

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


@dataclass(frozen=True)
class ShopFilter:
    """What the sales report asks for: one of the person's shops and a year."""

    year: int
    seller: object  # a Partner


class ShopFilterForm(FilterWordsMixin, forms.Form):
    """GET parameters of a shop's report: the year and which of the person's ``shops``.

    Without ``toko`` the shop is the one numbered ``default_pk`` (the one the seller centre
    shows) if it is among ``shops``, else the first; a shop not among them is an error.
    """

    tahun = forms.IntegerField(label=_("Tahun"), min_value=2000, max_value=2100, required=False)
    toko = forms.ModelChoiceField(label=_("Toko"), queryset=None, required=False)

    def __init__(self, data=None, *, shops, default_pk=None, **kwargs):
        listed = list(shops)
        self.default = next((s for s in listed if s.pk == default_pk), listed[0] if listed else None)
        if data is not None and self.default is not None and not data.get("toko"):
            data = data.copy()
            data["toko"] = str(self.default.pk)  # so the picker shows the shop the figures are of
        super().__init__(data, **kwargs)
        self.fields["toko"].queryset = shops
        self.fields["toko"].empty_label = None

    def report_filter(self) -> ShopFilter:
        """The valid filter (call after is_valid())."""
        data = self.cleaned_data
        return ShopFilter(
            year=data.get("tahun") or timezone.localdate().year,
            seller=data.get("toko") or self.default,
        )
