"""Writes of the reports app: large exports (asked for, built by a worker, swept when they expire).

An export too large for a web request (reports.writers.background_rows) is a ReportExport: the
export view's URL name and arguments, the filter's query string and the person who asked.
A Celery worker rebuilds the table from that same view for that person, so the access rule is
the view's own (reports.access.report_agencies), applied again when the worker runs, and writes
the file in chunks to the default storage, counting the rows done. The status moves only
through _export_move (EXPORT_TRANSITIONS). Finished or not, an export and its file are deleted
once it expires (PEKEN_REPORT_EXPORT_KEEP_DAYS after it was asked for or finished).

The reports' own summaries (reports.models) are kept by triggers in the writers' transactions
and need nothing here, but for the materialized views, refreshed by materialized_views_refresh.
"""

import logging
import tempfile
import uuid
from datetime import timedelta

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.core.files import File
from django.core.files.storage import default_storage
from django.db import connection, transaction
from django.urls import resolve, reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from reports import tasks
from reports.forms import ReportFilterInvalid
from reports.models import PaidPayment, PersonalSpendDay, ProductPriceRange, ReportExport, RequisitionShare
from reports.statuses import EXPORT_TRANSITIONS, UNFINISHED, ExportFormat, ExportStatus
from reports.tables import rows_count
from reports.writers import PdfTooLarge, table_write

logger = logging.getLogger(__name__)

STORAGE_DIR = "laporan-unduhan"


class ReportExportError(Exception):
    """A move of an export its status table does not allow."""


def _expiry():
    return timezone.now() + timedelta(days=settings.PEKEN_REPORT_EXPORT_KEEP_DAYS)


def _export_move(export: ReportExport, *, to: str, **fields) -> None:
    """The one place an export's status is set: refuses a move EXPORT_TRANSITIONS does not allow."""
    if to not in EXPORT_TRANSITIONS[export.status]:
        raise ReportExportError(f"export {export.pk}: {export.status} -> {to} is not allowed")
    fields["status"] = to
    if to in (ExportStatus.DONE, ExportStatus.FAILED):
        fields["date_done"] = timezone.now()
        fields["expires_at"] = _expiry()
    for name, value in fields.items():
        setattr(export, name, value)
    export.save(update_fields=list(fields))


def report_export_request(
    *,
    user,
    url_name: str,
    url_kwargs: dict,
    query: str,
    fmt: str,
    title: str,
    filter_text: str,
    file_name: str,
    total: int,
) -> ReportExport:
    """Queue the export of one report for ``user``, built by a worker after commit.

    The view (``url_name`` with ``url_kwargs``) has already checked that ``user`` may read it.
    Asking again for the same report, arguments, filter and format while it is being built
    returns that export; two asked at the very same moment are two exports, which is harmless.
    """
    unfinished = ReportExport.objects.filter(
        requested_by=user,
        url_name=url_name,
        url_kwargs=url_kwargs,
        query=query,
        fmt=fmt,
        status__in=UNFINISHED,
        expires_at__gt=timezone.now(),
    ).first()
    if unfinished is not None:
        return unfinished
    with transaction.atomic():
        export = ReportExport.objects.create(
            requested_by=user,
            url_name=url_name,
            url_kwargs=url_kwargs,
            query=query,
            fmt=fmt,
            title=title[:200],
            filter_text=filter_text,
            file_name=file_name[:150],
            language=translation.get_language() or settings.LANGUAGE_CODE,
            total=total,
            expires_at=_expiry(),
        )
        transaction.on_commit(lambda: tasks.report_export_build.delay(export.pk))
    return export


def export_progress(export: ReportExport) -> dict:
    """What an export's progress bar reads (the keys of static/peken/import-progress.js)."""
    finished = export.finished
    done = min(export.done, export.total) if export.total else export.done
    label = export.get_status_display()
    laying_out = export.fmt == ExportFormat.PDF and export.total and done >= export.total
    if export.status == ExportStatus.RUNNING and laying_out:
        label = _("Menata halaman PDF")  # the rows are in; WeasyPrint lays the pages out
    return {
        "status": export.status,
        "status_label": label,
        "rows_done": done,
        "rows_total": export.total,
        "percent": 100 * done // export.total if export.total else (100 if finished else 0),
        "finished": finished,
    }


def _export_table(export: ReportExport):
    """The export's table rebuilt from its view for its owner, as the view's page would show it now."""
    match = resolve(reverse(export.url_name, kwargs=export.url_kwargs))
    view_class = getattr(match.func, "view_class", None)
    if view_class is None or not hasattr(view_class, "export_view"):
        raise LookupError(f"{export.url_name} is not a report export")
    view = view_class.export_view(user=export.requested_by, query=export.query, kwargs=match.kwargs)
    return view.export_table()


