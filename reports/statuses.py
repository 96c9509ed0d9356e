"""The one state table of the reports app: a report export built by a Celery worker."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class ExportFormat(models.TextChoices):
    CSV = "csv", "CSV"
    XLSX = "xlsx", "XLSX"
    PDF = "pdf", "PDF"


class ExportStatus(models.TextChoices):
    QUEUED = "antre", _("Menunggu")
    RUNNING = "proses", _("Sedang disusun")
    DONE = "selesai", _("Siap diunduh")
    FAILED = "gagal", _("Gagal")


# An export is built once; a failed one is asked for again as a new export.
EXPORT_TRANSITIONS: dict[str, frozenset[str]] = {
    ExportStatus.QUEUED: frozenset({ExportStatus.RUNNING, ExportStatus.FAILED}),
    ExportStatus.RUNNING: frozenset({ExportStatus.DONE, ExportStatus.FAILED}),
    ExportStatus.DONE: frozenset(),
    ExportStatus.FAILED: frozenset(),
}
UNFINISHED = (ExportStatus.QUEUED, ExportStatus.RUNNING)
