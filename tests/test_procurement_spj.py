"""The treasurer's month: reconciliation flags, the Coretax (BPPU) XLSX, the SPJ ZIP and who may read them.

Data is built through the services (receipt, payment, deposit); what the services can never
make (a payment with nothing received, a deposit that does not add up) by editing rows. The
documents are OfficialDocument rows written here with small fake PDFs, so these tests do not
depend on the document service.
"""

import csv
import hashlib
import io
import zipfile
from datetime import date, datetime, timedelta
from decimal import Decimal
from itertools import product as pairs

import pytest
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from procurement.models import AuditEntry, GoodsReceiptLine, OfficialDocument, SpjBundle, TaxDeposit
from procurement.selectors_spj import CORETAX_HEADER, Period, reconciliation
from procurement.services import (
    ReceivedLine,
    goods_receipt_record,
    official_payment_record,
    tax_deposit_record,
)
from procurement.services import spj as spj_services
from procurement.statuses import BundleStatus, DocumentKind, PaymentMethod, Role
from procurement.tax import TaxKind
from tests.factories import UserFactory
from tests.fulfilment_world import delivered, fulfilment_world
from tests.procurement_factories import AgencyFactory, person_with_roles

TODAY = timezone.localdate()
LAST_MONTH = Period.parse(None, today=TODAY).previous
RECEIVED_ON = LAST_MONTH.start + timedelta(days=4)
PAID_ON = LAST_MONTH.start + timedelta(days=19)


@pytest.fixture
def world(db, indonesia, settings):
    settings.PEKEN_OFFICIAL_SELLER_CAP = 10**12
    settings.PEKEN_UNPAID_AFTER_RECEIPT_DAYS = 14
    world = fulfilment_world()
    world.purchase = delivered(world)
    world.ani_order = world.purchase.orders[world.ani.pk]
    world.darto_order = world.purchase.orders[world.darto.pk]
    return world


def _receive_all(world, order, on=RECEIVED_ON):
    return goods_receipt_record(
        order=order,
        actor=world.ppk,
        received_on=on,
        lines={
            line.pk: ReceivedLine(received=line.quantity, accepted=line.quantity)
            for line in order.lines.all()
        },
    )


def _pay_ani_by_ls(world, sp2d_number="SP2D-0042/LS/2026"):
    _receive_all(world, world.ani_order)
    return official_payment_record(
        order=world.ani_order,
        actor=world.treasurer,
        method=PaymentMethod.LS,
        paid_on=PAID_ON,
        sp2d_number=sp2d_number,
        sp2d_date=PAID_ON,
    )


def _document(*, kind, order, seq, receipt=None, payment=None):
    """An issued document as the document service stores it, with a small fake PDF and its hash."""
    content = f"%PDF-1.4 Peken uji {kind} {seq}\n%%EOF".encode()
    requisition = (payment or receipt).requisition
    agency = requisition.agency
    return OfficialDocument.objects.create(
        kind=kind,
        number=f"{kind.upper()}/{seq}/{agency.code}/{TODAY.year}",
        agency=agency,
        year=TODAY.year,
        seq=seq,
        code=f"uji{kind}{seq}",
        requisition=requisition,
        order=order,
        receipt=receipt,
        payment=payment,
        seller_name=order.seller.name,
        total=Decimal("100000"),
        content=content,
        sha256=hashlib.sha256(content).hexdigest(),
        date_issued=timezone.now(),
    )


# --- reconciliation


