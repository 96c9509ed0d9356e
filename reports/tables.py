"""A report's table as its exports see it: its rows, how to count them, and how its cells are written.

An export view (reports.views.ExportMixin) gives a header and rows; ``ExportTable`` carries them
with the title and the filter in words to reports.writers, which writes CSV, XLSX or PDF.

A column's kind says how the PDF writes its cells and that its figures are right-aligned. An
export view may name its columns' kinds (``kinds``); otherwise each column's kind is read from
its first value: Decimal is rupiah, int a whole number, float a decimal number, anything else
text. Percentages are floats too, so a view that has them names its kinds. Rupiah and
percentages are written the Indonesian way in every language (Rp1.500.000, 12,5%).
"""

from collections.abc import Callable, Iterable, Iterator, Sequence, Sized
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal

from babel.numbers import format_decimal
from django.db.models import QuerySet
from django.utils import formats, timezone

from peken.money import rupiah_format, whole_number_format

RUPIAH, PERCENT, NUMBER, DECIMAL, TEXT = "rupiah", "percent", "number", "decimal", "text"
NUMERIC = frozenset({RUPIAH, PERCENT, NUMBER, DECIMAL})
LOCALE = "id_ID"


class TableRows:
    """A queryset's objects as table rows (``row(obj)``), read in chunks; counted without reading them."""

    def __init__(self, queryset: QuerySet, row: Callable[[object], Sequence], chunk_size: int = 2000):
        self.queryset, self.row, self.chunk_size = queryset, row, chunk_size

    def __iter__(self) -> Iterator[Sequence]:
        return (self.row(obj) for obj in self.queryset.iterator(chunk_size=self.chunk_size))

    def count(self) -> int:
        return self.queryset.count()


def rows_count(rows) -> int | None:
    """How many rows ``rows`` holds without reading them: a list's length, a queryset's or TableRows'
    count() (one query); None for a generator, which cannot tell."""
    if isinstance(rows, Sized):
        return len(rows)
    if isinstance(rows, QuerySet | TableRows):
        return rows.count()
    return None


@dataclass
class ExportTable:
    """One report's table as an export writes it."""

    title: str
    header: Sequence[str]
    rows: Iterable[Sequence]
    filter_words: Sequence[tuple[str, str]] = ()
    kinds: Sequence[str] | None = None
    # the one agency the report covers, for the PDF's letterhead (None: the city)
    agency: object = None
    made_by: str = ""
    made_at: datetime = field(default_factory=timezone.now)


def kind_of(value) -> str | None:
    """The kind a column is read as from one value (None for an empty cell, which says nothing)."""
    if value is None or value == "":
        return None
    if isinstance(value, bool):
        return TEXT
    if isinstance(value, Decimal):
        return RUPIAH
    if isinstance(value, int):
        return NUMBER
    if isinstance(value, float):
        return DECIMAL
    return TEXT


def kinds_read(*, width: int, rows: Sequence[Sequence]) -> list[str]:
    """Each column's kind from its first non-empty value in ``rows`` (text if it has none)."""
    kinds: list[str | None] = [None] * width
    for row in rows:
        for n, value in enumerate(row[:width]):
            if kinds[n] is None:
                kinds[n] = kind_of(value)
        if all(kinds):
            break
    return [kind or TEXT for kind in kinds]


def percent_text(value) -> str:
    """12,5% (one decimal, Indonesian comma); "-" for nothing to divide by."""
    return cell_text(value, PERCENT)


def cell_text(value, kind: str) -> str:
    """``value`` as a cell of a ``kind`` column: Rp1.500.000, 12,5%, 1.234, 2,75, 3 Mar 2026, text."""
    if value is None or value == "":
        return "-" if kind in NUMERIC else ""
    if isinstance(value, bool):
        return str(value)
    if isinstance(value, int | float | Decimal) and kind in NUMERIC:
        number = Decimal(value) if isinstance(value, int | Decimal) else Decimal(str(value))
        if kind == RUPIAH:
            return rupiah_format(number)
        if kind == PERCENT:
            return format_decimal(number, format="#,##0.0", locale=LOCALE) + "%"
        if kind == NUMBER and number == number.to_integral_value():
            return whole_number_format(int(number))
        return format_decimal(number, format="#,##0.##", locale=LOCALE)
    if isinstance(value, datetime):
        local = timezone.localtime(value) if timezone.is_aware(value) else value
        return formats.date_format(local, "j M Y H:i")
    if isinstance(value, date):
        return formats.date_format(value, "j M Y")
    return str(value)
