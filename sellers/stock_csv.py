"""The price and stock CSV: the template a seller downloads and the parsing of what they upload.

Excel in an Indonesian locale writes semicolons, elsewhere commas; it may put
a byte-order mark in front of UTF-8. Both separators and both encodings of
UTF-8 are accepted; anything else is refused with the line it went wrong on.
"""

from dataclasses import dataclass

from django.utils.translation import gettext as _

from peken import limits
from peken.csv_upload import MAX_BYTES, cell_shown, csv_rows  # noqa: F401  (MAX_BYTES: the centre's limit)
from peken.exports import csv_text
from peken.money import RupiahError, rupiah_parse, whole_number_parse

# Column names as the template writes them, and the other spellings accepted.
COLUMNS = ("sku", "judul", "harga", "stok")
ALIASES = {
    "sku": "sku",
    "kode": "sku",
    "judul": "judul",
    "nama": "judul",
    "title": "judul",
    "harga": "harga",
    "price": "harga",
    "stok": "stok",
    "stock": "stok",
}
REQUIRED = ("sku", "harga", "stok")
# A new price more than this many times the old one, or less than the old one divided by it,
# is flagged in the preview: most often a zero typed too many or too few.
PRICE_JUMP_FACTOR = 3


@dataclass(frozen=True)
class StockRow:
    line: int  # the file's line number, or the row's place in an API request (from 0)
    sku: str
    price: int
    stock: int


@dataclass(frozen=True)
class StockChange:
    """One row of an upload that would change a stock record: old and new values, and what to check."""

    line: int
    sku: str
    title: str
    price_old: int
    price_new: int
    stock_old: int
    stock_new: int
    reserved: int  # taken by open orders (Oscar's num_allocated)

    @property
    def price_jump(self) -> bool:
        return self.price_old > 0 and (
            self.price_new > self.price_old * PRICE_JUMP_FACTOR
            or self.price_new * PRICE_JUMP_FACTOR < self.price_old
        )

    @property
    def below_reserved(self) -> bool:
        return self.stock_new != self.stock_old and self.stock_new < self.reserved

    @property
    def warnings(self) -> list[str]:
        found = []
        if self.price_jump and self.price_new > self.price_old:
            found.append(_("Harga naik lebih dari %(factor)d kali lipat.") % {"factor": PRICE_JUMP_FACTOR})
        elif self.price_jump:
            found.append(_("Harga turun lebih dari %(factor)d kali lipat.") % {"factor": PRICE_JUMP_FACTOR})
        if self.below_reserved:
            found.append(
                _("Stok %(stock)d di bawah %(reserved)d yang sudah dipesan pembeli.")
                % {"stock": self.stock_new, "reserved": self.reserved}
            )
        return found


def stock_csv_template(records) -> str:
    """The shop's current SKUs, titles, prices and stock as a CSV Excel opens (BOM, semicolons).

    Titles are the seller's own text: a cell that would start a formula is quoted (peken.exports).
    """
    rows = (
        [record.partner_sku, record.product.title, int(record.price or 0), record.num_in_stock or 0]
        for record in records
    )
    return csv_text(header=COLUMNS, rows=rows, delimiter=";")


def stock_csv_parse(content: bytes) -> tuple[list[StockRow], list[tuple[int, str]]]:
    """Rows of an uploaded file, and every problem found with the line number it is on.

    Checks the file's encoding, its header, that each row's price and stock are
    whole numbers, and each row by stock_row_problems (the rule an API row meets
    too); a line the csv module cannot read ends the reading.
    Whether each SKU belongs to the shop is checked by the service that
    applies the rows.
    """
    header, reader, errors = csv_rows(content, aliases=ALIASES, required=REQUIRED, columns=COLUMNS)
    if reader is None:
        return [], errors
    at = {name: header.index(name) for name in REQUIRED}
    rows, errors, seen = [], [], {}
    for cells in reader:
        line = reader.line_num
        if not any(cell.strip() for cell in cells):
            continue
        if len(cells) < len(header):
            errors.append(
                (
                    line,
                    _("Jumlah kolom kurang: ada %(got)d, seharusnya %(want)d.")
                    % {"got": len(cells), "want": len(header)},
                )
            )
            continue
        sku = cells[at["sku"]].strip()
        price = _whole(rupiah_parse, cells[at["harga"]])
        stock = _whole(whole_number_parse, cells[at["stok"]])
        by_field = stock_row_problems(sku=sku, price=price, stock=stock, line=line, seen=seen)
        if price is None:
            by_field["price"] = [
                _("Harga “%(value)s” bukan bilangan bulat rupiah.")
                % {"value": cell_shown(cells[at["harga"]])}
            ]
        if stock is None:
            by_field["stock"] = [
                _("Stok “%(value)s” bukan bilangan bulat.") % {"value": cell_shown(cells[at["stok"]])}
            ]
        problems = [message for field in ("sku", "price", "stock") for message in by_field.get(field, [])]
        if problems:
            errors.append((line, " ".join(problems)))
        else:
            rows.append(StockRow(line=line, sku=sku, price=price, stock=stock))
    errors.extend(reader.errors)
    if not rows and not errors:
        errors.append((0, _("Berkas tidak berisi baris produk.")))
    return rows, errors


def stock_row_problems(
    *, sku: str, price: int | None, stock: int | None, line: int, seen: dict[str, int]
) -> dict[str, list[str]]:
    """What is wrong with one price and stock row, by field ("sku", "price", "stock"); empty if nothing.

    The one rule of a row, whether it is a line of an uploaded file or a row sent
    through the API: a SKU present, at most limits.MAX_SKU long and not already in
    ``seen`` (SKU -> the line it was first on; this row's SKU is added to it); a
    price in whole rupiah above zero and at most limits.MAX_PRICE; a stock not
    negative and at most limits.MAX_STOCK. A price or stock of None is one the
    caller could not read as a whole number: the caller words that problem itself.
    """
    problems: dict[str, list[str]] = {}
    if not sku:
        problems["sku"] = [_("SKU kosong.")]
    elif too_long := limits.text_problem(sku, maximum=limits.MAX_SKU, label=_("SKU")):
        problems["sku"] = [too_long]
    elif sku in seen:
        problems["sku"] = [_("SKU %(sku)s sudah ada di baris %(line)d.") % {"sku": sku, "line": seen[sku]}]
    if price is not None and price <= 0:
        problems["price"] = [_("Harga harus lebih dari 0.")]
    elif price is not None and (
        too_big := limits.number_problem(price, maximum=limits.MAX_PRICE, label=_("Harga"))
    ):
        problems["price"] = [too_big]
    if stock is not None and stock < 0:
        problems["stock"] = [_("Stok tidak boleh negatif.")]
    elif stock is not None and (
        too_big := limits.number_problem(stock, maximum=limits.MAX_STOCK, label=_("Stok"))
    ):
        problems["stock"] = [too_big]
    if sku and sku not in seen:
        seen[sku] = line
    return problems


def _whole(read, cell: str) -> int | None:
    """``cell`` read by a peken.money parser (rupiah or a count); None when it is not a whole number."""
    try:
        return int(read(cell))
    except RupiahError:
        return None
