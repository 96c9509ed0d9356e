"""Peken's seller: Oscar's partner plus what the city needs to know about a shop."""

from decimal import Decimal

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _
from oscar.apps.partner.abstract_models import AbstractPartner

from peken.status_records import AbstractDecisionRecord


class SellerKind(models.TextChoices):
    KELONTONG = "kelontong", _("Toko kelontong")
    UMKM = "umkm", _("UMKM")


class TaxpayerType(models.TextChoices):
    INDIVIDUAL = "individual", _("Orang pribadi")
    COMPANY = "company", _("Badan usaha")


class ScaleBasis(models.TextChoices):
    """What a shop's UMKM scale was judged by (PP 7/2021 art. 35)."""

    SALES = "penjualan", _("Hasil penjualan tahunan")
    CAPITAL = "modal", _("Modal usaha")


class SellerStatus(models.TextChoices):
    PENDING = "menunggu", _("Menunggu verifikasi")
    ACTIVE = "aktif", _("Aktif")
    REJECTED = "ditolak", _("Ditolak")
    SUSPENDED = "dibekukan", _("Dibekukan")


class UmkmScale(models.TextChoices):
    MICRO = "mikro", _("Usaha mikro")
    SMALL = "kecil", _("Usaha kecil")
    MEDIUM = "menengah", _("Usaha menengah")


# PP 7/2021: annual sales ceilings of each scale, in rupiah (inclusive).
UMKM_SALES_CEILINGS = (
    (UmkmScale.MICRO, Decimal("2000000000")),
    (UmkmScale.SMALL, Decimal("15000000000")),
    (UmkmScale.MEDIUM, Decimal("50000000000")),
)


def umkm_scale_for(annual_sales: Decimal) -> str | None:
    """The UMKM scale of a business with these annual sales; None above medium (not an UMKM)."""
    return next((scale for scale, ceiling in UMKM_SALES_CEILINGS if annual_sales <= ceiling), None)


class AbstractSeller(AbstractPartner):
    """A shop. Registration data is kept as entered; ``status`` moves only through sellers.services."""

    kind = models.CharField(
        _("Jenis usaha"), max_length=10, choices=SellerKind.choices, default=SellerKind.UMKM
    )
    status = models.CharField(
        _("Status"), max_length=10, choices=SellerStatus.choices, default=SellerStatus.PENDING, db_index=True
    )
    owner_name = models.CharField(_("Nama pemilik"), max_length=128, blank=True)
    ktp_number = models.CharField(_("NIK (KTP)"), max_length=16, blank=True)
    nib = models.CharField(_("NIB"), max_length=13, blank=True)
    npwp = models.CharField(_("NPWP"), max_length=16, blank=True)
    is_pkp = models.BooleanField(_("Pengusaha Kena Pajak (PKP)"), default=False)
    pp55_number = models.CharField(_("Nomor surat keterangan PP 55/2022"), max_length=64, blank=True)
    pp55_valid_until = models.DateField(_("Berlaku sampai"), null=True, blank=True)
    taxpayer_type = models.CharField(
        _("Wajib pajak"), max_length=10, choices=TaxpayerType.choices, default=TaxpayerType.INDIVIDUAL
    )
    # NITKU: the place-of-business id Coretax needs for PKP and branch sellers (NPWP + 6 digits)
    nitku = models.CharField(_("NITKU"), max_length=22, blank=True)
    # the year of the last statement that turnover is still at most Rp500 juta (PMK 164/2023)
    omzet_statement_year = models.PositiveSmallIntegerField(
        _("Tahun surat pernyataan omzet di bawah Rp500 juta"), null=True, blank=True
    )
    pbjt_number = models.CharField(_("Nomor pengukuhan PBJT (katering/restoran)"), max_length=32, blank=True)
    pbjt_rate_percent = models.DecimalField(
        _("Tarif PBJT (%)"),
        max_digits=4,
        decimal_places=1,
        default=Decimal(10),
        validators=[MinValueValidator(Decimal(0)), MaxValueValidator(Decimal(10))],
    )
    is_cooperative = models.BooleanField(_("Koperasi"), default=False)
    umkm_scale_basis = models.CharField(
        _("Dasar skala UMKM"), max_length=10, choices=ScaleBasis.choices, default=ScaleBasis.SALES
    )
    annual_sales = models.DecimalField(
        _("Omzet setahun (Rp)"), max_digits=15, decimal_places=0, null=True, blank=True
    )
    umkm_scale = models.CharField(_("Skala UMKM"), max_length=10, choices=UmkmScale.choices, blank=True)
    bank_name = models.CharField(_("Bank"), max_length=64, blank=True)
    bank_account_number = models.CharField(_("Nomor rekening"), max_length=20, blank=True)
    bank_account_holder = models.CharField(_("Nama pemilik rekening"), max_length=128, blank=True)
    phone = models.CharField(_("Nomor HP/WhatsApp"), max_length=20, blank=True)
    kecamatan = models.CharField(_("Kecamatan"), max_length=64, blank=True, db_index=True)
    kelurahan = models.CharField(_("Kelurahan"), max_length=64, blank=True)
    photo = models.ImageField(_("Foto toko"), upload_to="sellers/", blank=True)
    made_locally = models.BooleanField(_("Barang buatan sendiri / lokal"), default=False)
    low_income_household = models.BooleanField(_("Keluarga berpenghasilan rendah (MBR)"), default=False)
    date_registered = models.DateTimeField(_("Terdaftar"), null=True, blank=True)

    class Meta(AbstractPartner.Meta):
        abstract = True
        permissions = (
            ("dashboard_access", "Can access dashboard"),
            ("verify_seller", _("Memverifikasi, menolak dan membekukan toko")),
        )
        verbose_name = _("Penjual")
        verbose_name_plural = _("Penjual")
        constraints = [
            models.UniqueConstraint(fields=["nib"], condition=~models.Q(nib=""), name="seller_unique_nib"),
        ]

    @property
    def is_active_shop(self) -> bool:
        return self.status == SellerStatus.ACTIVE

    @property
    def has_pp55_certificate(self) -> bool:
        return bool(self.pp55_number)


