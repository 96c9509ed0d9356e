"""Records shared by the marketplace and procurement: an upload applied in the background."""

from django.conf import settings
from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.utils.translation import gettext_lazy as _


class ImportKind(models.TextChoices):
    STOCK_CSV = "stock_csv", _("Harga & stok (CSV)")
    BUDGET_CSV = "budget_csv", _("Anggaran (CSV)")


class ImportJobStatus(models.TextChoices):
    QUEUED = "queued", _("Menunggu giliran")
    RUNNING = "running", _("Sedang diterapkan")
    DONE = "done", _("Selesai")
    FAILED = "failed", _("Gagal")


class ImportJob(models.Model):
    """A validated upload too big to apply within a web request, applied by a Celery worker.

    It belongs to the shop or agency it changes (``owner``): only that owner's
    pages show it. Its status moves only through peken.imports (the table
    IMPORT_JOB_TRANSITIONS); the file is kept until the job finishes.
    """

    kind = models.CharField(_("jenis"), max_length=20, choices=ImportKind.choices)
    owner_type = models.ForeignKey(ContentType, on_delete=models.PROTECT, related_name="+")
    owner_id = models.PositiveBigIntegerField()
    owner = GenericForeignKey("owner_type", "owner_id")
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("diunggah oleh")
    )
    file_name = models.CharField(_("nama berkas"), max_length=255)
    content = models.BinaryField(editable=False, default=b"")
    # what the apply needs besides the file (the preview's values, the fiscal year)
    params = models.JSONField(default=dict, blank=True)
    status = models.CharField(
        _("status"), max_length=10, choices=ImportJobStatus.choices, default=ImportJobStatus.QUEUED
    )
    rows_total = models.PositiveIntegerField(_("jumlah baris"))
    rows_done = models.PositiveIntegerField(_("baris selesai"), default=0)
    result = models.JSONField(default=dict, blank=True)
    # the first problems (peken.csv_upload.ERRORS_SHOWN) as [line, message], and how many there were
    errors = models.JSONField(default=list, blank=True)
    errors_total = models.PositiveIntegerField(default=0)
    date_created = models.DateTimeField(auto_now_add=True)
    date_started = models.DateTimeField(null=True, blank=True)
    date_finished = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-pk"]
        indexes = [models.Index(fields=["owner_type", "owner_id"], name="peken_importjob_owner")]
        verbose_name = _("impor berkas")
        verbose_name_plural = _("impor berkas")

    def __str__(self):
        return f"{self.get_kind_display()} {self.file_name} ({self.get_status_display()})"

    @property
    def finished(self) -> bool:
        return self.status in (ImportJobStatus.DONE, ImportJobStatus.FAILED)

    @property
    def is_done(self) -> bool:
        return self.status == ImportJobStatus.DONE

    @property
    def is_failed(self) -> bool:
        return self.status == ImportJobStatus.FAILED
