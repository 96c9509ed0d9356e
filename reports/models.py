"""What the reports app writes: large exports built in the background, the monthly summaries sent,
and the spend report's own summaries (written by reports.services only, read by the selectors).

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
