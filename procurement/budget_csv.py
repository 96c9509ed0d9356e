"""The budget CSV: an agency's DPA lines laid out like a SIPD export, its template and its parsing.

One row per budget line::

    kode_sub_kegiatan;nama_sub_kegiatan;kode_rekening;uraian;sumber_dana;pagu
    1.02.02.2.02.0001;Pengelolaan Pelayanan Kesehatan Ibu Hamil;5.1.02.01.01.0052;Belanja Makanan
    dan Minuman Rapat;DAU;15.000.000   (one line in the file)

Excel in an Indonesian locale writes semicolons, elsewhere commas; either is
read, in UTF-8 with or without a byte-order mark. Pagu is whole rupiah written
"15.000.000", "15000000", "Rp15.000.000" or with SIPD's ",00" (peken.money.rupiah_parse). A row is matched
to an existing line of the same fiscal year by its sub-activity (code and name)
and kode rekening; whether its new pagu still covers what the line has
committed and realised is checked by the service that applies the rows
(procurement.services.budget_lines_import).
"""

import re
from dataclasses import dataclass
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from peken import limits
from peken.csv_upload import MAX_BYTES, cell_shown, csv_rows  # noqa: F401  (MAX_BYTES: read by services)
from peken.exports import csv_text
from peken.money import RupiahError, rupiah_format, rupiah_parse
from procurement.models import ACCOUNT_CODE, BudgetLine

COLUMNS = ("kode_sub_kegiatan", "nama_sub_kegiatan", "kode_rekening", "uraian", "sumber_dana", "pagu")
# Other spellings seen in SIPD and hand-made exports, lower case with spaces as underscores.
ALIASES = {
    "kode_sub_kegiatan": "kode_sub_kegiatan",
    "kode_subkegiatan": "kode_sub_kegiatan",
    "nama_sub_kegiatan": "nama_sub_kegiatan",
    "sub_kegiatan": "nama_sub_kegiatan",
    "nama_subkegiatan": "nama_sub_kegiatan",
    "kode_rekening": "kode_rekening",
    "kode_akun": "kode_rekening",
    "rekening": "kode_rekening",
    "uraian": "uraian",
    "nama_rekening": "uraian",
    "uraian_rekening": "uraian",
    "nama_akun": "uraian",
    "sumber_dana": "sumber_dana",
    "pagu": "pagu",
    "nilai": "pagu",
    "anggaran": "pagu",
    "pagu_anggaran": "pagu",
}
REQUIRED = ("nama_sub_kegiatan", "kode_rekening", "uraian", "pagu")
_FIELD_MAX = {
    "sub_activity": BudgetLine._meta.get_field("sub_activity").max_length,
    "description": BudgetLine._meta.get_field("description").max_length,
    "funding_source": BudgetLine._meta.get_field("funding_source").max_length,
}

EXAMPLE_ROWS = (
    (
        "1.02.02.2.02.0001",
        "Pengelolaan Pelayanan Kesehatan Ibu Hamil",
        "5.1.02.01.01.0052",
        "Belanja Makanan dan Minuman Rapat",
        "DAU",
        "15.000.000",
    ),
    (
        "1.02.02.2.02.0001",
        "Pengelolaan Pelayanan Kesehatan Ibu Hamil",
        "5.1.02.01.01.0024",
        "Belanja Alat/Bahan untuk Kegiatan Kantor-Alat Tulis Kantor",
        "PAD",
        "7.500.000",
    ),
)


@dataclass(frozen=True)
class BudgetRow:
    line: int
    sub_activity: str
    account_code: str
    description: str
    funding_source: str
    ceiling: Decimal

    @property
    def key(self) -> tuple[str, str]:
        return self.sub_activity, self.account_code


def sub_activity_label(code: str, name: str) -> str:
    """How a sub-activity is stored on a line: its SIPD code, then its name."""
    return f"{code} {name}".strip() if code else name


def split_sub_activity(value: str) -> tuple[str, str]:
    """A stored sub-activity back into (code, name), for the template."""
    head, _sep, tail = value.partition(" ")
    if tail and re.fullmatch(r"[\d.]+", head):
        return head, tail
    return "", value


