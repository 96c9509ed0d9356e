"""Uploaded CSV files as Indonesian offices write them: one reader for every import.

Excel saves "CSV UTF-8" with a byte-order mark and, in an Indonesian locale,
semicolons; others use commas. Rupiah come as "15.000", "15000" or
"Rp 15.000". Each import (sellers' stock, agencies' budgets) parses its own
columns on top of ``csv_rows``.
"""

import csv
import io
import re

from django.conf import settings
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

MAX_BYTES = 2 * 1024 * 1024
_GROUPED = re.compile(r"\d{1,3}(\.\d{3})+")  # 1.500.000 as Indonesians write rupiah
_ZERO_CENTS = re.compile(r"(\d)[.,]0{1,2}$")  # SIPD writes 1.500.000,00
# A page lists this many bad rows and counts the rest: a file with thousands of
# bad rows must not become a page of megabytes.
ERRORS_SHOWN = 50


def csv_rows(content: bytes, *, aliases: dict[str, str], required: tuple[str, ...],
             columns: tuple[str, ...]) -> tuple[list[str], object | None, list[tuple[int, str]]]:
    """(header, reader, errors) of an upload; the reader is None when the file itself is refused.

    Refuses a file over MAX_BYTES, one that is not UTF-8 (with or without a
    BOM), an empty one, one with more than settings.PEKEN_CSV_MAX_ROWS rows
    that are not blank (counted before any row is checked, and the counting
    stops at the first row past the limit), and one missing a ``required``
    column; header names are lower-cased and mapped through ``aliases``.
    Errors are (line, message), line 0 meaning the file as a whole.
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
    first_line = text.splitlines()[0]
    delimiter = ";" if first_line.count(";") >= first_line.count(",") else ","
    reader = csv.reader(io.StringIO(text), delimiter=delimiter)
    header = []
    for raw in next(reader):
        name = re.sub(r"\s+", "_", raw.strip().lower())
        header.append(aliases.get(name, name))
    missing = [name for name in required if name not in header]
    if missing:
        return header, None, [(1, _("Kolom wajib tidak ada: %(columns)s. Baris pertama harus: %(header)s.")
                               % {"columns": ", ".join(missing), "header": ";".join(columns)})]
    limit = settings.PEKEN_CSV_MAX_ROWS
    if _rows_over(text, delimiter=delimiter, limit=limit):
        return header, None, [(0, ngettext("Berkas lebih dari %(n)d baris; bagi menjadi beberapa berkas.",
                                           "Berkas lebih dari %(n)d baris; bagi menjadi beberapa berkas.",
                                           limit) % {"n": limit})]
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
    return {"csv_errors": errors[:ERRORS_SHOWN], "csv_errors_total": len(errors),
            "csv_errors_more": max(0, len(errors) - ERRORS_SHOWN)}


def whole_rupiah(raw: str, *, zero_cents: bool = False) -> int | None:
    """Whole rupiah from "1.500.000", "1500000" or "Rp 1.500.000"; None if not a whole number.

    With ``zero_cents``, SIPD's "1.500.000,00" is accepted too.
    """
    value = raw.strip().replace(" ", "").replace("\u00a0", "")
    value = re.sub(r"^rp\.?", "", value, flags=re.IGNORECASE)
    negative = value.startswith("-")
    digits = value.lstrip("-")
    if zero_cents:
        digits = _ZERO_CENTS.sub(r"\1", digits)
    if _GROUPED.fullmatch(digits):
        digits = digits.replace(".", "")
    if not digits.isdigit():
        return None
    return -int(digits) if negative else int(digits)
