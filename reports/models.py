"""What the reports app writes: large exports built in the background, and the monthly summaries sent.

Everything else the reports show is read from procurement's and the marketplace's own tables.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

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