def _fail(export_id: int, message: str) -> ReportExport:
    with transaction.atomic():
        export = ReportExport.objects.select_for_update().get(pk=export_id)
        if export.status in UNFINISHED:
            _export_move(export, to=ExportStatus.FAILED, error=message)
    return export


def report_export_build(*, export_id: int) -> ReportExport | None:
    """Build a queued export's file and store it; the export moves queued -> running -> done.

    Safe to run again (a task redelivered): a finished export is returned as it is, one left
    running by a worker that died is built again from its first row, one already swept is
    None. The rows are those the owner may read when this runs: if they may no longer read the
    report, or its filter no longer holds, the export fails with the reason. Any other error
    fails it too (logged); the person asks again.
    """
    with transaction.atomic():
        export = (
            ReportExport.objects.select_for_update()
            .select_related("requested_by")
            .filter(pk=export_id)
            .first()
        )
        if export is None or export.status not in UNFINISHED:
            return export
        if export.status == ExportStatus.QUEUED:
            _export_move(export, to=ExportStatus.RUNNING, done=0)
        else:
            ReportExport.objects.filter(pk=export.pk).update(done=0)

    def progress(done: int) -> None:
        ReportExport.objects.filter(pk=export_id).update(done=done)

    name = f"{STORAGE_DIR}/{uuid.uuid4().hex}.{export.fmt}"
    try:
        with translation.override(export.language or settings.LANGUAGE_CODE):
            table = _export_table(export)
            count = rows_count(table.rows)
            if count is not None:
                ReportExport.objects.filter(pk=export_id).update(total=count)
            with tempfile.TemporaryFile() as out:
                written = table_write(table=table, fmt=export.fmt, out=out, progress=progress)
                out.seek(0)
                stored = default_storage.save(name, File(out, name=name))
    except PermissionDenied:
        return _fail(export_id, _("Anda tidak lagi dapat membaca laporan ini."))
    except PdfTooLarge as error:
        return _fail(
            export_id,
            _("PDF memuat paling banyak %(limit)s baris. Unduh CSV atau XLSX, atau persempit saringan.")
            % {"limit": error.limit},
        )
    except ReportFilterInvalid:
        return _fail(export_id, _("Saringan laporan tidak valid."))
    except Exception:
        logger.exception("report export %s failed", export_id)
        return _fail(export_id, _("Unduhan gagal disusun. Minta ulang, atau hubungi pengelola Peken."))
    with transaction.atomic():
        export = ReportExport.objects.select_for_update().filter(pk=export_id).first()
        if export is None or export.status != ExportStatus.RUNNING:
            default_storage.delete(stored)  # swept, or finished by another run meanwhile
            return export
        _export_move(export, to=ExportStatus.DONE, file=stored, done=written, total=written)
    return export


def report_exports_sweep(*, now=None) -> int:
    """Delete every export past its expiry, with its file (beat, hourly); how many were deleted.

    A file is deleted before its row, so a file is never left without the row that names it;
    a row whose file is already gone is deleted all the same.
    """
    now = now or timezone.now()
    deleted = 0
    for export in ReportExport.objects.filter(expires_at__lte=now).only("pk", "file").iterator():
        if export.file:
            default_storage.delete(export.file.name)
        deleted += ReportExport.objects.filter(pk=export.pk).delete()[0]
    return deleted


# --- the materialized views


MATERIALIZED_VIEWS = (PersonalSpendDay._meta.db_table,)
KEPT_BY_TRIGGERS = (PaidPayment, RequisitionShare, ProductPriceRange)


def materialized_views_refresh() -> list[str]:
    """Refresh the reports' materialized views (PostgreSQL; elsewhere there are none); their names.

    Concurrently where a view already holds rows (its unique index allows it, and readers keep
    reading the previous contents until the new ones are in), plain the first time. So its
    figures are at most PEKEN_REPORTS_VIEW_REFRESH_MINUTES plus one refresh behind the rows.
    Safe to run twice at once: PostgreSQL runs one refresh of a view at a time, the other waits.
    """
    if connection.vendor != "postgresql":
        return []
    with connection.cursor() as cursor:
        for view in MATERIALIZED_VIEWS:
            cursor.execute("SELECT relispopulated FROM pg_class WHERE relname = %s", [view])
            (populated,) = cursor.fetchone()
            concurrently = "CONCURRENTLY " if populated else ""
            cursor.execute(f"REFRESH MATERIALIZED VIEW {concurrently}{view}")
    return list(MATERIALIZED_VIEWS)


def reports_summaries_settle() -> list[str]:
    """After a bulk load (the synthetic data's COPY): the planner's statistics of the trigger-kept
    summaries gathered, and the materialized views refreshed. Returns the views refreshed."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            for model in KEPT_BY_TRIGGERS:
                cursor.execute(f'ANALYZE "{model._meta.db_table}"')
    return materialized_views_refresh()
