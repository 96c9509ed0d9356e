"""The one writer of a report table's files: CSV, XLSX and PDF, in chunks, reporting progress.

The same code writes a download within the request and a large export a worker builds
(reports.services.report_export_build).
"""

from itertools import islice

from django.conf import settings

from peken.exports import Progress, csv_write, xlsx_write
from reports.pdf import report_pdf
from reports.statuses import ExportFormat
from reports.tables import ExportTable

CONTENT_TYPES = {
    ExportFormat.CSV: "text/csv; charset=utf-8",
    ExportFormat.XLSX: "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    ExportFormat.PDF: "application/pdf",
}


class PdfTooLarge(ValueError):
    """More rows than a PDF is drawn with (PEKEN_REPORT_PDF_MAX_ROWS)."""

    def __init__(self, limit: int):
        self.limit = limit
        super().__init__(f"a PDF holds at most {limit} rows")


def background_rows(fmt: str) -> int:
    """Above this many rows an export of ``fmt`` is built by a worker, not within the request."""
    if fmt == ExportFormat.PDF:
        return settings.PEKEN_REPORT_BACKGROUND_PDF_ROWS
    return settings.PEKEN_REPORT_BACKGROUND_ROWS


def table_write(*, table: ExportTable, fmt: str, out, progress: Progress | None = None) -> int:
    """Write ``table`` as ``fmt`` to the binary file ``out``; how many rows it holds.

    ``progress(done)`` is called every PEKEN_REPORT_EXPORT_CHUNK_ROWS rows. A PDF is drawn
    with at most PEKEN_REPORT_PDF_MAX_ROWS rows (more raises PdfTooLarge: its pages are laid
    out in memory); CSV and XLSX are written a chunk at a time, whatever their length.
    Raises ValueError for another format.
    """
    every = settings.PEKEN_REPORT_EXPORT_CHUNK_ROWS
    header = [str(label) for label in table.header]
    if fmt == ExportFormat.CSV:
        return csv_write(out, header=header, rows=table.rows, progress=progress, every=every)
    if fmt == ExportFormat.XLSX:
        return xlsx_write(
            out, header=header, rows=table.rows, title=table.title, progress=progress, every=every
        )
    if fmt == ExportFormat.PDF:
        limit = settings.PEKEN_REPORT_PDF_MAX_ROWS
        rows = list(islice(iter(table.rows), limit + 1))
        if len(rows) > limit:
            raise PdfTooLarge(limit)
        out.write(report_pdf(table=table, header=header, rows=rows, progress=progress, every=every))
        return len(rows)
    raise ValueError(f"unknown export format {fmt!r}")