def test_the_month_lists_everything_and_flags_unpaid_undeposited_and_a_wrong_deposit(world):
    # given both orders received last month, Ani's paid by LS and its PPh 22 deposited, Darto's not paid
    payment = _pay_ani_by_ls(world)
    _receive_all(world, world.darto_order)
    pph22 = payment.withholdings.get(tax=TaxKind.PPH22)
    ppn = payment.withholdings.get(tax=TaxKind.PPN)
    deposit = tax_deposit_record(
        agency=world.agency,
        actor=world.treasurer,
        tax=TaxKind.PPH22,
        period_year=LAST_MONTH.year,
        period_month=LAST_MONTH.month,
        billing_code="123456789012345",
        ntpn="NTPN0000AAAA1111",
        deposited_on=TODAY,
        withholding_ids=[pph22.pk],
    )
    # when last month is reconciled today
    rec = reconciliation(agency=world.agency, period=LAST_MONTH, today=TODAY)
    # then every BAST, payment, withholding and deposit is listed
    assert [r.order_id for r in rec.receipts] == sorted([world.ani_order.pk, world.darto_order.pk])
    assert [p.pk for p in rec.payments] == [payment.pk]
    assert {w.pk for w in rec.withholdings} == {pph22.pk, ppn.pk}
    assert [d.pk for d in rec.deposits] == [deposit.pk] and rec.deposits[0].withheld == pph22.amount
    assert rec.totals == {
        "count": 1,
        "gross": payment.gross,
        "withheld": payment.withheld,
        "net": payment.net,
    }
    # and Darto's order is received but unpaid past 14 days, the PPN is withheld but not deposited
    assert [row["order__number"] for row in rec.unpaid] == [world.darto_order.number]
    assert rec.unpaid[0]["days"] == (TODAY - RECEIVED_ON).days
    assert [w.pk for w in rec.undeposited] == [ppn.pk]
    assert rec.paid_unreceived == [] and rec.deposit_mismatches == []
    assert rec.problems == 2

    # when a deposit's amount no longer matches its withholdings (edited by hand)
    TaxDeposit.objects.filter(pk=deposit.pk).update(amount=pph22.amount + 1)
    rec = reconciliation(agency=world.agency, period=LAST_MONTH, today=TODAY)
    # then it is flagged
    assert [d.pk for d in rec.deposit_mismatches] == [deposit.pk]


def test_a_payment_with_nothing_accepted_is_flagged_paid_but_not_received(world):
    # given Ani's order paid, then its receipt lines edited to nothing accepted (never through a service)
    payment = _pay_ani_by_ls(world)
    assert reconciliation(agency=world.agency, period=LAST_MONTH, today=TODAY).paid_unreceived == []
    GoodsReceiptLine.objects.filter(receipt__order=world.ani_order).update(quantity_accepted=0)
    # when the month is reconciled
    rec = reconciliation(agency=world.agency, period=LAST_MONTH, today=TODAY)
    # then the payment is flagged
    assert [p.pk for p in rec.paid_unreceived] == [payment.pk]


def test_a_month_not_yet_ended_and_a_recent_receipt_are_not_flagged(world, settings):
    # given Darto's order received on a day, reconciled while its month is still running
    _receive_all(world, world.darto_order)
    payment = _pay_ani_by_ls(world)
    inside = LAST_MONTH.end - timedelta(days=1)
    # when reconciled on the month's last day with a setting longer than the days gone by
    settings.PEKEN_UNPAID_AFTER_RECEIPT_DAYS = (inside - RECEIVED_ON).days
    rec = reconciliation(agency=world.agency, period=LAST_MONTH, today=inside)
    # then nothing is overdue yet: not the payment-less order, not the undeposited taxes
    assert rec.unpaid == [] and rec.undeposited == []
    assert payment.withholdings.filter(deposit__isnull=True).count() == 2
    # and one day later the order is
    settings.PEKEN_UNPAID_AFTER_RECEIPT_DAYS -= 1
    rec = reconciliation(agency=world.agency, period=LAST_MONTH, today=inside)
    assert [row["order__number"] for row in rec.unpaid] == [world.darto_order.number]


def test_the_page_shows_the_flags_to_the_treasurer(world, client):
    # given the month of the first test
    _pay_ani_by_ls(world)
    _receive_all(world, world.darto_order)
    client.force_login(world.treasurer)
    # when the treasurer opens last month's reconciliation
    url = reverse("procurement:spj-reconciliation", kwargs={"code": world.agency.code})
    response = client.get(url, {"bulan": LAST_MONTH.key})
    # then the unpaid order and the undeposited taxes are flagged, in tables that stack on a phone
    assert response.status_code == 200
    body = response.content.decode()
    assert 'data-flag="unpaid"' in body and 'data-flag="undeposited"' in body
    assert 'data-flag="paid-unreceived"' not in body
    assert world.darto_order.number in body and "table-stack" in body
    assert 'data-problems="3"' in body  # the unpaid order, the PPN and the PPh 22


