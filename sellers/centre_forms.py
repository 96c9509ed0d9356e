"""Forms of the seller centre: a product and its stock record, the stock CSV upload, the tax facts."""

import html
from decimal import Decimal

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from oscar.core.loading import get_model

from catalogue_ext.abstract_models import SaleUnit, SupplyKind
from catalogue_ext.selectors import category_supply_kind
from peken import limits
from peken.forms import RupiahField
from peken.money import rupiah_format
from sellers.forms import SellerTaxForm

Category = get_model("catalogue", "Category")
ProductImage = get_model("catalogue", "ProductImage")

MAX_IMAGE_BYTES = 5 * 1024 * 1024
MAX_IMAGES = 6


class MultipleImageInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleImageField(forms.ImageField):
    """Several pictures in one input; each is checked as an image."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("widget", MultipleImageInput(attrs={"accept": "image/jpeg,image/png,image/webp"}))
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        single = super().clean
        if isinstance(data, (list, tuple)):
            return [single(item, initial) for item in data if item]
        return [single(data, initial)] if data else []


def _leaf_category_choices() -> list[tuple[int, str]]:
    """Leaf categories as "Parent › Child", from one query (paths give the ancestry)."""
    categories = list(Category.objects.order_by("path").only("id", "name", "path", "depth", "numchild"))
    by_path = {c.path: c for c in categories}
    step = Category.steplen
    choices = []
    for category in categories:
        if category.numchild:
            continue
        names = [
            by_path[category.path[:i]].name
            for i in range(step, len(category.path) + 1, step)
            if category.path[:i] in by_path
        ]
        choices.append((category.pk, " › ".join(names)))
    return choices


class ListingForm(forms.Form):
    """A seller's product: what buyers see, how it is sold, and its price and stock."""

    title = forms.CharField(label=_("Nama produk"), max_length=255)
    description = forms.CharField(
        label=_("Deskripsi"), max_length=limits.MAX_DESCRIPTION, widget=forms.Textarea(attrs={"rows": 4})
    )
    category = forms.TypedChoiceField(label=_("Kategori"), coerce=int)
    images = MultipleImageField(
        label=_("Foto produk"),
        required=False,
        help_text=_("JPG atau PNG, paling besar 5 MB per foto; foto pertama jadi foto utama."),
    )
    remove_images = forms.ModelMultipleChoiceField(
        label=_("Hapus foto"),
        required=False,
        queryset=ProductImage.objects.none(),
        widget=forms.CheckboxSelectMultiple,
    )
    price = RupiahField(
        label=_("Harga (Rp)"),
        max_length=20,
        help_text=_("Rupiah utuh, misalnya 15.000"),
        error_messages={
            "invalid": _("Tulis harga dalam rupiah utuh tanpa sen, misalnya 15.000."),
            "negative": _("Harga tidak boleh negatif."),
        },
    )
    stock = forms.IntegerField(label=_("Stok"), min_value=0, max_value=limits.MAX_STOCK)
    unit = forms.ChoiceField(label=_("Satuan"), choices=SaleUnit.choices)
    min_order_quantity = forms.IntegerField(
        label=_("Minimal pembelian"), min_value=1, initial=1, max_value=limits.MAX_MIN_ORDER
    )
    halal_certificate_number = forms.CharField(
        label=_("Nomor sertifikat halal (jika ada)"), max_length=64, required=False
    )
    made_locally = forms.BooleanField(label=_("Produk buatan lokal Surabaya"), required=False)
    supply_kind = forms.ChoiceField(
        label=_("Jenis"),
        required=False,
        help_text=_(
            "Menentukan pajak bila dibeli OPD: barang kena PPh 22, jasa kena PPh 23. "
            "Biarkan mengikuti kategori bila sudah sesuai."
        ),
    )

    def __init__(self, *args, product=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.product = product
        self.fields["category"].choices = [("", _("— pilih —")), *_leaf_category_choices()]
        category = product.categories.first() if product is not None else None
        if category is not None:
            by_category = _("Ikuti kategori: %(kind)s") % {
                "kind": SupplyKind(category_supply_kind(category)).label
            }
        else:
            by_category = _("Ikuti kategori (biasanya Barang)")
        self.fields["supply_kind"].choices = [("", by_category), *SupplyKind.choices]
        self.fields["supply_kind"].error_messages["invalid_choice"] = _("Pilih jenis dari daftar.")
        if product is None:
            del self.fields["remove_images"]
        else:
            self.fields["images"].label = _("Tambah foto")
            self.fields["remove_images"].queryset = product.images.all()
            self.fields["remove_images"].label_from_instance = lambda img: img.original.name.split("/")[-1]
        for field in self.fields.values():
            field.error_messages["required"] = _("%(field)s wajib diisi.") % {"field": field.label}
        self.fields["stock"].error_messages.update(
            {
                "invalid": _("Stok harus bilangan bulat."),
                "min_value": _("Stok tidak boleh negatif."),
                "max_value": _("Stok terlalu besar (paling banyak %(limit_value)s)."),
            }
        )
        self.fields["min_order_quantity"].error_messages.update(
            {
                "invalid": _("Minimal pembelian harus bilangan bulat."),
                "min_value": _("Minimal pembelian paling sedikit 1."),
                "max_value": _("Minimal pembelian terlalu besar (paling banyak %(limit_value)s)."),
            }
        )
        self.fields["category"].error_messages["invalid_choice"] = _("Pilih kategori dari daftar.")
        self.fields["images"].error_messages["invalid_image"] = _(
            "Foto produk harus berupa gambar JPG atau PNG."
        )

    def clean_title(self) -> str:
        title = " ".join(self.cleaned_data["title"].split())
        if len(title) < 3:
            raise forms.ValidationError(_("Nama produk terlalu pendek (paling sedikit 3 huruf)."))
        return title

    def clean_description(self) -> str:
        return self.cleaned_data["description"].strip()

    def clean_category(self):
        return Category.objects.get(pk=self.cleaned_data["category"])

    def clean_price(self) -> Decimal:
        price = self.cleaned_data["price"]
        if price <= 0:
            raise forms.ValidationError(_("Harga harus lebih dari 0."))
        if too_big := limits.number_problem(price, maximum=limits.MAX_PRICE, label=_("Harga")):
            raise forms.ValidationError(too_big)
        return price

    def clean_images(self) -> list:
        images = self.cleaned_data["images"]
        for image in images:
            if image.size > MAX_IMAGE_BYTES:
                raise forms.ValidationError(_("Foto %(name)s lebih besar dari 5 MB.") % {"name": image.name})
        if len(images) > MAX_IMAGES:
            raise forms.ValidationError(_("Paling banyak %(n)d foto sekaligus.") % {"n": MAX_IMAGES})
        return images

    def clean(self):
        data = super().clean()
        images = data.get("images") or []
        if self.product is None:
            if not images and "images" not in self.errors:
                self.add_error("images", _("Unggah minimal satu foto produk."))
        else:
            kept = self.product.images.count() - len(data.get("remove_images") or [])
            if kept + len(images) < 1:
                self.add_error("remove_images", _("Produk harus punya minimal satu foto."))
        return data


def listing_form_initial(*, product, record) -> dict:
    """A ListingForm's values of a stored product and its stock record: the edit page's starting point,
    and what an API edit that names only some fields keeps of the others."""
    category = product.categories.first()
    return {
        "title": product.title,
        "description": html.unescape(product.description),  # stored escaped
        "category": category.pk if category else None,
        "price": rupiah_format(record.price or 0, symbol=False),
        "stock": record.num_in_stock,
        "unit": product.unit,
        "min_order_quantity": product.min_order_quantity,
        "halal_certificate_number": product.halal_certificate_number,
        "made_locally": product.made_locally,
        "supply_kind": product.supply_kind,
    }


class StockCsvForm(forms.Form):
    file = forms.FileField(
        label=_("Berkas CSV"),
        error_messages={
            "required": _("Pilih berkas CSV."),
            "empty": _("Berkas kosong. Unduh templat, isi, lalu unggah lagi."),
        },
        widget=forms.ClearableFileInput(attrs={"accept": ".csv,text/csv"}),
    )


class CentreTaxForm(SellerTaxForm):
    """The shop's own tax facts, edited in the seller centre; its NPWP and NIK are the verified ones."""

    def __init__(self, *args, seller, **kwargs):
        self.seller = seller
        kwargs["initial"] = {**centre_tax_initial(seller), **(kwargs.get("initial") or {})}
        super().__init__(*args, **kwargs)

    def tax_identity(self) -> tuple[str, str]:
        return self.seller.npwp or "", self.seller.ktp_number or ""


def centre_tax_initial(seller) -> dict:
    """The form's values from the stored shop: this year's statement ticked only if given this year."""
    return {
        "taxpayer_type": seller.taxpayer_type,
        "is_pkp": seller.is_pkp,
        "nitku": seller.nitku,
        "has_pp55": seller.has_pp55_certificate,
        "pp55_number": seller.pp55_number,
        "pp55_valid_until": seller.pp55_valid_until,
        "omzet_statement": seller.omzet_statement_year == timezone.localdate().year,
        "pbjt_number": seller.pbjt_number,
        "pbjt_rate_percent": seller.pbjt_rate_percent,
        "is_cooperative": seller.is_cooperative,
        "umkm_scale_basis": seller.umkm_scale_basis,
    }
