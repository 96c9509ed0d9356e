"""Peken's product: Oscar's product plus what a small shop's listing needs."""

from django.conf import settings
from django.contrib.postgres.search import SearchVectorField
from django.core.validators import MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _
from oscar.apps.catalogue.abstract_models import AbstractProduct

from peken.status_records import AbstractDecisionRecord


class SaleUnit(models.TextChoices):
    PIECE = "pcs", _("pcs")
    KILOGRAM = "kg", _("kg")
    GRAM = "gram", _("gram")
    LITRE = "liter", _("liter")
    PACK = "pack", _("pak")
    BOX = "dus", _("dus")
    PORTION = "porsi", _("porsi")
    SACK = "karung", _("karung")
    SET = "set", _("set")


class SupplyKind(models.TextChoices):
    """What a listing sells, as the tax on an official purchase sees it (procurement/tax.py)."""

    GOODS = "goods", _("Barang")
    CATERING = "catering_service", _("Jasa katering")
    PRINTING = "printing_service", _("Jasa cetak")
    OTHER_SERVICE = "other_service", _("Jasa lainnya")


class ListingStatus(models.TextChoices):
    """Where a listing stands in curation; only APPROVED and PENDING listings are on sale."""

    PENDING = "menunggu", _("Tayang, menunggu pemeriksaan")
    HELD = "ditahan", _("Ditahan sampai disetujui")
    APPROVED = "disetujui", _("Disetujui")
    REJECTED = "ditolak", _("Ditolak")


# Post-moderation: a new listing is sold while it waits; a held or rejected one is not.
LISTING_ON_SALE = (ListingStatus.APPROVED, ListingStatus.PENDING)
LISTING_IN_QUEUE = (ListingStatus.PENDING, ListingStatus.HELD)


class AbstractPekenProduct(AbstractProduct):
    unit = models.CharField(_("Satuan"), max_length=10, choices=SaleUnit.choices, default=SaleUnit.PIECE)
    min_order_quantity = models.PositiveIntegerField(
        _("Minimal pembelian"), default=1, validators=[MinValueValidator(1)]
    )
    halal_certificate_number = models.CharField(_("Nomor sertifikat halal"), max_length=64, blank=True)
    made_locally = models.BooleanField(_("Produk lokal"), default=False)
    # blank: the kind its category gives (PEKEN_SUPPLY_KIND_BY_CATEGORY), else goods
    supply_kind = models.CharField(_("Jenis"), max_length=20, choices=SupplyKind.choices, blank=True)
    # Filled by a PostgreSQL trigger (migration 0034) on every insert and
    # update, so Oscar's dashboard, bulk inserts and raw SQL all keep it
    # current. Stays NULL on SQLite, where search falls back to icontains.
    search_vector = SearchVectorField(null=True, editable=False)
    # Moves only through catalogue_ext.services (listing_submit / listing_review).
    # Rows that predate curation, demo and synthetic goods count as approved.
    listing_status = models.CharField(
        _("Status kurasi"),
        max_length=10,
        choices=ListingStatus.choices,
        default=ListingStatus.APPROVED,
        db_index=True,
    )

    class Meta(AbstractProduct.Meta):
        abstract = True

    @property
    def listing_on_sale(self) -> bool:
        return self.listing_status in LISTING_ON_SALE

    def is_review_permitted(self, user) -> bool:
        # Oscar's templates and views ask the product; Peken's rule is in catalogue_ext.reviews.
        # imported here: the reviews selectors load the product model this module defines
        from catalogue_ext.reviews.selectors import review_refusal

        return review_refusal(user=user, product=self) is None


class ReportReason(models.TextChoices):
    BANNED = "terlarang", _("Barang terlarang atau berbahaya")
    NOT_UMKM = "bukan-umkm", _("Bukan produk UMKM / lokal (mis. emas batangan)")
    PRICE = "harga", _("Harga tidak wajar")
    FRAUD = "penipuan", _("Dugaan penipuan")
    OTHER = "lainnya", _("Lainnya")


class ReportStatus(models.TextChoices):
    OPEN = "terbuka", _("Belum ditangani")
    DISMISSED = "diabaikan", _("Tidak melanggar")
    REMOVED = "diturunkan", _("Produk diturunkan")


# A report is settled once, either way; catalogue_ext.services refuses any other move.
REPORT_TRANSITIONS: dict[str, frozenset[str]] = {
    ReportStatus.OPEN: frozenset({ReportStatus.DISMISSED, ReportStatus.REMOVED}),
    ReportStatus.DISMISSED: frozenset(),
    ReportStatus.REMOVED: frozenset(),
}


class AbstractListingReport(models.Model):
    """A shopper's report that a listing breaks the rules, and how a verifier settled it."""

    product = models.ForeignKey("catalogue.Product", on_delete=models.CASCADE, related_name="reports")
    reporter = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    reason = models.CharField(_("Alasan"), max_length=12, choices=ReportReason.choices)
    details = models.TextField(_("Keterangan"), blank=True)
    status = models.CharField(
        max_length=12, choices=ReportStatus.choices, default=ReportStatus.OPEN, db_index=True
    )
    handled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    handling_note = models.TextField(blank=True)
    date_created = models.DateTimeField(auto_now_add=True)
    date_handled = models.DateTimeField(null=True, blank=True)

    class Meta:
        abstract = True
        ordering = ["date_created", "id"]
        constraints = [
            # One open report per shopper and listing: reporting twice adds nothing.
            models.UniqueConstraint(
                fields=["product", "reporter"],
                condition=models.Q(status=ReportStatus.OPEN),
                name="listing_report_one_open_per_reporter",
            ),
        ]

    def __str__(self):
        return f"{self.product} ({self.get_reason_display()})"


class AbstractListingDecision(AbstractDecisionRecord):
    """Append-only record of every curation move of a listing: who, when, from what to what, and why.

    A seller's submission (new or changed listing) and a verifier's approval
    or rejection each write one row; rows are never updated except to mark
    that the seller was emailed.
    """

    statuses = ListingStatus

    product = models.ForeignKey("catalogue.Product", on_delete=models.CASCADE, related_name="decisions")
    old_status = models.CharField(max_length=10, choices=ListingStatus.choices, blank=True)
    new_status = models.CharField(max_length=10, choices=ListingStatus.choices)

    class Meta:
        abstract = True
        ordering = ["-date_created", "-id"]

    def __str__(self):
        return f"{self.product_id}: {self.old_status or '-'} → {self.new_status}"


class AbstractSearchWord(models.Model):
    """One word of the titles on sale, and how many products' titles hold it.

    The vocabulary search corrects typing mistakes against ("berass" ->
    "beras"): a few thousand rows with a trigram index, so a correction costs
    a millisecond whatever the catalogue size. Rebuilt as a whole by
    catalogue_ext.services.search_words_refresh (Celery beat, demo loading);
    never edited row by row.
    """

    word = models.CharField(max_length=100, primary_key=True)
    products = models.PositiveIntegerField()

    class Meta:
        abstract = True

    def __str__(self):
        return self.word