# --- Coretax


def _coretax(client, world, period=LAST_MONTH):
    url = reverse("procurement:spj-coretax", kwargs={"code": world.agency.code})
    response = client.get(url, {"bulan": period.key})
    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(response.content)).active
    return [[cell.value for cell in row] for row in sheet.iter_rows()]


def test_coretax_rows_have_the_converter_columns_and_values(world, client):
    # given Ani (PKP, NPWP) paid by LS: PPN collected and PPh 22 withheld
    payment = _pay_ani_by_ls(world)
    pph22 = payment.withholdings.get(tax=TaxKind.PPH22)
    # and Darto, an individual with a valid PP 55 certificate and only a NIK, paid from the cash advance
    world.darto.pp55_number, world.darto.pp55_valid_until = "KET-00123/PP55/2026", TODAY + timedelta(days=365)
    world.darto.ktp_number = "3578010101900001"
    world.darto.save(update_fields=["pp55_number", "pp55_valid_until", "ktp_number"])
    # (Darto's order of a second purchase, which also buys from Ani)
    second = delivered(world, items=[(world.nasi, 40), (world.minyak, 1)])
    darto_order = second.orders[world.darto.pk]
    _receive_all(world, darto_order)
    darto_payment = official_payment_record(
        order=darto_order,
        actor=world.treasurer,
        method=PaymentMethod.UP_TRANSFER,
        paid_on=PAID_ON,
        bank_reference="TRX-77",
    )
    pp55 = darto_payment.withholdings.get(tax=TaxKind.PP55)
    # and a kuitansi issued for Darto's payment, and the agency's NITKU as a withholder
    kuitansi = _document(kind=DocumentKind.KUITANSI, order=darto_order, seq=1, payment=darto_payment)
    world.agency.nitku = "0017234586090000000001"
    world.agency.save(update_fields=["nitku"])
    client.force_login(world.treasurer)
    # when the month's Coretax file is downloaded
    rows = _coretax(client, world)
    # then its header is the converter's, in order, and the PPN is not there
    assert tuple(rows[0]) == CORETAX_HEADER
    assert len(rows) == 3
    by_code = {row[5]: row for row in rows[1:]}
    ani_placed = timezone.localdate(world.ani_order.date_placed)
    assert by_code["22-910-01"] == [
        LAST_MONTH.month,
        LAST_MONTH.year,
        "0123456789012345",
        "0123456789012345000000",
        "N/A",
        "22-910-01",
        int(pph22.base),
        1.5,
        "CommercialInvoice",
        world.ani_order.number,
        datetime(ani_placed.year, ani_placed.month, ani_placed.day),
        "0017234586090000000001",
        "Direct",
        "SP2D-0042/LS/2026",
        datetime(PAID_ON.year, PAID_ON.month, PAID_ON.day),
    ]
    darto = by_code["28-423-01"]
    assert darto[2:5] == ["3578010101900001", "3578010101900001000000", "PP23"]
    assert darto[6:10] == [int(pp55.base), 0.5, "PaymentProof", kuitansi.number]
    assert darto[12:14] == ["Imprest", None]


def test_coretax_cells_cannot_run_as_formulas(world, client):
    # given an SP2D number typed in that looks like a formula
    _pay_ani_by_ls(world, sp2d_number='=HYPERLINK("http://x")')
    client.force_login(world.treasurer)
    # when the file is read back
    rows = _coretax(client, world)
    # then the cell is the text it was, and no cell anywhere is a formula
    assert rows[1][13] == '\'=HYPERLINK("http://x")'
    assert not any(isinstance(v, str) and v.startswith("=") for row in rows for v in row)


# --- the SPJ bundle


