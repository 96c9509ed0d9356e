"""Spreadsheet downloads (CSV and XLSX) that cannot run formulas in the reader's spreadsheet.

A text cell starting with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return is
read as a formula by Excel, LibreOffice and Sheets (CSV injection), and openpyxl
itself stores such a string as a formula; every such cell gets a leading single
quote, so it is shown as the text it was. Use ``export_response`` for any export, and
``csv_write`` / ``xlsx_write`` to write a large one to a file in chunks (a background export).
"""

import csv
import io
from collections.abc import Callable, Iterable, Sequence
from datetime import date, datetime
from decimal import Decimal
from itertools import islice

from django.http import HttpResponse
from django.utils import timezone
from django.utils.http import content_disposition_header
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter

FORMATS = ("csv", "xlsx")
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
CSV_TYPE = "text/csv; charset=utf-8"
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
MAX_WIDTH = 60  # characters; longer text wraps in the reader's spreadsheet
CHUNK_ROWS = 1000  # rows written between two progress reports
Progress = Callable[[int], None]


def cell_safe(value: str) -> str:
    """``value`` as text no spreadsheet will run: a leading single quote before a formula start."""
    return "'" + value if value.startswith(FORMULA_STARTS) else value


def _text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime) and timezone.is_aware(value):
        value = timezone.localtime(value)
    return str(value)


def _xlsx_value(value):
    # numbers and dates stay typed (they cannot hold a formula); text is neutralised
    if value is None:
        return None
    if isinstance(value, bool):
        return str(value)
    if isinstance(value, int | float | Decimal):
        return value
    if isinstance(value, datetime):
        return timezone.make_naive(value) if timezone.is_aware(value) else value
    if isinstance(value, date):
        return value
    return cell_safe(ILLEGAL_CHARACTERS_RE.sub("", str(value)))


def _attachment(content: bytes, content_type: str, filename: str) -> HttpResponse:
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = content_disposition_header(True, filename)
    response["X-Content-Type-Options"] = "nosniff"
    return response


def csv_text(*, header: Sequence[str], rows: Iterable[Sequence], delimiter: str = ",") -> str:
    """A CSV as text: a BOM (so Excel reads the accents), CRLF line ends, every cell text and formula-safe.

    The templates people fill in and upload again use ``delimiter=";"``, as Excel in
    an Indonesian locale writes them; peken.csv_upload takes the safety quote off again.
    """
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=delimiter, lineterminator="\r\n")
    writer.writerow([cell_safe(_text(value)) for value in header])
    for row in rows:
        writer.writerow([cell_safe(_text(value)) for value in row])
    return "\ufeff" + buffer.getvalue()


def csv_write(
    out,
    *,
    header: Sequence[str],
    rows: Iterable[Sequence],
    progress: Progress | None = None,
    every: int = CHUNK_ROWS,
) -> int:
    """``csv_text``'s CSV written to the binary file ``out`` ``every`` rows at a time; how many rows.

    ``progress(done)`` is called after each chunk and once at the end.
    """
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")

    def flush() -> None:
        out.write(buffer.getvalue().encode("utf-8"))
        buffer.seek(0)
        buffer.truncate()

    buffer.write("\ufeff")
    writer.writerow([cell_safe(_text(value)) for value in header])
    done = 0
    iterator = iter(rows)
    while chunk := list(islice(iterator, every)):
        writer.writerows([cell_safe(_text(value)) for value in row] for row in chunk)
        done += len(chunk)
        flush()
        if progress is not None:
            progress(done)
    flush()
    if progress is not None:
        progress(done)
    return done


def csv_response(
    *, filename: str, header: Sequence[str], rows: Iterable[Sequence], delimiter: str = ","
) -> HttpResponse:
    """A CSV download: UTF-8 with a BOM, comma-separated unless told, every cell text and formula-safe."""
    return _attachment(
        csv_text(header=header, rows=rows, delimiter=delimiter).encode("utf-8"), CSV_TYPE, filename
    )


