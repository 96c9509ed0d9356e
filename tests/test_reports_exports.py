"""Report exports: the PDF, large exports built by a worker and kept for a while, the monthly summary email.

Purchases are built through the services (tests.test_reports.purchase); each figure in a PDF
or an email is recomputed here from the raw rows (budget lines, commitments, paid payments)
and looked for as the report writes it. PDFs are read back with pdftotext (poppler-utils).
"""

import subprocess
from datetime import timedelta
from decimal import Decimal
from io import BytesIO, StringIO

import pytest
from celery.schedules import crontab
from django.core import mail
from django.core.files.storage import default_storage
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone, translation
from django.views import View
from openpyxl import load_workbook

from buyers.models import BuyerProfile
from peken.money import rupiah_format
from procurement.models import BudgetCommitment, BudgetLine, GoodsReceipt, Membership, OfficialPayment
from procurement.statuses import CommitmentStatus, OfficialPaymentStatus, Role
from reports import monthly_summary, services, tasks
from reports.forms import MONTHS
from reports.models import MonthlySummarySent, ReportExport
from reports.statuses import ExportStatus
from reports.tables import cell_text, percent_text
from reports.views import ExportMixin
from tests.procurement_factories import AgencyFactory, BudgetLineFactory, person_with_roles
from tests.test_reports import _counts_for_share, _paid, purchase
from tests.test_reports import world as world  # noqa: PLC0414 (the same world as the report tests)
from tests.test_state_tables import allowed_pairs, literal


def pdf_text(content: bytes, *, page: int | None = None) -> str:
    """The PDF's text as pdftotext lays it out (one page, or all)."""
    pages = ["-f", str(page), "-l", str(page)] if page else []
    result = subprocess.run(
        ["pdftotext", "-layout", *pages, "-", "-"], input=content, capture_output=True, check=True
    )
    return result.stdout.decode("utf-8")


def pdf_pages(content: bytes) -> int:
    return pdf_text(content).count("\f")


def _line_figures(line: BudgetLine) -> dict:
    """A budget line's ceiling, committed, realised, available and percent, summed from the raw rows."""
    paid = [p for p in _paid() if p.requisition.budget_line_id == line.pk]
    live = [c for c in BudgetCommitment.objects.filter(budget_line=line) if c.status == CommitmentStatus.LIVE]
    realised = sum((p.gross for p in paid), Decimal(0))
    committed = sum((c.amount for c in live), Decimal(0))
    return {
        "ceiling": line.ceiling,
        "committed": committed,
        "realised": realised,
        "available": line.ceiling - committed - realised,
        "percent": float(realised) * 100 / float(line.ceiling) if line.ceiling else None,
    }


def _month_name(language: str = "id") -> str:
    with translation.override(language):
        return str(dict(MONTHS)[timezone.localdate().month])


# --- the PDF of a report


def test_the_realisation_pdf_holds_the_figures_of_the_raw_rows(world, client):
    # given two purchases on the agency's line, one paid in full and one paid only to Bu Ani,
    # and the other agency's line for office supplies
    BudgetLine.objects.filter(pk=world.other_line.pk).update(account_code="5.1.02.01.01.0024")
    purchase(world)
    purchase(world, pay=("ani",))
    today = timezone.localdate()
    # when the auditor downloads the realisation report of this month as PDF
    client.force_login(world.auditor)
    response = client.get(reverse("reports:realisation-export", args=["pdf"]), {"bulan": today.month})
    # then it is a PDF named after the report and its year
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert f"realisasi-anggaran-{today.year}.pdf" in response["Content-Disposition"]
    text = pdf_text(response.content)
    # with the city's letterhead, the title, the filter in words and who made it
    assert "PEMERINTAH KOTA PEKEN" in text
    assert "Realisasi anggaran" in text
    for words in (f"Tahun anggaran: {today.year}", f"Bulan: {_month_name()}", "OPD: Semua OPD"):
        assert words in text, words
    assert "Unit: Semua unit" in text and "Skala usaha: Semua skala" in text
    assert f"oleh {world.auditor.get_full_name()}" in text and "Halaman 1 dari 1" in text
    # and each line's figures, summed from the raw rows, written the Indonesian way
    paid_this_month = sum((p.gross for p in _paid() if p.paid_on.month == today.month), Decimal(0))
    for line in BudgetLine.objects.filter(fiscal_year=today.year):
        figures = _line_figures(line)
        row = next(r for r in text.splitlines() if line.account_code in r)
        for name in ("ceiling", "committed", "realised", "available"):
            assert rupiah_format(figures[name]) in row, (name, row)
        assert cell_text(round(figures["percent"], 2), "percent") in row, row
        if line.pk == world.line.pk:
            assert figures["realised"] > 0 and rupiah_format(paid_this_month) in row


