"""Uploaded CSV files as Indonesian offices write them: one reader for every import.

Excel saves "CSV UTF-8" with a byte-order mark and, in an Indonesian locale,
semicolons; others use commas. Each import (sellers' stock, agencies' budgets)
parses its own columns on top of ``csv_rows``; rupiah, which come as "15.000",
"15000" or "Rp 15.000", with peken.money.rupiah_parse.
"""

import csv
import io
import re

from django.conf import settings
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from peken.exports import FORMULA_STARTS

MAX_BYTES = 2 * 1024 * 1024
# A page lists this many bad rows and counts the rest: a file with thousands of
# bad rows must not become a page of megabytes.
ERRORS_SHOWN = 50


def csv_rows(
    content: bytes, *, aliases: dict[str, str], required: tuple[str, ...], columns: tuple[str, ...]
) -> tuple[list[str], object | None, list[tuple[int, str]]]:
    """(header, reader, errors) of an upload; the reader is None when the file itself is refused.

    The reader is a CsvCells: once the rows are read, its ``errors`` hold a
    line the csv module could not read (the caller adds them to its own).

    Refuses a file over MAX_BYTES, one that is not UTF-8 (with or without a
    BOM), an empty one, one with a NUL character, one with more than
    settings.PEKEN_CSV_MAX_ROWS rows that are not blank (counted before any
    row is checked, and the counting stops at the first row past the limit),
    and one missing a ``required`` column; header names are lower-cased and
    mapped through ``aliases``. Errors are (line, message), line 0 meaning
    the file as a whole.
    """
    if len(content) > MAX_BYTES:
        return [], None, [(0, _("Berkas terlalu besar (paling besar 2 MB)."))]
    try:
        text = content.decode("utf-8-sig")
    except UnicodeDecodeError:
        message = _("Berkas bukan teks UTF-8. Di Excel pilih Simpan Sebagai “CSV UTF-8”.")
        return [], None, [(0, message)]
    if not text.strip():
        return [], None, [(0, _("Berkas kosong. Unduh templat, isi, lalu unggah lagi."))]
    if "\x00" in text:
        line = text[: text.index("\x00")].count("\n") + 1
        return (
            [],
            None,
            [
                (
                    line,
                    _(
                        "Baris ini berisi karakter NUL, yang tidak mungkin ada di CSV. "
                        "Simpan lagi berkasnya dari Excel sebagai “CSV UTF-8”."
                    ),
                )
            ],
        )
    first_line = text.splitlines()[0]
    delimiter = ";" if first_line.count(";") >= first_line.count(",") else ","
    reader = CsvCells(csv.reader(io.StringIO(text), delimiter=delimiter))
    header = []
    for raw in next(reader, []):
        name = re.sub(r"\s+", "_", raw.strip().lower())
        header.append(aliases.get(name, name))
    if reader.errors:
        return header, None, reader.errors
    missing = [name for name in required if name not in header]
    if missing:
        return (
            header,
            None,
            [
                (
                    1,
                    _("Kolom wajib tidak ada: %(columns)s. Baris pertama harus: %(header)s.")
                    % {"columns": ", ".join(missing), "header": ";".join(columns)},
                )
            ],
        )
    limit = settings.PEKEN_CSV_MAX_ROWS
    if _rows_over(text, delimiter=delimiter, limit=limit):
        return (
            header,
            None,
            [
                (
                    0,
                    ngettext(
                        "Berkas lebih dari %(n)d baris; bagi menjadi beberapa berkas.",
                        "Berkas lebih dari %(n)d baris; bagi menjadi beberapa berkas.",
                        limit,
                    )
                    % {"n": limit},
                )
            ],
        )
    return header, reader, []


def _rows_over(text: str, *, delimiter: str, limit: int) -> bool:
    """Whether ``text`` has more than ``limit`` rows below its header that are not blank.

    Reads only up to the first row past the limit. A row the csv module
    cannot read ends the count: the parser meets it again and reports it.
    """
    if text.count("\n") + text.count("\r") <= limit:  # a row takes at least one line break
        return False
    counter = csv.reader(io.StringIO(text), delimiter=delimiter)
    rows = -1  # the header
    try:
        for cells in counter:
            if any(cell.strip() for cell in cells):
                rows += 1
                if rows > limit:
                    return True
    except csv.Error:
        return False
    return False


def errors_shown(errors: list[tuple[int, str]]) -> dict:
    """The template context of an upload's problems: the first ERRORS_SHOWN, their total, how many more.

    templates/peken/partials/csv_errors.html shows it.
    """
    return {
        "csv_errors": errors[:ERRORS_SHOWN],
        "csv_errors_total": len(errors),
        "csv_errors_more": max(0, len(errors) - ERRORS_SHOWN),
    }


class CsvCells:
    """Rows of a csv.reader, with a cell too long for the csv module reported instead of raised.

    Python's csv refuses a field longer than ``csv.field_size_limit()`` (128 kB) with
    csv.Error; reading stops there and ``errors`` holds the line it started on.
    A leading quote that Peken's own downloads put before a formula start
    (peken.exports.cell_safe) is taken off, so a template comes back as it went out.
    """

    def __init__(self, reader):
        self.reader = reader
        self.errors: list[tuple[int, str]] = []

    @property
    def line_num(self) -> int:
        return self.reader.line_num

    def __iter__(self):
        return self

    def __next__(self) -> list[str]:
        start = self.reader.line_num + 1
        try:
            cells = next(self.reader)
        except csv.Error:
            self.errors.append(
                (
                    start,
                    _(
                        "Isi sel di baris ini terlalu panjang atau tanda kutipnya tidak "
                        "ditutup; berkas dibaca sampai baris ini saja."
                    ),
                )
            )
            raise StopIteration from None
        return [cell[1:] if cell[:1] == "'" and cell[1:2] in FORMULA_STARTS else cell for cell in cells]


def cell_shown(value: str, limit: int = 40) -> str:
    """A cell as quoted back in an error message: a long one is cut, so one bad row cannot swell the page."""
    value = value.strip()
    return value if len(value) <= limit else value[:limit] + "…"
