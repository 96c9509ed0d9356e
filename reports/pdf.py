"""A report's table as a landscape A4 PDF: the city's letterhead, the title, the filter in words, who
made it and when, the rows with their figures written the Indonesian way, and "Halaman X dari Y".

WeasyPrint lays the table out and repeats its header row on every page. As for the official
documents (procurement/documents_pdf.py) nothing is fetched from outside while drawing. The
labels are in the reader's language; rupiah and percentages are written as Indonesians write
them (reports.tables.cell_text).
"""

from collections.abc import Sequence

import weasyprint
from django.conf import settings
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.html import escape
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from weasyprint.urls import URLFetcher

from peken.exports import Progress
from reports.tables import NUMERIC, ExportTable, cell_text, kinds_read


def _page_label_css() -> str:
    """ "Halaman X dari Y" in the reader's language as a CSS ``content`` value of the page counters."""
    text = _("Halaman %(number)s dari %(total)s")
    text = "".join(c for c in text if c not in '"\\<>')  # a CSS string inside <style>
    text = text.replace("%(number)s", '" counter(page) "').replace("%(total)s", '" counter(pages) "')
    return f'"{text}"'


def table_body(
    *, rows: Sequence[Sequence], kinds: Sequence[str], progress: Progress | None = None, every: int = 1000
) -> str:
    """The <tbody> rows as HTML, every cell escaped; ``progress(done)`` after every ``every`` rows."""
    width = len(kinds)
    classes = [' class="num"' if kind in NUMERIC else "" for kind in kinds]
    out = []
    for done, row in enumerate(rows, start=1):
        cells = (f"<td{classes[n]}>{escape(cell_text(v, kinds[n]))}</td>" for n, v in enumerate(row[:width]))
        out.append("<tr>" + "".join(cells) + "</tr>")
        if progress is not None and done % every == 0:
            progress(done)
    return "\n".join(out)


def report_pdf(
    *,
    table: ExportTable,
    header: Sequence[str],
    rows: Sequence[Sequence],
    progress: Progress | None = None,
    every: int = 1000,
) -> bytes:
    """The PDF of ``table`` with these ``header`` labels and ``rows``.

    The columns' kinds are the table's, else read from the rows. ``progress(done)`` is called as
    rows are written into the page, and with every row before WeasyPrint lays the pages out.
    """
    kinds = list(table.kinds) if table.kinds else kinds_read(width=len(header), rows=rows)
    body = table_body(rows=rows, kinds=kinds, progress=progress, every=every)
    if progress is not None:
        progress(len(rows))
    html = render_to_string(
        "reports/pdf/report.html",
        {
            "title": table.title,
            "filter_words": table.filter_words,
            "header": [(label, kinds[n] in NUMERIC) for n, label in enumerate(header)],
            "body": mark_safe(body),  # noqa: S308 (every cell escaped in table_body)
            "count": len(rows),
            "city": settings.PEKEN_CITY_NAME,
            "agency": table.agency,
            "made_at": timezone.localtime(table.made_at),
            "made_by": table.made_by,
            "page_label": mark_safe(_page_label_css()),  # noqa: S308 (a CSS string without quotes or tags)
        },
    )
    return weasyprint.HTML(string=html, url_fetcher=URLFetcher(allowed_protocols={"data"})).write_pdf()