def test_the_umkm_pdf_writes_shares_as_percent(world, client):
    # given one purchase paid to a micro business (counts) and a medium one (does not)
    purchase(world)
    client.force_login(world.auditor)
    # when the UMKM share is downloaded as PDF
    text = pdf_text(client.get(reverse("reports:umkm-export", args=["pdf"])).content)
    # then the agency's share of the year, from the raw rows, is on its row as a percentage
    paid = _paid()
    umkm = sum((p.gross for p in paid if _counts_for_share(p.order.seller)), Decimal(0))
    total = sum((p.gross for p in paid), Decimal(0))
    # (a long name wraps in its cell: the row is found by its figures)
    row = next(r for r in text.splitlines() if rupiah_format(total) in r)
    assert world.agency.name.split()[0] in row and rupiah_format(umkm) in row
    assert cell_text(round(float(umkm) * 100 / float(total), 2), "percent") in row
    assert "Porsi belanja UMKM" in text


def test_a_long_pdf_repeats_its_header_and_numbers_its_pages(world, client, settings):
    # given the agency has ninety budget lines, drawn within the request
    settings.PEKEN_REPORT_BACKGROUND_PDF_ROWS = 100
    for n in range(90):
        BudgetLineFactory(
            agency=world.agency, account_code=f"5.1.02.02.01.{n:04d}", ceiling=Decimal(1000 + n)
        )
    client.force_login(world.auditor)
    # when the realisation is downloaded as PDF
    content = client.get(reverse("reports:realisation-export", args=["pdf"])).content
    # then every page has the table's header row and its number of the whole
    pages = pdf_pages(content)
    assert pages >= 2
    for page in range(1, pages + 1):
        text = pdf_text(content, page=page)
        assert "Kode rekening" in text and "Pagu" in text, page
        assert f"Halaman {page} dari {pages}" in text, page
    # and every line is in it once
    text = pdf_text(content)
    assert all(text.count(f"5.1.02.02.01.{n:04d}") == 1 for n in range(90))
    assert "Rp1.089" in text


def test_a_pdf_too_long_is_refused_and_another_format_offered(world, client, settings):
    # given a PDF may hold at most three rows, and four lines of the year
    settings.PEKEN_REPORT_PDF_MAX_ROWS = 3
    for n in range(3):
        BudgetLineFactory(agency=world.agency, account_code=f"5.1.02.99.{n}")
    client.force_login(world.auditor)
    # when the realisation is asked for as PDF
    response = client.get(reverse("reports:realisation-export", args=["pdf"]), follow=True)
    # then the person is told to take CSV or XLSX, and nothing is queued
    assert "Unduh CSV atau XLSX" in response.content.decode()
    assert not ReportExport.objects.exists()


class _Spend(ExportMixin, View):
    """An export view as other reports write one: a name and a table, nothing else."""

    name = "belanja-contoh"

    def table(self):
        rows = [
            [agency.name, Decimal("1500000") * (n + 1), 1234, 2.5] for n, agency in enumerate(self.agencies)
        ]
        return ["OPD", "Belanja", "Pesanan", "Rata-rata hari"], rows


def test_an_export_view_with_only_a_name_and_a_table_gets_its_pdf(world, rf):
    # given a report whose export view names no title and no column kinds
    request = rf.get("/laporan/contoh/unduh.pdf", {"opd": world.agency.code})
    request.user = world.auditor
    # when it is downloaded as PDF
    response = _Spend.as_view()(request, fmt="pdf")
    # then the title comes from its name, the kinds from its values: rupiah, whole number, decimal
    assert response.status_code == 200 and "belanja-contoh-" in response["Content-Disposition"]
    text = pdf_text(response.content)
    assert "Belanja contoh" in text and f"OPD: {world.agency.name}" in text
    row = next(r for r in text.splitlines() if "Rp1.500.000" in r)
    assert "1.234" in row and "2,5" in row
    assert world.agency.name.upper() in text  # the one agency filtered heads the letterhead


