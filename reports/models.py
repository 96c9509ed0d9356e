"""What the reports app writes: large exports built in the background, the monthly summaries sent,
the spend report's own summaries (written by reports.services only, read by the selectors), and
the summaries the other reports read, kept by the database.

PaidPayment, RequisitionShare and ProductPriceRange (at the end) are written by no Python code:
triggers (migrations 0003-0005) keep them in step with the rows they summarise, in the same
transaction as every write, whatever wrote it (the services, the admin, the synthetic data's
COPY), so a report read from them is exactly what the raw rows give at that moment.
PersonalSpendDay is a materialized view that Celery beat refreshes (migration 0006).
Everything else the reports show is read from procurement's and the marketplace's own tables.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from catalogue_ext.abstract_models import SupplyKind
from procurement.models import Agency
from reports.statuses import ExportFormat, ExportStatus


class ReportExport(models.Model):
    """One person's export of a report too large to write within a web request.

    A Celery worker (reports.tasks.report_export_build) rebuilds the report's table from the
    export view named by ``url_name`` and ``url_kwargs``, with the filter ``query``, for
    ``requested_by`` as they may read it when it runs, and writes the file to the default
    storage in chunks, counting ``done`` of ``total`` rows. Only the person who asked may see or
    download it; it is deleted with its file once ``expires_at`` has passed. Its status moves
    only through reports.services (EXPORT_TRANSITIONS).
    """

    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+", verbose_name=_("diminta oleh")
    )
    url_name = models.CharField(max_length=100)
    url_kwargs = models.JSONField(default=dict, blank=True)
    query = models.TextField(_("saringan"), blank=True)
    title = models.CharField(_("laporan"), max_length=200)
    filter_text = models.TextField(blank=True)
    fmt = models.CharField(_("format"), max_length=4, choices=ExportFormat.choices)
    # the language the person read the report in: the worker writes the headers in it
    language = models.CharField(max_length=10, blank=True)
    status = models.CharField(
        _("status"), max_length=10, choices=ExportStatus.choices, default=ExportStatus.QUEUED
    )
    done = models.PositiveIntegerField(default=0)
    total = models.PositiveIntegerField(default=0)
    file = models.FileField(max_length=255, blank=True)
    file_name = models.CharField(max_length=150)
    error = models.TextField(blank=True)
    date_created = models.DateTimeField(auto_now_add=True)
    date_done = models.DateTimeField(null=True, blank=True)
    expires_at = models.DateTimeField(db_index=True)

    class Meta:
        ordering = ["-date_created", "-pk"]
        indexes = [models.Index(fields=["requested_by", "-date_created"], name="reports_export_owner")]
        verbose_name = _("unduhan laporan")
        verbose_name_plural = _("unduhan laporan")

    def __str__(self):
        return self.file_name

    @property
    def finished(self) -> bool:
        return self.status in (ExportStatus.DONE, ExportStatus.FAILED)

    @property
    def is_done(self) -> bool:
        return self.status == ExportStatus.DONE

    @property
    def is_failed(self) -> bool:
        return self.status == ExportStatus.FAILED


class MonthlySummarySent(models.Model):
    """A monthly summary mailed to one person for one agency (or the city: no agency) and month.

    Written in the same transaction as the sending, so the summary goes out once per person,
    scope and month however often the beat fires.
    """

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    agency = models.ForeignKey(Agency, null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    year = models.PositiveSmallIntegerField()
    month = models.PositiveSmallIntegerField()
    language = models.CharField(max_length=10, blank=True)
    date_sent = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["user", "agency", "year", "month"],
                condition=Q(agency__isnull=False),
                name="reports_summary_once_per_agency",
            ),
            models.UniqueConstraint(
                fields=["user", "year", "month"],
                condition=Q(agency__isnull=True),
                name="reports_summary_once_for_city",
            ),
        ]

    def __str__(self):
        return f"{self.user_id} {self.year}-{self.month:02d} {self.agency_id or 'kota'}"


class SpendShare(models.Model):
    """One accepted order line's share of its paid official payment's gross (reports.spend says how).

    Written once per paid payment by reports.services.spend_shares_split and never changed: a
    paid payment is final and its order was received in full before it was paid. The agency,
    unit, seller and date are the payment's, copied so the spend report reads one table; the
    category and kind are the line's product's as they stood when the payment was split.
    """

    # read by whole periods, not by one of these: no index of their own (the pair is unique)
    payment = models.ForeignKey(
        "procurement.OfficialPayment", on_delete=models.CASCADE, related_name="+", db_index=False
    )
    line = models.ForeignKey("order.Line", on_delete=models.CASCADE, related_name="+", db_index=False)
    paid_on = models.DateField(_("Tanggal bayar"))
    agency = models.ForeignKey(
        "procurement.Agency", on_delete=models.CASCADE, related_name="+", db_index=False
    )
    unit = models.ForeignKey(
        "procurement.Unit", null=True, on_delete=models.SET_NULL, related_name="+", db_index=False
    )
    seller = models.ForeignKey("partner.Partner", on_delete=models.CASCADE, related_name="+", db_index=False)
    category = models.ForeignKey(
        "catalogue.Category", null=True, on_delete=models.SET_NULL, related_name="+", db_index=False
    )
    kind = models.CharField(max_length=20, choices=SupplyKind.choices)
    amount = models.DecimalField(max_digits=15, decimal_places=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["payment", "line"], name="spend_share_once")]
        # a city's month, and one agency's year
        indexes = [
            models.Index(fields=["paid_on", "agency"], name="spend_share_paid_on"),
            models.Index(fields=["agency", "paid_on"], name="spend_share_agency"),
        ]

    def __str__(self):
        return f"{self.payment_id}/{self.line_id}: {self.amount}"


class SpendPayment(models.Model):
    """A paid official payment as the spend report reads it, written when it is split into shares.

    Its agency, unit, seller, date and gross are the payment's; approved_on is its requisition's
    approval (Jakarta date), received_on its order's last handover (BAST); goods and the three
    services are the sums of its shares by kind (all four add up to the gross unless nothing was
    accepted). A paid payment is final, so none of these changes once written.
    """

    payment = models.OneToOneField(
        "procurement.OfficialPayment", primary_key=True, on_delete=models.CASCADE, related_name="+"
    )
    paid_on = models.DateField(_("Tanggal bayar"))
    agency = models.ForeignKey(
        "procurement.Agency", on_delete=models.CASCADE, related_name="+", db_index=False
    )
    unit = models.ForeignKey(
        "procurement.Unit", null=True, on_delete=models.SET_NULL, related_name="+", db_index=False
    )
    seller = models.ForeignKey("partner.Partner", on_delete=models.CASCADE, related_name="+", db_index=False)
    gross = models.DecimalField(max_digits=15, decimal_places=0)
    approved_on = models.DateField(null=True)
    received_on = models.DateField(null=True)
    goods = models.DecimalField(max_digits=15, decimal_places=0)
    catering = models.DecimalField(max_digits=15, decimal_places=0)
    printing = models.DecimalField(max_digits=15, decimal_places=0)
    other_service = models.DecimalField(max_digits=15, decimal_places=0)
    date_split = models.DateTimeField()

    class Meta:
        indexes = [models.Index(fields=["paid_on", "agency"], name="spend_payment_paid_on")]

    def __str__(self):
        return f"{self.payment_id}: {self.gross}"


def _ref(to: str, **kwargs) -> models.ForeignKey:
    # the triggers keep these in step (and drop a row with its payment): no constraint, no cascade
    return models.ForeignKey(to, on_delete=models.DO_NOTHING, db_constraint=False, related_name="+", **kwargs)


class PaidPayment(models.Model):
    """One paid official payment (status PAID) with what the reports group and filter it by.

    The agency, unit and budget line are its requisition's, the seller its order's, as they are
    now (the triggers follow a change to any of them). Budget realisation, the UMKM share and
    spend read these instead of joining each payment to its requisition and order.
    """

    payment = models.OneToOneField(
        "procurement.OfficialPayment",
        primary_key=True,
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        related_name="+",
    )
    requisition = _ref("procurement.Requisition", db_index=False)
    order = _ref("order.Order", db_index=False)
    agency = models.ForeignKey(
        "procurement.Agency",
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        db_index=False,
        related_name="paid_payments",
    )
    unit = _ref("procurement.Unit", null=True, db_index=False)
    budget_line = _ref("procurement.BudgetLine", db_index=False)
    seller = _ref("partner.Partner", null=True, db_index=False)
    paid_on = models.DateField(_("Tanggal bayar"))
    gross = models.DecimalField(_("Bruto"), max_digits=15, decimal_places=0)

    class Meta:
        verbose_name = _("pembayaran lunas (ringkasan laporan)")
        verbose_name_plural = _("pembayaran lunas (ringkasan laporan)")
        indexes = [
            # per agency and period (the city's rows), per budget line and period (an agency's
            # rows), the city by period; and the rows of a requisition or order the triggers follow
            models.Index(fields=["agency", "paid_on"], name="report_paid_agency"),
            models.Index(fields=["budget_line", "paid_on"], name="report_paid_line"),
            models.Index(fields=["paid_on"], name="report_paid_on"),
            models.Index(fields=["requisition"], name="report_paid_requisition"),
            models.Index(fields=["order"], name="report_paid_order"),
        ]

    def __str__(self) -> str:
        return f"{self.payment_id}: {self.gross} ({self.paid_on})"


class RequisitionShare(models.Model):
    """One seller's share of one requisition: the sum of its lines of that seller (unit price x quantity).

    What the value bands, the split-purchase rule and the red flags are about (reports.red_flags),
    kept by statement triggers on the requisition lines (PostgreSQL): a hundred thousand rows
    instead of a million lines.
    """

    requisition = _ref("procurement.Requisition", db_index=False)
    seller = _ref("partner.Partner", db_index=False)
    amount = models.DecimalField(_("Nilai"), max_digits=17, decimal_places=0)
    lines = models.PositiveIntegerField(_("Baris"))

    class Meta:
        verbose_name = _("bagian penjual dalam permintaan (ringkasan laporan)")
        verbose_name_plural = _("bagian penjual dalam permintaan (ringkasan laporan)")
        constraints = [models.UniqueConstraint(fields=["requisition", "seller"], name="report_share_unique")]

    def __str__(self) -> str:
        return f"{self.requisition_id}/{self.seller_id}: {self.amount}"


class ProductPriceRange(models.Model):
    """The lowest and highest unit price any requisition line of a product ever had.

    Only ever widened (statement triggers on the requisition lines, PostgreSQL), so it holds every
    price the lines hold now: a product whose highest price is not above the price flag's factor
    times its lowest can have no line above that factor times any median of its prices, and the
    price flag (reports.red_flags.price_outliers) reads no line of it.
    """

    product = models.OneToOneField(
        "catalogue.Product",
        primary_key=True,
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        related_name="+",
    )
    lowest = models.DecimalField(_("Harga terendah"), max_digits=15, decimal_places=0)
    highest = models.DecimalField(_("Harga tertinggi"), max_digits=15, decimal_places=0)

    class Meta:
        verbose_name = _("rentang harga produk (ringkasan laporan)")
        verbose_name_plural = _("rentang harga produk (ringkasan laporan)")

    def __str__(self) -> str:
        return f"{self.product_id}: {self.lowest}-{self.highest}"


class PersonalSpendDay(models.Model):
    """Residents' own shopping per Jakarta day, kecamatan of the seller and product category.

    A materialized view (migration 0006, PostgreSQL) that Celery beat refreshes every
    PEKEN_REPORTS_VIEW_REFRESH_MINUTES (reports.services.materialized_views_refresh), so it can be that long
    behind the orders. Lines of orders with a user, not rejected or cancelled; a product's
    category is its first in the tree (by path), "" for none, as is a seller without a kecamatan.
    ``orders`` counts distinct orders: an order has one day, so days add up to months.
    """

    pk = models.CompositePrimaryKey("day", "kecamatan", "category")
    day = models.DateField()
    kecamatan = models.CharField(max_length=100)
    category = models.CharField(max_length=255)
    orders = models.PositiveIntegerField()
    amount = models.DecimalField(max_digits=17, decimal_places=2)  # as order lines' prices

    class Meta:
        managed = False
        db_table = "reports_personal_spend_day"

    def __str__(self) -> str:
        return f"{self.day} {self.kecamatan} {self.category}: {self.amount}"