class AbstractSellerDecision(AbstractDecisionRecord):
    """Append-only record of who registered, approved, rejected or suspended a shop, when and why."""

    statuses = SellerStatus

    seller = models.ForeignKey("partner.Partner", on_delete=models.CASCADE, related_name="decisions")
    old_status = models.CharField(max_length=10, choices=SellerStatus.choices, blank=True)
    new_status = models.CharField(max_length=10, choices=SellerStatus.choices)

    class Meta:
        abstract = True
        ordering = ["-date_created", "-id"]

    def __str__(self):
        return f"{self.seller}: {self.old_status or '-'} → {self.new_status}"


class AbstractSellerRating(models.Model):
    """A buyer's rating of a shop for one received order: once per order and shop."""

    seller = models.ForeignKey("partner.Partner", on_delete=models.CASCADE, related_name="ratings")
    order = models.ForeignKey("order.Order", on_delete=models.CASCADE, related_name="seller_ratings")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    score = models.PositiveSmallIntegerField(
        _("Nilai"), validators=[MinValueValidator(1), MaxValueValidator(5)]
    )
    comment = models.TextField(_("Ulasan"), blank=True)
    date_created = models.DateTimeField(auto_now_add=True)

    class Meta:
        abstract = True
        constraints = [
            models.UniqueConstraint(fields=["order", "seller"], name="seller_rating_once_per_order"),
            models.CheckConstraint(
                condition=models.Q(score__gte=1, score__lte=5), name="seller_rating_1_to_5"
            ),
        ]

    def __str__(self):
        return f"{self.seller}: {self.score}"


class StockUpdateSource(models.TextChoices):
    CSV = "csv", _("Unggah CSV")
    FORM = "formulir", _("Formulir produk")
    ADMIN = "admin", _("Admin Django (petugas)")
    DASHBOARD = "dasbor", _("Dasbor (petugas)")
    API = "api", _("API (sistem toko, mis. kasir)")


class StaffTool(models.TextChoices):
    """Where a shop's data was changed: a staff tool, or the shop's own tax page in the seller centre."""

    ADMIN = "admin", _("Admin Django")
    DASHBOARD = "dasbor", _("Dasbor")
    CENTRE = "pusat", _("Pusat penjual (oleh penjual)")


class AbstractStockUpdate(models.Model):
    """One change of a shop's prices and stock, by CSV upload or product form: who, when, what.

    ``changes`` keeps, per row, the SKU with the old and new price and stock,
    so an auditor can see exactly what each upload or edit did.
    """

    seller = models.ForeignKey("partner.Partner", on_delete=models.CASCADE, related_name="stock_updates")
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    source = models.CharField(_("Sumber"), max_length=10, choices=StockUpdateSource.choices)
    file_name = models.CharField(_("Nama berkas"), max_length=255, blank=True)
    rows_applied = models.PositiveIntegerField(_("Baris diterapkan"), default=0)
    changes = models.JSONField(default=list, blank=True)
    date_created = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        abstract = True
        ordering = ["-date_created", "-id"]

    def __str__(self):
        return f"{self.seller}: {self.file_name or self.source} ({self.rows_applied})"


class AbstractSellerDataChange(models.Model):
    """Append-only record of a staff change to a shop's data (identity, tax numbers, bank account).

    ``changes`` maps each changed field to its value before and after, so a
    change of the account the shop is paid into can always be traced to a person.
    """

    seller = models.ForeignKey("partner.Partner", on_delete=models.CASCADE, related_name="data_changes")
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    source = models.CharField(_("Lewat"), max_length=10, choices=StaffTool.choices)
    changes = models.JSONField(default=dict)
    date_created = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        abstract = True
        ordering = ["-date_created", "-id"]
        verbose_name = _("Perubahan data toko")
        verbose_name_plural = _("Perubahan data toko")

    def __str__(self):
        return f"{self.seller}: {', '.join(self.changes)}"