def budget_csv_template(lines) -> str:
    """The agency's lines of one year as a CSV Excel opens (BOM, semicolons); example rows if none.

    Every cell goes through peken.exports, so a description that starts like a formula stays text.
    """
    rows = []
    for line in lines:
        code, name = split_sub_activity(line.sub_activity)
        rows.append(
            [
                code,
                name,
                line.account_code,
                line.description,
                line.funding_source,
                rupiah_format(line.ceiling, symbol=False),
            ]
        )
    return csv_text(header=COLUMNS, rows=rows or EXAMPLE_ROWS, delimiter=";")


def budget_csv_parse(content: bytes) -> tuple[list[BudgetRow], list[tuple[int, str]]]:
    """The rows of an uploaded budget file, and every problem found with the line number it is on.

    Checks the encoding and header, then each row: required fields present,
    kode rekening in SIPD's format, pagu a whole number of rupiah that is
    not negative nor above limits.MAX_RUPIAH, texts within their lengths, and no row repeating another's
    sub-activity and kode rekening. Line 0 means the file as a whole.
    """
    header, reader, errors = csv_rows(content, aliases=ALIASES, required=REQUIRED, columns=COLUMNS)
    if reader is None:
        return [], errors
    at = {name: header.index(name) for name in COLUMNS if name in header}
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
        value = {name: " ".join(cells[i].split()) for name, i in at.items()}
        problems = []
        required = (
            ("nama_sub_kegiatan", _("Nama sub kegiatan")),
            ("kode_rekening", _("Kode rekening")),
            ("uraian", _("Uraian")),
            ("pagu", _("Pagu")),
        )
        for name, label in required:
            if not value[name]:
                problems.append(_("%(field)s kosong.") % {"field": label})
        account_code = value["kode_rekening"]
        if account_code:
            try:
                ACCOUNT_CODE(account_code)
            except ValidationError:
                problems.append(
                    _("Kode rekening “%(value)s” tidak sah; contoh yang benar: 5.1.02.01.01.0052.")
                    % {"value": cell_shown(account_code)}
                )
        try:
            ceiling = rupiah_parse(value["pagu"]) if value["pagu"] else None
        except RupiahError:
            ceiling = None
        if value["pagu"] and ceiling is None:
            problems.append(
                _("Pagu “%(value)s” bukan bilangan bulat rupiah (contoh: 1.500.000).")
                % {"value": cell_shown(value["pagu"])}
            )
        elif ceiling is not None and ceiling < 0:
            problems.append(_("Pagu tidak boleh negatif."))
        elif ceiling is not None and (
            too_big := limits.number_problem(ceiling, maximum=limits.MAX_RUPIAH, label=_("Pagu"))
        ):
            problems.append(too_big)
        sub_activity = sub_activity_label(value.get("kode_sub_kegiatan", ""), value["nama_sub_kegiatan"])
        fields = {
            "sub_activity": (sub_activity, _("Sub kegiatan")),
            "description": (value["uraian"], _("Uraian")),
            "funding_source": (value.get("sumber_dana", ""), _("Sumber dana")),
        }
        for field, (text_value, label) in fields.items():
            if len(text_value) > _FIELD_MAX[field]:
                problems.append(
                    _("%(field)s terlalu panjang (paling banyak %(max)d huruf).")
                    % {"field": label, "max": _FIELD_MAX[field]}
                )
        key = (sub_activity, account_code)
        if value["nama_sub_kegiatan"] and account_code:
            if key in seen:
                problems.append(
                    _("Sub kegiatan dan kode rekening ini sudah ada di baris %(line)d.") % {"line": seen[key]}
                )
            else:
                seen[key] = line
        if problems:
            errors.append((line, " ".join(problems)))
        else:
            rows.append(
                BudgetRow(
                    line=line,
                    sub_activity=sub_activity,
                    account_code=account_code,
                    description=value["uraian"],
                    funding_source=value.get("sumber_dana", ""),
                    ceiling=Decimal(ceiling),
                )
            )
    errors.extend(reader.errors)
    if not rows and not errors:
        errors.append((0, _("Berkas tidak berisi baris anggaran.")))
    return rows, errors
