"""Spreadsheet downloads (peken/exports.py) cannot carry a formula into the reader's spreadsheet."""

import csv
import io
from datetime import datetime
from decimal import Decimal

import pytest
from django.utils import timezone
from openpyxl import load_workbook

from peken.exports import cell_safe, export_response

DANGEROUS = ["=1+1", "+1+1", "-1+1", "@SUM(A1)", "\tx", "\rx"]


@pytest.mark.parametrize("value", DANGEROUS)
def test_a_cell_starting_like_a_formula_gets_a_quote(value):
    # given text a spreadsheet would run, when made safe, then it starts with a single quote
    assert cell_safe(value) == "'" + value


def test_harmless_text_is_left_as_it_is():
    assert [cell_safe(v) for v in ("Rp1.000", "a=b", "", "'sudah")] == ["Rp1.000", "a=b", "", "'sudah"]


def test_csv_neutralises_every_cell_and_names_the_file():
    # given rows with formulas in the header and the cells
    response = export_response(
        fmt="csv", name="uji", header=["=Kolom", "Nilai"], rows=[[*DANGEROUS[:2]], ["biasa", -5]]
    )
    # then every dangerous cell starts with a quote, and the file is an attachment
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert rows == [["'=Kolom", "Nilai"], ["'=1+1", "'+1+1"], ["biasa", "'-5"]]
    assert response["Content-Disposition"] == 'attachment; filename="uji.csv"'


def test_xlsx_keeps_numbers_and_dates_typed_and_text_harmless():
    # given text with formulas and a control character, a number, money and a Jakarta time
    moment = timezone.make_aware(datetime(2026, 12, 1, 14, 3, 22))
    response = export_response(
        fmt="xlsx",
        name="uji",
        title="Jejak: audit/uji",
        header=["A", "B", "C", "D"],
        rows=[["=1+1", 7, Decimal("150000"), moment], ["ada\x0bkendali", -5, None, "@x"]],
    )
    # when openpyxl reads it back
    sheet = load_workbook(io.BytesIO(response.content)).active
    values = [[cell.value for cell in row] for row in sheet.iter_rows()]
    # then text is text, numbers and times stay typed, and no cell is a formula
    assert values[1] == ["'=1+1", 7, 150000, datetime(2026, 12, 1, 14, 3, 22)]
    assert values[2] == ["adakendali", -5, None, "'@x"]
    assert all(cell.data_type != "f" for row in sheet.iter_rows() for cell in row)
    assert sheet.title == "Jejak audituji" and response["Content-Disposition"].endswith('"uji.xlsx"')


def test_an_unknown_format_is_refused():
    with pytest.raises(ValueError, match="pdf"):
        export_response(fmt="pdf", name="uji", header=[], rows=[])
