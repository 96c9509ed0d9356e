"""The price and stock CSV: the template a seller downloads and the parsing of what they upload.

Excel in an Indonesian locale writes semicolons, elsewhere commas; it may put
a byte-order mark in front of UTF-8. Both separators and both encodings of
UTF-8 are accepted; anything else is refused with the line it went wrong on.
"""

import csv
import io
import re
from dataclasses import dataclass

from django.utils.translation import gettext as _

# Column names as the template writes them, and the other spellings accepted.
COLUMNS = ("sku", "judul", "harga", "stok")
ALIASES = {"sku": "sku", "kode": "sku", "judul": "judul", "nama": "judul", "title": "judul",
           "harga": "harga", "price": "harga", "stok": "stok", "stock": "stok"}
REQUIRED = ("sku", "harga", "stok")
MAX_BYTES = 2 * 1024 * 1024
_GROUPED = re.compile(r"\d{1,3}(\.\d{3})+")  # 15.000 as Indonesians write rupiah


@dataclass(frozen=True)
class StockRow:
    line: int
    sku: str
    price: int
    stock: int


def stock_csv_template(records) -> str:
    """The shop's current SKUs, titles, prices and stock as a CSV Excel opens (BOM, semicolons)."""
    out = io.StringIO()
    out.write("\ufeff")
    writer = csv.writer(out, delimiter=";", lineterminator="\r\n")
    writer.writerow(COLUMNS)
    for record in records:
        writer.writerow([record.partner_sku, record.product.title, int(record.price or 0),
                         record.num_in_stock or 0])
    return out.getvalue()


def _whole_number(raw: str) -> int | None:
    value = raw.strip().replace(" ", "")
    value = re.sub(r"^rp\.?", "", value, flags=re.IGNORECASE)
    negative = value.startswith("-")
    digits = value.lstrip("-")
    if _GROUPED.fullmatch(digits):
        digits = digits.replace(".", "")
    if not digits.isdigit():
        return None
    return -int(digits) if negative else int(digits)


def stock_csv_parse(content: bytes) -> tuple[list[StockRow], list[tuple[int, str]]]:
    """Rows of an uploaded file, and every problem found with the line number it is on.

    Checks the file's encoding, its header, and each row's SKU (present, not
    repeated), price (a whole number of rupiah above zero) and stock (a whole
    number, not negative). Whether each SKU belongs to the shop is checked by
    the service that applies the rows.
    """
    if len(content) > MAX_BYTES:
        return [], [(0, _("Berkas terlalu besar (paling besar 2 MB)."))]
    try:
        text = content.decode("utf-8-sig")
    except UnicodeDecodeError:
        return [], [(0, _("Berkas bukan teks UTF-8. Di Excel pilih Simpan Sebagai \u201cCSV UTF-8\u201d."))]
    if not text.strip():
        return [], [(0, _("Berkas kosong. Unduh templat, isi, lalu unggah lagi."))]
    first_line = text.splitlines()[0]
    delimiter = ";" if first_line.count(";") >= first_line.count(",") else ","
    reader = csv.reader(io.StringIO(text), delimiter=delimiter)
    header = [ALIASES.get(name.strip().lower(), name.strip().lower()) for name in next(reader)]
    missing = [name for name in REQUIRED if name not in header]
    if missing:
        return [], [(1, _("Kolom wajib tidak ada: %(columns)s. Baris pertama harus: %(header)s.")
                     % {"columns": ", ".join(missing), "header": ";".join(COLUMNS)})]
    at = {name: header.index(name) for name in REQUIRED}
    rows, errors, seen = [], [], {}
    for cells in reader:
        line = reader.line_num
        if not any(cell.strip() for cell in cells):
            continue
        if len(cells) < len(header):
            errors.append((line, _("Jumlah kolom kurang: ada %(got)d, seharusnya %(want)d.")
                           % {"got": len(cells), "want": len(header)}))
            continue
        sku = cells[at["sku"]].strip()
        price = _whole_number(cells[at["harga"]])
        stock = _whole_number(cells[at["stok"]])
        problems = []
        if not sku:
            problems.append(_("SKU kosong."))
        elif sku in seen:
            problems.append(_("SKU %(sku)s sudah ada di baris %(line)d.") % {"sku": sku, "line": seen[sku]})
        if price is None:
            problems.append(_("Harga \u201c%(value)s\u201d bukan bilangan bulat rupiah.")
                            % {"value": cells[at["harga"]].strip()})
        elif price <= 0:
            problems.append(_("Harga harus lebih dari 0."))
        if stock is None:
            problems.append(_("Stok \u201c%(value)s\u201d bukan bilangan bulat.")
                            % {"value": cells[at["stok"]].strip()})
        elif stock < 0:
            problems.append(_("Stok tidak boleh negatif."))
        if sku and sku not in seen:
            seen[sku] = line
        if problems:
            errors.append((line, " ".join(problems)))
        else:
            rows.append(StockRow(line=line, sku=sku, price=price, stock=stock))
    if not rows and not errors:
        errors.append((0, _("Berkas tidak berisi baris produk.")))
    return rows, errors
