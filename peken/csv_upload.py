"""Uploaded CSV files as Indonesian offices write them: one reader for every import.

Excel saves "CSV UTF-8" with a byte-order mark and, in an Indonesian locale,
semicolons; others use commas. Rupiah come as "15.000", "15000" or
"Rp 15.000". Each import (sellers' stock, agencies' budgets) parses its own
columns on top of ``csv_rows``.
"""

import csv
import io
import re

from django.utils.translation import gettext as _

MAX_BYTES = 2 * 1024 * 1024
_GROUPED = re.compile(r"\d{1,3}(\.\d{3})+")  # 1.500.000 as Indonesians write rupiah
_ZERO_CENTS = re.compile(r"(\d)[.,]0{1,2}$")  # SIPD writes 1.500.000,00


def csv_rows(content: bytes, *, aliases: dict[str, str], required: tuple[str, ...],
             columns: tuple[str, ...]) -> tuple[list[str], object | None, list[tuple[int, str]]]:
    """(header, reader, errors) of an upload; the reader is None when the file itself is refused.

    Refuses a file over MAX_BYTES, one that is not UTF-8 (with or without a
    BOM), an empty one, and one missing a ``required`` column; header names
    are lower-cased and mapped through ``aliases``. Errors are (line, message),
    line 0 meaning the file as a whole.
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
    return header, reader, []


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