def _sheet_title(title: str) -> str:
    # a sheet title is at most 31 characters and has none of []:*?/\\
    return ("".join(c for c in title if c not in "[]:*?/\\")[:31]) or "Data"


def _sheet_fill(sheet, *, header: Sequence[str], rows: Iterable[Sequence], title: str) -> None:
    # a sheet title is at most 31 characters and has none of []:*?/\
    sheet.title = ("".join(c for c in title if c not in "[]:*?/\\")[:31]) or "Data"
    sheet.append([_xlsx_value(value) for value in header])
    widths = [len(str(value)) for value in header]
    for row in rows:
        values = [_xlsx_value(value) for value in row]
        sheet.append(values)
        for n, value in enumerate(values[: len(widths)]):
            widths[n] = max(widths[n], len(str(value)) if value is not None else 0)
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    sheet.freeze_panes = "A2"
    for n, width in enumerate(widths, start=1):
        sheet.column_dimensions[get_column_letter(n)].width = min(width + 2, MAX_WIDTH)


def xlsx_bytes(*, sheets: Sequence[tuple[str, Sequence[str], Iterable[Sequence]]]) -> bytes:
    """An XLSX file of one sheet per (title, header, rows), each with a bold, frozen header row."""
    book = Workbook()
    for n, (title, header, rows) in enumerate(sheets):
        sheet = book.active if n == 0 else book.create_sheet()
        _sheet_fill(sheet, header=header, rows=rows, title=title)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def xlsx_write(
    out,
    *,
    header: Sequence[str],
    rows: Iterable[Sequence],
    title: str,
    progress: Progress | None = None,
    every: int = CHUNK_ROWS,
) -> int:
    """One sheet as ``xlsx_bytes`` draws it, written to ``out`` without holding every row in memory.

    openpyxl's write-only mode: columns are as wide as the header and the first chunk of rows
    (a write-only sheet takes its widths before its first row). ``progress(done)`` is called
    after each chunk and once at the end. Returns how many rows were written.
    """
    book = Workbook(write_only=True)
    sheet = book.create_sheet(_sheet_title(title))
    iterator = iter(rows)
    first = [[_xlsx_value(value) for value in row] for row in islice(iterator, every)]
    widths = [len(str(value)) for value in header]
    for values in first:
        for n, value in enumerate(values[: len(widths)]):
            widths[n] = max(widths[n], len(str(value)) if value is not None else 0)
    for n, width in enumerate(widths, start=1):
        sheet.column_dimensions[get_column_letter(n)].width = min(width + 2, MAX_WIDTH)
    sheet.freeze_panes = "A2"
    bold = Font(bold=True)
    cells = []
    for value in header:
        cell = WriteOnlyCell(sheet, value=_xlsx_value(value))
        cell.font = bold
        cells.append(cell)
    sheet.append(cells)
    done = 0
    chunk = first
    while chunk:
        for values in chunk:
            sheet.append(values)
        done += len(chunk)
        if progress is not None:
            progress(done)
        chunk = [[_xlsx_value(value) for value in row] for row in islice(iterator, every)]
    book.save(out)
    if progress is not None:
        progress(done)
    return done


def xlsx_response(
    *, filename: str, header: Sequence[str], rows: Iterable[Sequence], title: str = ""
) -> HttpResponse:
    """An XLSX download of one sheet: a bold, frozen header row and columns as wide as their text."""
    return _attachment(xlsx_bytes(sheets=[(title, header, rows)]), XLSX_TYPE, filename)


def export_response(
    *, fmt: str, name: str, header: Sequence[str], rows: Iterable[Sequence], title: str = ""
) -> HttpResponse:
    """``rows`` under ``header`` as ``name``.csv or ``name``.xlsx; raises ValueError for another format."""
    if fmt == "csv":
        return csv_response(filename=f"{name}.csv", header=header, rows=rows)
    if fmt == "xlsx":
        return xlsx_response(filename=f"{name}.xlsx", header=header, rows=rows, title=title or name)
    raise ValueError(f"unknown export format {fmt!r}")