def _paid_with_documents(world):
    payment = _pay_ani_by_ls(world)
    receipt = world.ani_order.goods_receipts.get()
    documents = [
        _document(kind=DocumentKind.KUITANSI, order=world.ani_order, seq=1, payment=payment),
        _document(kind=DocumentKind.BAST, order=world.ani_order, seq=1, receipt=receipt),
        _document(kind=DocumentKind.TAX_SUMMARY, order=world.ani_order, seq=1, payment=payment),
    ]
    return payment, documents


def _csv(archive, name):
    text = archive.read(name).decode("utf-8-sig")
    return list(csv.reader(io.StringIO(text)))


def test_a_month_bundle_holds_every_document_and_the_index(world):
    # given a paid order with three documents
    payment, documents = _paid_with_documents(world)
    # when the treasurer asks for last month's SPJ (small: built at once)
    bundle = spj_services.spj_bundle_request(agency=world.agency, actor=world.treasurer, period=LAST_MONTH)
    # then it is done, with every PDF in its order's folder, named after its number
    assert bundle.status == BundleStatus.DONE and bundle.done == bundle.total == 3
    archive = zipfile.ZipFile(io.BytesIO(bytes(bundle.content)))
    folder = world.ani_order.number
    for document in documents:
        name = f"{folder}/{document.number.replace('/', '-')}.pdf"
        assert archive.read(name) == bytes(document.content)
    # and the index as CSV and XLSX: one payment, its two taxes, three documents with their hashes
    payments = _csv(archive, "indeks-pembayaran.csv")
    assert payments[1] == [
        folder,
        world.ani.name,
        str(PaymentMethod.LS.label),
        str(PAID_ON),
        str(payment.gross),
        str(payment.withheld),
        str(payment.net),
    ]
    taxes = _csv(archive, "indeks-pajak.csv")
    assert sorted(row[2] for row in taxes[1:]) == ["", "22-910-01"]  # PPN has no object code
    assert {row[5] for row in taxes[1:]} == {str(w.amount) for w in payment.withholdings.all()}
    docs = _csv(archive, "indeks-dokumen.csv")
    assert {(row[2], row[4]) for row in docs[1:]} == {(d.number, d.sha256) for d in documents}
    book = load_workbook(io.BytesIO(archive.read("indeks.xlsx")))
    assert book.sheetnames == ["Pembayaran", "Pajak", "Dokumen"]
    assert [book[name].max_row for name in book.sheetnames] == [2, 3, 4]
    assert book["Pembayaran"]["E2"].value == int(payment.gross)
    # and the request is in the audit trail
    entry = AuditEntry.objects.get(action="spj.request")
    assert entry.object_id == str(bundle.pk) and entry.after["period"] == LAST_MONTH.key


def test_a_requisition_bundle_holds_that_requisitions_documents(world):
    # given the paid order's documents, and another agency's document that must stay out
    _payment, documents = _paid_with_documents(world)
    # when its requisition's SPJ is asked for
    bundle = spj_services.spj_bundle_request(
        agency=world.agency, actor=world.treasurer, requisition=world.purchase.requisition
    )
    # then it holds those documents and the three index files
    archive = zipfile.ZipFile(io.BytesIO(bytes(bundle.content)))
    pdfs = [name for name in archive.namelist() if name.endswith(".pdf")]
    assert len(pdfs) == len(documents) == 3
    assert {"indeks-pembayaran.csv", "indeks-pajak.csv", "indeks-dokumen.csv", "indeks.xlsx"} <= set(
        archive.namelist()
    )
    assert bundle.file_name == f"spj-{world.agency.code}-{world.purchase.requisition.reference}.zip"