# --- large exports in the background


def _ask(client, fmt: str, query=None):
    return client.get(reverse("reports:realisation-export", args=[fmt]), query or {})


@pytest.fixture
def many_lines(world, settings):
    """Six more budget lines of the year; exports of more than three rows go to a worker, two rows a chunk."""
    settings.PEKEN_REPORT_BACKGROUND_ROWS = 3
    settings.PEKEN_REPORT_BACKGROUND_PDF_ROWS = 3
    settings.PEKEN_REPORT_EXPORT_CHUNK_ROWS = 2
    for n in range(6):
        BudgetLineFactory(
            agency=world.agency, account_code=f"5.1.02.01.01.{n:04d}", ceiling=Decimal(5000 + n)
        )
    return BudgetLine.objects.filter(fiscal_year=timezone.localdate().year).count()


def test_a_large_export_is_built_by_a_worker_with_its_progress(
    world, client, settings, many_lines, django_capture_on_commit_callbacks
):
    purchase(world)
    client.force_login(world.auditor)
    # when the auditor asks for the CSV of more rows than the threshold
    with CaptureQueriesContext(connection) as queries, django_capture_on_commit_callbacks(execute=True):
        response = _ask(client, "csv", {"bulan": timezone.localdate().month})
    # then they are sent to their downloads, and the worker built the whole file
    assert response.status_code == 302 and response.url == reverse("reports:exports")
    export = ReportExport.objects.get()
    assert (export.requested_by, export.status) == (world.auditor, ExportStatus.DONE)
    assert export.done == export.total == many_lines
    # counting its progress chunk by chunk (two rows at a time)
    progress = [
        q["sql"] for q in queries.captured_queries if q["sql"].startswith('UPDATE "reports_reportexport"')
    ]
    assert sum('SET "done"' in sql for sql in progress) >= many_lines // 2
    # and the status the bar reads says it is finished
    status = client.get(reverse("reports:export-status", args=[export.pk])).json()
    assert status == {
        "status": ExportStatus.DONE,
        "status_label": "Siap diunduh",
        "rows_done": many_lines,
        "rows_total": many_lines,
        "percent": 100,
        "finished": True,
    }
    # the list shows it with its download link and the filter it was made with
    page = client.get(reverse("reports:exports")).content.decode()
    assert reverse("reports:export-download", args=[export.pk]) in page
    assert f"Bulan: {_month_name()}" in page
    # and the file is exactly the CSV the request itself would have written
    download = client.get(reverse("reports:export-download", args=[export.pk]))
    assert download.status_code == 200 and download["Content-Type"].startswith("text/csv")
    content = b"".join(download.streaming_content)
    settings.PEKEN_REPORT_BACKGROUND_ROWS = 10**6
    direct = _ask(client, "csv", {"bulan": timezone.localdate().month})
    assert content == direct.content
    lines = content.decode("utf-8-sig").splitlines()
    assert len(lines) == many_lines + 1
    line = BudgetLine.objects.get(pk=world.line.pk)
    assert any(str(_line_figures(line)["realised"]) in row for row in lines if line.account_code in row)


