"""The shop registration form: every malformed field gets its own message in Bahasa Indonesia."""

import re
from datetime import timedelta
from decimal import Decimal

from django import forms
from django.utils import formats, timezone
from django.utils.translation import gettext_lazy as _
from oscar.core.loading import get_model

from peken import city, limits
from peken.forms import RupiahField
from sellers.abstract_models import (
    UMKM_SALES_CEILINGS,
    ScaleBasis,
    SellerKind,
    SellerStatus,
    TaxpayerType,
)
from sellers.identity import nik_clean, nitku_clean, npwp_clean
from sellers.services import STATUS_TRANSITIONS

MAX_PHOTO_BYTES = 5 * 1024 * 1024
YES_NO = [(True, _("Ya")), (False, _("Tidak"))]


def _digits(value: str) -> str:
    """Digits only: people type NPWP as 01.234.567.8-901.000 and KTP with spaces."""
    return re.sub(r"[\s.\-]", "", value or "")


def _yes_no(label, help_text=""):
    return forms.TypedChoiceField(
        label=label,
        help_text=help_text,
        choices=YES_NO,
        widget=forms.RadioSelect,
        coerce=lambda value: value in (True, "True"),
        initial=False,
    )


# PP 55/2022 art. 57: the final 0.5% is for a turnover of at most Rp4,8 miliar a year
PP55_TURNOVER_CEILING = Decimal("4800000000")
# PMK 164/2023: an individual stating this year's turnover is at most Rp500 juta has nothing withheld
OMZET_STATEMENT_CEILING = Decimal("500000000")