def test_a_large_month_is_built_by_a_worker_queued_running_done(
    world, settings, monkeypatch, client, django_capture_on_commit_callbacks
):
    # given more documents than the background setting
    settings.PEKEN_SPJ_BACKGROUND_DOCUMENTS = 2
    _paid_with_documents(world)
    moves = []
    original = spj_services._bundle_move

    def recorded(bundle, *, to, **fields):
        moves.append((bundle.status, to))
        original(bundle, to=to, **fields)

    monkeypatch.setattr(spj_services, "_bundle_move", recorded)
    client.force_login(world.treasurer)
    url = reverse("procurement:spj-bundles", kwargs={"code": world.agency.code})
    # when the treasurer asks for the month and the transaction commits (tasks run inline in tests)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url, {"bulan": LAST_MONTH.key})
    bundle = SpjBundle.objects.get()
    # then the page of the bundle is where the treasurer goes, and the worker took it through its statuses
    assert response.status_code == 302
    assert response.url == reverse(
        "procurement:spj-bundle", kwargs={"code": world.agency.code, "pk": bundle.pk}
    )
    assert moves == [(BundleStatus.QUEUED, BundleStatus.RUNNING), (BundleStatus.RUNNING, BundleStatus.DONE)]
    assert bundle.status == BundleStatus.DONE and bundle.done == bundle.total == 3
    # and the page shows the download link, the status endpoint says finished
    page = client.get(response.url).content.decode()
    assert "data-download" in page and "import-progress.js" in page
    status = client.get(
        reverse("procurement:spj-bundle-status", kwargs={"code": world.agency.code, "pk": bundle.pk})
    )
    assert status.json() == {
        "status": BundleStatus.DONE,
        "status_label": str(BundleStatus.DONE.label),
        "rows_done": 3,
        "rows_total": 3,
        "percent": 100,
        "finished": True,
    }
    download = client.get(
        reverse("procurement:spj-bundle-download", kwargs={"code": world.agency.code, "pk": bundle.pk})
    )
    assert download["Content-Type"] == "application/zip"
    assert len(zipfile.ZipFile(io.BytesIO(download.content)).namelist()) == 7


def test_building_again_is_harmless_and_a_dead_workers_bundle_is_rebuilt(world, settings, client):
    # given a queued bundle of a large month
    settings.PEKEN_SPJ_BACKGROUND_DOCUMENTS = 0
    _paid_with_documents(world)
    bundle = spj_services.spj_bundle_request(agency=world.agency, actor=world.treasurer, period=LAST_MONTH)
    assert bundle.status == BundleStatus.QUEUED
    # its page polls for progress (or reloads itself without JavaScript) and offers no download yet
    client.force_login(world.pa)
    page = client.get(reverse("procurement:spj-bundle", kwargs={"code": world.agency.code, "pk": bundle.pk}))
    body = page.content.decode()
    assert 'data-import-finished="0"' in body and 'http-equiv="refresh"' in body
    assert "data-download" not in body
    # when asked for again while it waits, then it is the same bundle
    again = spj_services.spj_bundle_request(agency=world.agency, actor=world.treasurer, period=LAST_MONTH)
    assert again.pk == bundle.pk and SpjBundle.objects.count() == 1
    # when a worker died after starting it (running, half done) and the task is delivered again
    SpjBundle.objects.filter(pk=bundle.pk).update(status=BundleStatus.RUNNING, done=1)
    built = spj_services.spj_bundle_build(bundle_id=bundle.pk)
    # then it is built from the start, and building a finished bundle changes nothing
    assert built.status == BundleStatus.DONE and built.done == built.total == 3
    finished_at = built.date_done
    assert spj_services.spj_bundle_build(bundle_id=bundle.pk).date_done == finished_at


def test_a_bundle_that_cannot_be_built_fails_and_says_so(world, monkeypatch, client):
    # given a build that breaks half-way (a document unreadable, say)
    _paid_with_documents(world)

    def broken(bundle):
        raise OSError("disk full")

    monkeypatch.setattr(spj_services, "_zip_build", broken)
    # when the month is asked for
    bundle = spj_services.spj_bundle_request(agency=world.agency, actor=world.treasurer, period=LAST_MONTH)
    # then the bundle failed with a message for the person, and there is nothing to download
    assert bundle.status == BundleStatus.FAILED and bundle.error and bundle.content is None
    client.force_login(world.treasurer)
    kwargs = {"code": world.agency.code, "pk": bundle.pk}
    assert bundle.error in client.get(reverse("procurement:spj-bundle", kwargs=kwargs)).content.decode()
    assert client.get(reverse("procurement:spj-bundle-download", kwargs=kwargs)).status_code == 404
    # and asking again makes a new bundle
    monkeypatch.undo()
    again = spj_services.spj_bundle_request(agency=world.agency, actor=world.treasurer, period=LAST_MONTH)
    assert again.pk != bundle.pk and again.status == BundleStatus.DONE