def test_a_large_xlsx_and_pdf_are_built_by_the_worker_too(
    world, client, many_lines, django_capture_on_commit_callbacks
):
    client.force_login(world.pa)
    with django_capture_on_commit_callbacks(execute=True):
        assert _ask(client, "xlsx").status_code == 302
        assert _ask(client, "pdf").status_code == 302
    xlsx, pdf = ReportExport.objects.order_by("pk")
    assert xlsx.status == pdf.status == ExportStatus.DONE
    download = client.get(reverse("reports:export-download", args=[xlsx.pk]))
    sheet = load_workbook(BytesIO(b"".join(download.streaming_content))).active
    rows = list(sheet.iter_rows(values_only=True))
    # the PA's own agency's lines, as the report shows them to the PA
    own = BudgetLine.objects.filter(agency=world.agency)
    assert rows[0][0] == "OPD" and sheet.freeze_panes == "A2"
    assert sorted(r[3] for r in rows[1:]) == sorted(line.account_code for line in own)
    assert [r[5] for r in rows[1:] if r[3] == world.line.account_code] == [world.line.ceiling]
    text = pdf_text(b"".join(client.get(reverse("reports:export-download", args=[pdf.pk])).streaming_content))
    # the PA reads one agency: it heads the letterhead
    assert world.agency.name.upper() in text and "Halaman 1 dari" in text
    assert all(line.account_code in text for line in own) and world.other.name not in text


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_a_background_file_cannot_run_a_formula(
    world, client, many_lines, fmt, django_capture_on_commit_callbacks
):
    # given a budget line whose description is a spreadsheet formula
    BudgetLine.objects.filter(pk=world.line.pk).update(description='=HYPERLINK("http://jahat.example","x")')
    client.force_login(world.auditor)
    # when its export is built by the worker
    with django_capture_on_commit_callbacks(execute=True):
        _ask(client, fmt)
    export = ReportExport.objects.get()
    content = b"".join(client.get(reverse("reports:export-download", args=[export.pk])).streaming_content)
    # then the cell is the text it was, behind a quote, in either format
    if fmt == "csv":
        assert "'=HYPERLINK(" in content.decode("utf-8-sig") and ",=HYPERLINK" not in content.decode(
            "utf-8-sig"
        )
    else:
        cells = [c for row in load_workbook(BytesIO(content)).active.iter_rows() for c in row]
        hostile = [c for c in cells if "HYPERLINK" in str(c.value)]
        assert [(c.value[:11], c.data_type) for c in hostile] == [("'=HYPERLINK", "s")]


def test_the_downloads_page_takes_the_same_queries_for_more_exports(
    world, client, many_lines, django_assert_max_num_queries
):
    client.force_login(world.auditor)
    for fmt in ("csv", "xlsx", "pdf"):
        _ask(client, fmt)
    with CaptureQueriesContext(connection) as three:
        assert client.get(reverse("reports:exports")).status_code == 200
    three = len(three.captured_queries)  # counted now: the next request clears Django's query log
    for fmt in ("csv", "xlsx", "pdf"):
        _ask(client, fmt, {"bulan": 1})
    with django_assert_max_num_queries(three):
        page = client.get(reverse("reports:exports"))
    assert page.content.decode().count("data-import-status-url") == 6


def test_asking_again_while_it_is_built_returns_the_same_export(world, client, many_lines):
    client.force_login(world.auditor)
    # given an export queued and not yet built (the worker has not run: nothing was committed)
    _ask(client, "csv")
    _ask(client, "csv")
    # then the second request found the first
    assert ReportExport.objects.get().status == ExportStatus.QUEUED


def test_only_the_owner_sees_or_downloads_an_export(
    world, client, many_lines, django_capture_on_commit_callbacks
):
    # given the auditor's finished export
    client.force_login(world.auditor)
    with django_capture_on_commit_callbacks(execute=True):
        _ask(client, "csv")
    export = ReportExport.objects.get()
    # when the agency's PA, who reads the same agency, tries its status, its file and the list
    client.force_login(world.pa)
    # then neither the status nor the file is theirs, and their list does not show it
    assert client.get(reverse("reports:export-status", args=[export.pk])).status_code == 404
    assert client.get(reverse("reports:export-download", args=[export.pk])).status_code == 404
    assert (
        reverse("reports:export-download", args=[export.pk])
        not in client.get(reverse("reports:exports")).content.decode()
    )


def test_the_worker_applies_the_access_rule_when_it_runs(
    world, client, many_lines, django_capture_on_commit_callbacks
):
    # given the PA asked for a large export, and lost their role before the worker ran
    client.force_login(world.pa)
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        _ask(client, "csv")
    Membership.objects.filter(user=world.pa, role=Role.BUDGET_HOLDER).delete()
    # when the worker runs
    for callback in callbacks:
        callback()
    # then the export failed, saying why, and has no file
    export = ReportExport.objects.get()
    assert export.status == ExportStatus.FAILED and not export.file
    assert export.error == "Anda tidak lagi dapat membaca laporan ini."