class SellerTaxForm(forms.Form):
    """The shop's tax facts (the "Pajak" fieldset) that the tax on official purchases reads.

    Shared by the registration and the seller centre's tax page. The shop's NPWP and NIK,
    which a NITKU must start with, come from ``tax_identity`` (the registration reads its own
    fields, the centre the verified shop).
    """

    taxpayer_type = forms.ChoiceField(
        label=_("Wajib pajak"),
        choices=TaxpayerType.choices,
        widget=forms.RadioSelect,
        initial=TaxpayerType.INDIVIDUAL,
        help_text=_("Orang pribadi: usaha atas nama sendiri. Badan usaha: CV, PT, firma, koperasi."),
    )
    is_pkp = _yes_no(
        _("Pengusaha Kena Pajak (PKP)?"),
        _("PKP memungut PPN 12% dan membuat e-Faktur untuk setiap penjualan."),
    )
    nitku = forms.CharField(
        label=_("NITKU"),
        max_length=40,
        required=False,
        help_text=_(
            "22 angka: NPWP 16 angka (atau NIK) lalu 6 angka kode tempat usaha, 000000 untuk pusat. "
            "Ada di Coretax. Wajib untuk PKP."
        ),
    )
    has_pp55 = _yes_no(
        _("Punya surat keterangan PP 55/2022 (PPh final 0,5%)?"),
        _("Untuk omzet paling banyak Rp4,8 miliar setahun; dari kantor pajak atau Coretax."),
    )
    pp55_number = forms.CharField(label=_("Nomor surat keterangan PP 55"), max_length=64, required=False)
    pp55_valid_until = forms.DateField(
        label=_("Berlaku sampai"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    omzet_statement = forms.BooleanField(
        required=False,
        help_text=_(
            "Hanya untuk orang pribadi yang punya surat keterangan PP 55: bila benar, pembayaran dari OPD "
            "tidak dipotong pajak tahun ini. Centang lagi setiap tahun."
        ),
    )
    pbjt_number = forms.CharField(
        label=_("Nomor pengukuhan PBJT"),
        max_length=32,
        required=False,
        help_text=_("Untuk katering dan restoran yang terdaftar pajak makanan dan minuman di Bapenda."),
    )
    pbjt_rate_percent = forms.DecimalField(
        label=_("Tarif PBJT (%)"),
        required=False,
        min_value=Decimal(0),
        max_value=Decimal(10),
        max_digits=4,
        decimal_places=1,
        initial=Decimal(10),
        help_text=_("Paling tinggi 10%; ditagihkan kepada OPD bersama harga makanan."),
    )
    is_cooperative = _yes_no(_("Usaha ini koperasi?"))
    umkm_scale_basis = forms.ChoiceField(
        label=_("Skala UMKM dihitung dari"),
        choices=ScaleBasis.choices,
        widget=forms.RadioSelect,
        initial=ScaleBasis.SALES,
        help_text=_(
            "Biasanya dari hasil penjualan setahun; pilih modal usaha bila izin usaha Anda memakai modal."
        ),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.statement_year = timezone.localdate().year
        self.fields["omzet_statement"].label = _(
            "Saya menyatakan omzet tahun %(year)s paling banyak Rp500 juta"
        ) % {"year": self.statement_year}
        self.fields["taxpayer_type"].error_messages["invalid_choice"] = _(
            "Pilih orang pribadi atau badan usaha."
        )
        self.fields["pbjt_rate_percent"].error_messages.update(
            {
                "invalid": _("Tulis tarif PBJT dalam angka, misalnya 10."),
                "min_value": _("Tarif PBJT tidak boleh negatif."),
                "max_value": _("Tarif PBJT paling tinggi 10%%."),
                "max_decimal_places": _("Tarif PBJT paling banyak satu angka di belakang koma."),
                "max_digits": _("Tarif PBJT paling tinggi 10%%."),
            }
        )

    def tax_identity(self) -> tuple[str, str]:
        """The shop's NPWP and owner's NIK as cleaned digits ("" when unknown or invalid)."""
        raise NotImplementedError

    def annual_sales_declared(self) -> Decimal | None:
        """The turnover this form declares, if it asks for one."""
        return None

    def clean_nitku(self) -> str:
        value = self.cleaned_data.get("nitku", "")
        return nitku_clean(value) if value.strip() else ""

    def clean_pbjt_number(self) -> str:
        return " ".join(self.cleaned_data.get("pbjt_number", "").split())

    def clean_pp55_number(self) -> str:
        return self.cleaned_data.get("pp55_number", "").strip()

    def clean(self):
        data = super().clean()
        individual = data.get("taxpayer_type") == TaxpayerType.INDIVIDUAL
        self._nitku_check(data, individual=individual)
        if data.get("has_pp55"):
            self._pp55_clean(data)
        if data.get("omzet_statement"):
            sales = self.annual_sales_declared()
            if not individual:
                self.add_error(
                    "omzet_statement", _("Pernyataan omzet Rp500 juta hanya untuk wajib pajak orang pribadi.")
                )
            elif sales is not None and sales > OMZET_STATEMENT_CEILING:
                self.add_error(
                    "omzet_statement",
                    _("Omzet setahun yang Anda isi lebih dari Rp500 juta; pernyataan ini tidak bisa dibuat."),
                )
        if (
            data.get("pbjt_number")
            and data.get("pbjt_rate_percent") is None
            and "pbjt_rate_percent" not in self.errors
        ):
            self.add_error(
                "pbjt_rate_percent",
                _("Isi tarif PBJT yang tertulis di surat pengukuhan (paling tinggi 10%)."),
            )
        if data.get("is_cooperative") and individual:
            self.add_error("taxpayer_type", _("Koperasi adalah badan usaha: pilih wajib pajak Badan usaha."))
        return data

    def _nitku_check(self, data: dict, *, individual: bool) -> None:
        """Required from a PKP; its first 16 digits are the shop's NPWP (or an individual's NIK)."""
        if data.get("is_pkp") and not data.get("nitku") and "nitku" not in self.errors:
            self.add_error("nitku", _("NITKU wajib diisi untuk PKP."))
        if not data.get("nitku"):
            return
        npwp, nik = self.tax_identity()
        owners = {npwp.rjust(16, "0")} if npwp else set()
        if individual and nik:
            owners.add(nik)
        if owners and data["nitku"][:16] not in owners:
            if individual and nik:
                message = _("16 angka pertama NITKU harus sama dengan NPWP toko atau NIK pemilik (%(npwp)s).")
            else:
                message = _("16 angka pertama NITKU harus sama dengan NPWP toko (%(npwp)s).")
            self.add_error("nitku", message % {"npwp": " / ".join(sorted(owners))})

    def _pp55_clean(self, data: dict) -> None:
        """Both the certificate's number and its validity, valid today and for at most 7 years."""
        if not data.get("pp55_number"):
            self.add_error("pp55_number", _("Isi nomor surat keterangan PP 55."))
        valid_until = data.get("pp55_valid_until")
        today = timezone.localdate()
        if not valid_until:
            if "pp55_valid_until" not in self.errors:
                self.add_error("pp55_valid_until", _("Isi masa berlaku surat keterangan PP 55."))
        elif valid_until < today:
            self.add_error(
                "pp55_valid_until",
                _(
                    "Surat keterangan PP 55 sudah tidak berlaku sejak %(date)s. Isi surat yang baru, "
                    "atau pilih “Tidak” bila belum punya."
                )
                % {"date": formats.date_format(valid_until, "j F Y")},
            )
        elif valid_until > today + timedelta(days=limits.PP55_VALID_MAX_DAYS):
            self.add_error(
                "pp55_valid_until",
                _("Masa berlaku ini terlalu jauh: surat keterangan PP 55 berlaku paling lama 7 tahun."),
            )
        sales = self.annual_sales_declared()
        if sales is not None and sales > PP55_TURNOVER_CEILING:
            self.add_error(
                "has_pp55", _("PPh final PP 55 hanya untuk omzet paling banyak Rp4,8 miliar setahun.")
            )


class SellerRegistrationForm(SellerTaxForm):
    """A shop's registration; ``held_photo`` is the photo accepted on an earlier try of this form."""

    name = forms.CharField(label=_("Nama toko"), max_length=128)
    kind = forms.ChoiceField(label=_("Jenis usaha"), choices=SellerKind.choices, widget=forms.RadioSelect)
    owner_name = forms.CharField(label=_("Nama pemilik (sesuai KTP)"), max_length=128)
    ktp_number = forms.CharField(label=_("NIK (nomor KTP)"), max_length=32, help_text=_("16 angka"))
    nib = forms.CharField(
        label=_("NIB (Nomor Induk Berusaha dari OSS)"), max_length=32, help_text=_("13 angka")
    )
    npwp = forms.CharField(label=_("NPWP"), max_length=32, help_text=_("15 atau 16 angka"))
    annual_sales = RupiahField(
        label=_("Omzet setahun (Rp)"),
        max_length=32,
        help_text=_("Perkiraan penjualan setahun, misalnya 350.000.000"),
        error_messages={
            "invalid": _("Tulis omzet dalam angka rupiah, misalnya 350.000.000."),
            "negative": _("Omzet tidak boleh negatif."),
        },
    )
    bank_name = forms.CharField(label=_("Nama bank"), max_length=64)
    bank_account_number = forms.CharField(label=_("Nomor rekening"), max_length=32)
    bank_account_holder = forms.CharField(label=_("Nama pemilik rekening"), max_length=128)
    phone = forms.CharField(label=_("Nomor HP/WhatsApp"), max_length=20)
    street = forms.CharField(label=_("Alamat toko (jalan, nomor, RT/RW)"), max_length=255)
    kecamatan = forms.ChoiceField(label=_("Kecamatan"))
    kelurahan = forms.ChoiceField(label=_("Kelurahan"))
    postcode = forms.CharField(label=_("Kode pos"), max_length=5)
    photo = forms.ImageField(label=_("Foto toko"), help_text=_("JPG atau PNG, paling besar 5 MB"))
    made_locally = _yes_no(_("Barang yang dijual buatan sendiri / produksi lokal Surabaya?"))
    low_income_household = _yes_no(
        _("Termasuk keluarga berpenghasilan rendah (MBR)?"), _("Untuk program prioritas pemerintah kota")
    )

    def __init__(self, *args, held_photo=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.held_photo_use(held_photo)
        blank = [("", _("— pilih —"))]
        self.fields["kecamatan"].choices = blank + [(k, k) for k in city.kecamatan_names()]
        self.fields["kelurahan"].choices = blank + sorted(
            {(kel, kel) for kec in city.kecamatan_names() for kel in city.kelurahan_names(kec)}
        )
        for field in self.fields.values():
            field.error_messages["required"] = _("%(field)s wajib diisi.") % {"field": field.label}
        self.fields["photo"].error_messages["invalid_image"] = _(
            "Foto toko harus berupa gambar JPG atau PNG."
        )

    def held_photo_use(self, held_photo) -> None:
        """Count a photo accepted on an earlier try: choosing one again becomes optional."""
        self.held_photo = held_photo
        self.fields["photo"].required = held_photo is None

    def _exact_digits(self, name: str, lengths: tuple[int, ...], message: str) -> str:
        value = _digits(self.cleaned_data.get(name, ""))
        if not value.isdigit() or len(value) not in lengths:
            raise forms.ValidationError(message)
        return value

    def clean_ktp_number(self) -> str:
        # The same NIK on another shop is allowed (one owner, two shops) and shown to the verifier.
        return nik_clean(self.cleaned_data.get("ktp_number", ""))

    def clean_nib(self) -> str:
        value = self._exact_digits("nib", (13,), _("NIB harus 13 angka, sesuai dokumen OSS."))
        if get_model("partner", "Partner").objects.filter(nib=value).exists():
            raise forms.ValidationError(_("NIB ini sudah terdaftar untuk toko lain."))
        return value

    def clean_npwp(self) -> str:
        return npwp_clean(self.cleaned_data.get("npwp", ""))

    def clean_bank_account_number(self) -> str:
        return self._exact_digits(
            "bank_account_number", tuple(range(6, 21)), _("Nomor rekening harus 6 sampai 20 angka.")
        )

    def clean_postcode(self) -> str:
        value = self._exact_digits("postcode", (5,), _("Kode pos harus 5 angka."))
        if not value.startswith("60"):
            raise forms.ValidationError(_("Kode pos Surabaya diawali 60."))
        return value

    def clean_phone(self) -> str:
        value = re.sub(r"[\s\-()]", "", self.cleaned_data.get("phone", ""))
        if value.startswith("+62"):
            value = "0" + value[3:]
        if not re.fullmatch(r"08\d{8,12}", value):
            raise forms.ValidationError(_("Nomor HP harus diawali 08 atau +62 dan berisi 10–14 angka."))
        return value

    def clean_annual_sales(self) -> Decimal:
        value = self.cleaned_data["annual_sales"]
        if value > UMKM_SALES_CEILINGS[-1][1]:
            raise forms.ValidationError(_("Omzet di atas Rp50 miliar setahun bukan lagi UMKM."))
        return value

    def clean_photo(self):
        photo = self.cleaned_data.get("photo")
        if not photo:
            return self.held_photo.open()
        if photo.size > MAX_PHOTO_BYTES:
            raise forms.ValidationError(_("Foto toko paling besar 5 MB."))
        return photo

    def clean(self):
        data = super().clean()
        kecamatan, kelurahan = data.get("kecamatan"), data.get("kelurahan")
        if kecamatan and kelurahan and kelurahan not in city.kelurahan_names(kecamatan):
            self.add_error(
                "kelurahan",
                _("Kelurahan %(kel)s tidak ada di Kecamatan %(kec)s.") % {"kel": kelurahan, "kec": kecamatan},
            )
        return data

    def tax_identity(self) -> tuple[str, str]:
        if "npwp" in self.errors:  # the NPWP's own message says what to fix first
            return "", ""
        return self.cleaned_data.get("npwp", ""), self.cleaned_data.get("ktp_number", "")

    def annual_sales_declared(self) -> Decimal | None:
        return self.cleaned_data.get("annual_sales")


class SellerDecisionForm(forms.Form):
    """A verifier's decision on one shop: the moves its status allows, with a reason where needed."""

    status = forms.ChoiceField(label=_("Keputusan"), widget=forms.RadioSelect)
    reason = forms.CharField(
        label=_("Alasan"),
        required=False,
        max_length=limits.MAX_NOTE,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Wajib untuk penolakan dan pembekuan; dikirim ke penjual."),
    )

    LABELS = {
        SellerStatus.ACTIVE: _("Setujui / aktifkan"),
        SellerStatus.REJECTED: _("Tolak"),
        SellerStatus.SUSPENDED: _("Bekukan toko"),
        SellerStatus.PENDING: _("Kembalikan ke antrean verifikasi"),
    }
    NEEDS_REASON = {SellerStatus.REJECTED, SellerStatus.SUSPENDED}

    def __init__(self, *args, seller, **kwargs):
        super().__init__(*args, **kwargs)
        moves = sorted(STATUS_TRANSITIONS.get(seller.status, ()))
        self.fields["status"].choices = [(status, self.LABELS[status]) for status in moves]
        self.fields["status"].error_messages["required"] = _("Pilih keputusan.")

    def clean(self):
        data = super().clean()
        if data.get("status") in self.NEEDS_REASON and not data.get("reason", "").strip():
            self.add_error("reason", _("Tulis alasannya: penjual perlu tahu apa yang harus diperbaiki."))
        return data


class SellerRatingForm(forms.Form):
    seller = forms.IntegerField(widget=forms.HiddenInput)
    score = forms.TypedChoiceField(
        label=_("Nilai"),
        coerce=int,
        widget=forms.RadioSelect,
        choices=[(n, "★" * n) for n in range(5, 0, -1)],
        error_messages={"required": _("Pilih 1 sampai 5 bintang.")},
    )
    comment = forms.CharField(
        label=_("Ulasan (boleh kosong)"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
    )


class ListingDecisionForm(forms.Form):
    """A verifier's decision on one queued listing; a rejection needs a reason the seller will read."""

    decision = forms.ChoiceField(
        label=_("Keputusan"),
        widget=forms.RadioSelect,
        choices=[("approve", _("Setujui")), ("reject", _("Tolak"))],
        error_messages={"required": _("Pilih keputusan.")},
    )
    reason = forms.CharField(
        label=_("Alasan"),
        required=False,
        max_length=limits.MAX_NOTE,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Wajib untuk penolakan; dikirim ke penjual."),
    )

    def clean(self):
        data = super().clean()
        if data.get("decision") == "reject" and not data.get("reason", "").strip():
            self.add_error(
                "reason", _("Tulis alasan penolakan: penjual perlu tahu apa yang harus diperbaiki.")
            )
        return data