BUNDLE_MOVES = {
    (BundleStatus.QUEUED, BundleStatus.RUNNING),
    (BundleStatus.QUEUED, BundleStatus.FAILED),
    (BundleStatus.RUNNING, BundleStatus.DONE),
    (BundleStatus.RUNNING, BundleStatus.FAILED),
}


def test_the_bundle_table_allows_exactly_these_moves(world):
    # given a bundle, in each status in turn
    bundle = SpjBundle.objects.create(
        agency=world.agency, requested_by=world.treasurer, period_year=2026, period_month=1
    )

    def attempt(old, new):
        bundle.status = old
        try:
            spj_services._bundle_move(bundle, to=new)
        except spj_services.SpjRefused:
            return False
        assert SpjBundle.objects.get(pk=bundle.pk).status == new
        return True

    # when every (from, to) pair is tried through the one function that moves a bundle
    allowed = {(str(a), str(b)) for a, b in pairs(BundleStatus, BundleStatus) if attempt(a, b)}
    # then exactly the moves written above are allowed
    assert allowed == {(str(a), str(b)) for a, b in BUNDLE_MOVES}


# --- who may read


def test_a_stranger_gets_404_an_auditor_reads_anonymous_signs_in(world, client):
    # given an auditor, another agency's treasurer, the purchase's requester and a plain shopper
    _pay_ani_by_ls(world)
    auditor = person_with_roles(agency=None, roles=[Role.AUDITOR], email="apip@inspektorat.uji")
    other = person_with_roles(agency=AgencyFactory(name="Dinas Lain", code="lain"), roles=[Role.TREASURER])
    shopper = UserFactory(email="warga@contoh.id", username="warga")
    url = reverse("procurement:spj-reconciliation", kwargs={"code": world.agency.code})
    coretax = reverse("procurement:spj-coretax", kwargs={"code": world.agency.code})
    # when each opens the agency's month, then strangers get 404 and the auditor reads it
    for person in (other, shopper, world.requester):
        client.force_login(person)
        assert client.get(url).status_code == 404
        assert client.get(coretax).status_code == 404
    client.force_login(auditor)
    assert client.get(url, {"bulan": LAST_MONTH.key}).status_code == 200
    assert client.get(coretax, {"bulan": LAST_MONTH.key}).status_code == 200
    for person in (world.pa, world.admin):
        client.force_login(person)
        assert client.get(url).status_code == 200
    client.logout()
    assert client.get(url).status_code == 302
    # and an outsider cannot ask for a bundle through the service either
    with pytest.raises(spj_services.SpjRefused):
        spj_services.spj_bundle_request(agency=world.agency, actor=other, period=LAST_MONTH)


def test_the_picker_sends_an_auditor_to_the_chosen_agency_and_month(world, client):
    auditor = person_with_roles(agency=None, roles=[Role.AUDITOR], email="apip@inspektorat.uji")
    AgencyFactory(name="Dinas Pendidikan Uji", code="dispendik-uji")
    client.force_login(auditor)
    response = client.get(reverse("procurement:spj-home"), {"opd": world.agency.code, "bulan": "2026-03"})
    assert response.url == (
        reverse("procurement:spj-reconciliation", kwargs={"code": world.agency.code}) + "?bulan=2026-03"
    )


def test_a_period_reads_a_month_and_falls_back_to_this_one():
    assert Period.parse("2026-12") == Period(2026, 12)
    assert Period.parse("2026-12").next == Period(2027, 1) and Period(2027, 1).previous == Period(2026, 12)
    assert Period(2026, 12).end == date(2027, 1, 1)
    assert Period.parse("bukan", today=date(2026, 5, 9)) == Period(2026, 5)
    assert Period.parse("2026-13", today=date(2026, 5, 9)) == Period(2026, 5)