def test_expired_exports_are_swept_with_their_files(
    world, client, many_lines, django_capture_on_commit_callbacks
):
    # given two finished exports, one of them past its keeping time
    client.force_login(world.auditor)
    with django_capture_on_commit_callbacks(execute=True):
        _ask(client, "csv")
        _ask(client, "xlsx")
    old, kept = ReportExport.objects.order_by("pk")
    assert default_storage.exists(old.file.name) and kept.expires_at > timezone.now() + timedelta(days=6)
    ReportExport.objects.filter(pk=old.pk).update(expires_at=timezone.now() - timedelta(minutes=1))
    # when the hourly sweep runs (as beat schedules it)
    assert tasks.report_exports_sweep.delay().get() == 1
    # then the expired one and its file are gone, the other is kept
    assert list(ReportExport.objects.all()) == [kept]
    assert not default_storage.exists(old.file.name) and default_storage.exists(kept.file.name)
    assert client.get(reverse("reports:export-download", args=[old.pk])).status_code == 404


def test_the_beat_schedule_runs_the_sweep_and_the_monthly_summary(settings):
    schedule = settings.CELERY_BEAT_SCHEDULE
    assert schedule["reports-exports-sweep"]["task"] == "reports.tasks.report_exports_sweep"
    summary = schedule["reports-monthly-summary"]
    assert summary["task"] == "reports.tasks.monthly_summaries_send"
    assert isinstance(summary["schedule"], crontab) and summary["schedule"].day_of_month == {1}


EXPORT_MOVES = {
    (ExportStatus.QUEUED, ExportStatus.RUNNING),
    (ExportStatus.QUEUED, ExportStatus.FAILED),
    (ExportStatus.RUNNING, ExportStatus.DONE),
    (ExportStatus.RUNNING, ExportStatus.FAILED),
}


def test_the_export_table_allows_exactly_these_moves(world):
    # given an export, in each status in turn
    export = ReportExport.objects.create(
        requested_by=world.auditor,
        url_name="reports:realisation-export",
        url_kwargs={"fmt": "csv"},
        fmt="csv",
        title="Realisasi anggaran",
        file_name="realisasi.csv",
        expires_at=timezone.now() + timedelta(days=1),
    )

    def attempt(old, new):
        export.status = old
        try:
            services._export_move(export, to=new)
        except services.ReportExportError:
            return False
        assert ReportExport.objects.get(pk=export.pk).status == new
        return True

    # when every (from, to) pair is tried through the one function that moves an export
    allowed = allowed_pairs(ExportStatus, ExportStatus, attempt)
    # then exactly the moves written above are allowed
    assert allowed == literal(EXPORT_MOVES)


# --- the monthly summary email


@pytest.fixture
def summary_world(world):
    """Two agencies: the world's (its PA reads Indonesian) and one whose PA reads English; the auditor."""
    purchase(world)
    purchase(world, pay=("ani",))
    world.english_pa = person_with_roles(
        agency=world.other, roles=[Role.BUDGET_HOLDER], email="pa@example.com"
    )
    BuyerProfile.objects.create(user=world.english_pa, language="en")
    # a payment entered before its handover: the red flag "paid before receipt"
    first = OfficialPayment.objects.filter(status=OfficialPaymentStatus.PAID).order_by("pk").first()
    GoodsReceipt.objects.filter(order=first.order).update(received_on=first.paid_on + timedelta(days=1))
    return world


def _summary_of(message) -> tuple[str, str]:
    html = next(content for content, kind in message.alternatives if kind == "text/html")
    return message.body, html


