from django import forms
from django.utils.translation import gettext_lazy as _

from catalogue_ext.selectors import ProductSort
from peken import city


class SearchInput(forms.TextInput):
    input_type = "search"


class KecamatanFilter(forms.Form):
    """Narrow a listing to shops in one kecamatan (buyers like to buy from their neighbours)."""

    kecamatan = forms.ChoiceField(label=_("Kecamatan toko"), required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["kecamatan"].choices = [("", _("Semua kecamatan"))] + [
            (name, name) for name in city.kecamatan_names()
        ]

    def chosen_kecamatan(self) -> str | None:
        return (self.cleaned_data.get("kecamatan") if self.is_valid() else None) or None


class BrowseCategoryForm(KecamatanFilter):
    """Sorting of a catalogue or category listing, and its kecamatan filter."""

    sort_by = forms.ChoiceField(
        label=_("Urutkan"),
        choices=[c for c in ProductSort.choices if c[0] != ProductSort.RELEVANCE],
        required=False,
        widget=forms.Select(attrs={"class": "form-select", "data-autosubmit": ""}),
    )

    def __init__(self, *args, categories=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.categories = categories

    def sort(self) -> str:
        return (self.cleaned_data.get("sort_by") if self.is_valid() else "") or ProductSort.RECOMMENDED


CategoryForm = BrowseCategoryForm


class SearchForm(KecamatanFilter):
    """The site-wide search box (every page's header) and the results' sorting."""

    q = forms.CharField(
        required=False,
        max_length=200,
        label=_("Cari"),
        widget=SearchInput(
            {"placeholder": _("Cari produk, mis. beras"), "tabindex": "1", "class": "form-control"}
        ),
    )
    sort_by = forms.ChoiceField(
        label=_("Urutkan"),
        choices=ProductSort.choices,
        required=False,
        widget=forms.Select(attrs={"class": "form-select", "data-autosubmit": ""}),
    )

    def query(self) -> str:
        return self.cleaned_data.get("q", "").strip() if self.is_valid() else ""

    def sort(self) -> str:
        return (self.cleaned_data.get("sort_by") if self.is_valid() else "") or ProductSort.RELEVANCE