def test_each_pa_and_the_auditor_get_their_months_figures_in_their_language(summary_world):
    world = summary_world
    today = timezone.localdate()
    # when the summary of this month is sent
    sent = monthly_summary.monthly_summaries_send(year=today.year, month=today.month)
    # then exactly the PA/KPA of each agency and the city's auditor got one each
    by_recipient = {message.to[0]: message for message in mail.outbox}
    assert sent == 3 and set(by_recipient) == {world.pa.email, world.english_pa.email, world.auditor.email}
    # the agency's PA: its figures from the raw rows, in Indonesian
    pa = by_recipient[world.pa.email]
    assert pa.subject == f"Ringkasan belanja {_month_name()} {today.year}: {world.agency.name}"
    text, html = _summary_of(pa)
    paid = _paid()
    figures = _line_figures(BudgetLine.objects.get(pk=world.line.pk))
    umkm = sum((p.gross for p in paid if _counts_for_share(p.order.seller)), Decimal(0))
    total = sum((p.gross for p in paid), Decimal(0))
    for part in (text, html):
        assert rupiah_format(figures["ceiling"]) in part and rupiah_format(figures["realised"]) in part
        assert rupiah_format(figures["committed"]) in part and percent_text(figures["percent"]) in part
        assert percent_text(float(umkm) * 100 / float(total)) in part
        assert f"{rupiah_format(umkm)} / {rupiah_format(total)}" in part
        assert "Dibayar sebelum serah terima: 1" in part
        assert (
            f"/laporan/?tahun={today.year}&amp;bulan={today.month}&amp;opd={world.agency.code}" in part
            or (f"/laporan/?tahun={today.year}&bulan={today.month}&opd={world.agency.code}" in part)
        )
    assert '<html lang="id">' in html
    # the other agency's PA: their agency's (nothing paid), written under English
    english = by_recipient[world.english_pa.email]
    text, html = _summary_of(english)
    assert world.other.name in english.subject and _month_name("en") in english.subject
    assert '<html lang="en">' in html and _month_name("en") in text
    assert rupiah_format(world.other_line.ceiling) in text and "Rp0" in text
    # the auditor: the city's totals over every agency
    city_text, _html = _summary_of(by_recipient[world.auditor.email])
    ceilings = sum((line.ceiling for line in BudgetLine.objects.filter(fiscal_year=today.year)), Decimal(0))
    assert "Pemerintah Kota Peken" in by_recipient[world.auditor.email].subject
    assert rupiah_format(ceilings) in city_text and rupiah_format(total) in city_text


def test_the_summary_is_sent_once_per_person_and_month(summary_world):
    today = timezone.localdate()
    # given the month's summaries went out
    assert monthly_summary.monthly_summaries_send(year=today.year, month=today.month) == 3
    # when the beat fires again, and the command is run for the same month
    assert tasks.monthly_summaries_send.delay(today.year, today.month).get() == 0
    call_command("reports_monthly_summary", bulan=f"{today.year}-{today.month:02d}", stdout=StringIO())
    # then nobody got a second email, and each is logged once in their language
    assert len(mail.outbox) == 3
    logged = set(MonthlySummarySent.objects.values_list("user__email", "agency_id", "language"))
    assert logged == {
        (summary_world.pa.email, summary_world.agency.pk, "id"),
        (summary_world.english_pa.email, summary_world.other.pk, "en"),
        (summary_world.auditor.email, None, "id"),
    }


def test_a_summary_that_fails_to_send_is_sent_by_the_next_run(summary_world, monkeypatch):
    today = timezone.localdate()
    sends = []
    original = mail.EmailMultiAlternatives.send

    def flaky(message, *args, **kwargs):
        sends.append(message.to[0])
        if len(sends) == 2:
            raise OSError("smtp down")
        return original(message, *args, **kwargs)

    # given the mail server fails on the second email
    monkeypatch.setattr(mail.EmailMultiAlternatives, "send", flaky)
    with pytest.raises(OSError):
        monthly_summary.monthly_summaries_send(year=today.year, month=today.month)
    assert MonthlySummarySent.objects.count() == 1 and len(mail.outbox) == 1
    # when the task runs again, then the two not yet sent go out, and the first not again
    assert monthly_summary.monthly_summaries_send(year=today.year, month=today.month) == 2
    assert sorted(m.to[0] for m in mail.outbox) == sorted(set(sends))


def test_the_summary_figures_take_the_same_queries_for_more_agencies(summary_world):
    today = timezone.localdate()
    with CaptureQueriesContext(connection) as few:
        monthly_summary.monthly_figures(year=today.year, month=today.month)
    for n in range(5):
        BudgetLineFactory(agency=AgencyFactory(name=f"Dinas Tambahan {n}", code=f"tambah-{n}"))
    with CaptureQueriesContext(connection) as more:
        summaries, _city = monthly_summary.monthly_figures(year=today.year, month=today.month)
    assert len(summaries) == 7 and len(more.captured_queries) == len(few.captured_queries) <= 12


def test_a_month_without_recipients_or_figures_sends_nothing(db):
    assert monthly_summary.monthly_summaries_send(year=2026, month=1) == 0
    assert monthly_summary.last_month(timezone.localdate().replace(month=1, day=15)) == (
        timezone.localdate().year - 1,
        12,
    )
