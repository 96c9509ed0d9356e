"""An official purchase from delivery to the SPJ, in headless Chromium, on a phone and a desktop.

The seller accepts and sends from the seller centre; the PPK records two handovers (one line
partly rejected, its value released to the budget line); the treasurer pays by UP/GU transfer,
and a second purchase by KKPD card through localstripe's Stripe.js; the requester downloads every
document, each read back with ``pdftotext`` (number, amounts, terbilang) and drawn to PNG pages
with ``pdftoppm`` beside the screenshots; an anonymous visitor checks a document's hash on the
public verification page; the treasurer downloads the month's SPJ ZIP and the Coretax XLSX.
"""

import csv
import hashlib
import io
import re
import subprocess
import zipfile
from decimal import Decimal
from pathlib import Path

import openpyxl
import pytest
from django.urls import reverse
from django.utils import timezone
from oscar.core.loading import get_model

from orders.statuses import OrderStatus
from peken.money import rupiah_format, rupiah_words
from procurement.models import BudgetLine, Membership, OfficialDocument, OfficialPayment
from procurement.selectors_spj import CORETAX_HEADER
from procurement.services import ReceivedLine, goods_receipt_record
from procurement.statuses import DocumentKind, OfficialPaymentStatus, PaymentMethod
from tests.browser.conftest import open_menu
from tests.browser.test_card_payment import card_type
from tests.browser.test_procurement_story import as_person
from tests.fulfilment_world import approved, delivered, fulfilment_world

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

Order = get_model("order", "Order")
NIP = {"ppk": "198703152010012004", "treasurer": "198512242009022001", "requester": "199205052019032007"}
BANK_REFERENCE = "TRX-20261202-0042"


@pytest.fixture
def world(indonesia, settings):
    settings.PEKEN_OFFICIAL_SELLER_CAP = 10**12
    world = fulfilment_world()
    for key, nip in NIP.items():
        Membership.objects.filter(user=getattr(world, key), agency=world.agency).update(nip=nip)
    world.ani.owner_name = "Ani Rahayu"
    world.ani.save(update_fields=["owner_name"])
    world.ani.addresses.create(
        first_name="Ani",
        last_name="Rahayu",
        line1="Jl. Kembang Jepun No. 12",
        line4="Surabaya",
        country=indonesia,
    )
    return world


def pdf_text(content: bytes) -> str:
    """The PDF's text as pdftotext reads it, runs of whitespace made one space."""
    result = subprocess.run(
        ["pdftotext", "-layout", "-", "-"], input=content, capture_output=True, check=True
    )
    return " ".join(result.stdout.decode().split())


def pdf_pages(path: Path) -> list[Path]:
    """The PDF at ``path`` drawn to PNG pages at 70 dpi beside it (``<name>-1.png``, ...)."""
    subprocess.run(["pdftoppm", "-png", "-r", "70", str(path), str(path.with_suffix(""))], check=True)
    return sorted(path.parent.glob(path.stem + "-*.png"))


def download(page, link, folder: Path) -> tuple[Path, bytes]:
    """Clicks ``link`` and keeps the file it downloads in ``folder`` under its suggested name."""
    with page.expect_download() as info:
        link.click()
    target = folder / info.value.suggested_filename
    info.value.save_as(target)
    return target, target.read_bytes()


def the_seller_accepts_and_sends(open_page, shots, screen, world, order) -> None:
    seller = as_person(open_page, world.ani.users.first(), screen)
    seller.goto(f"/penjual/pusat/pesanan/{order.number}/")
    shots(seller, "penjual-pesanan-baru")
    seller.locator("#order_accept").click()
    seller.wait_for_load_state()
    seller.locator("#order_sent").click()
    seller.wait_for_load_state()
    # the contract document (a nota in this band) was issued when the seller accepted
    assert seller.locator('[data-document="nota"]').count() == 1
    shots(seller, "penjual-pesanan-dikirim")
    order.refresh_from_db()
    assert order.status == OrderStatus.SENT


def test_an_official_purchase_from_delivery_to_the_spj(world, open_page, shots, screen, localstripe):
    # given an approved purchase of rice and oil from Bu Ani, which she accepts and sends in the seller centre
    requisition = approved(world, items=[(world.beras, 30), (world.minyak, 10)])
    order = Order.objects.get(checkout_reference=requisition.reference, seller=world.ani)
    the_seller_accepts_and_sends(open_page, shots, screen, world, order)
    line_before = BudgetLine.objects.get(pk=world.line.pk)

    # when the PPK opens "Penerimaan barang" and the order
    ppk = as_person(open_page, world.ppk, screen)
    ppk.goto("/")
    open_menu(ppk)
    ppk.locator(".nav-link", has_text="Penerimaan barang").click()
    ppk.wait_for_url("**/pengadaan/penerimaan/")
    shots(ppk, "kotak-penerimaan")
    ppk.get_by_role("link", name=order.number).click()
    ppk.wait_for_url(f"**{reverse('procurement:receipt', kwargs={'number': order.number})}")
    shots(ppk, "penerimaan-kosong")

    # and records a first delivery: 20 sacks of rice, 2 of them torn, and all the oil
    ppk.get_by_label("Jumlah datang: Beras Premium 5 kg").fill("20")
    ppk.get_by_label("Jumlah diterima baik: Beras Premium 5 kg").fill("18")
    ppk.get_by_label("Alasan ditolak: Beras Premium 5 kg").fill("Karung sobek, beras tercecer")
    ppk.get_by_label("Jumlah datang: Minyak Goreng 2 L").fill("10")
    ppk.get_by_role("button", name="Simpan BAST").click()
    ppk.wait_for_load_state()

    # then the page says BAST 1 is recorded, what was released and what is still awaited
    message = ppk.locator(".alert-success").first.inner_text()
    rejected_value = 2 * order.lines.get(product=world.beras).unit_price_incl_tax
    assert "BAST nomor 1" in message
    assert f"{rupiah_format(rejected_value)}, dikembalikan ke mata anggaran" in message
    assert "Masih ditunggu: Beras Premium 5 kg (10)" in message
    assert ppk.locator('[data-bast="1"] [data-reason]').first.inner_text() == "Karung sobek, beras tercecer"
    shots(ppk, "bast-1")
    # and the budget line's commitment fell by the rejected value (available rose by it)
    line_after = BudgetLine.objects.get(pk=world.line.pk)
    assert line_before.committed - line_after.committed == rejected_value
    assert line_after.available - line_before.available == rejected_value

    # when the rest of the rice arrives
    ppk.get_by_label("Jumlah datang: Beras Premium 5 kg").fill("10")
    ppk.get_by_role("button", name="Simpan BAST").click()
    ppk.wait_for_load_state()
    # then BAST 2 completes the order
    message = ppk.locator(".alert-success").first.inner_text()
    assert "BAST nomor 2" in message and "tidak ada nilai yang dikembalikan" in message
    assert "pesanan selesai dan menunggu pembayaran bendahara" in message
    assert ppk.locator("[data-complete]").is_visible()
    shots(ppk, "bast-2-selesai")
    order.refresh_from_db()
    assert order.status == OrderStatus.RECEIVED

    # when the treasurer opens Pembayaran and the order, and records a UP/GU transfer
    treasurer = as_person(open_page, world.treasurer, screen)
    treasurer.goto("/pengadaan/pembayaran/")
    shots(treasurer, "pembayaran")
    treasurer.locator(f"[data-to-pay='{order.number}'] a").click()
    treasurer.wait_for_url(f"**/pengadaan/pembayaran/{order.number}/")
    shots(treasurer, "pembayaran-pesanan")
    treasurer.get_by_label("UP/GU: transfer bank").check()
    treasurer.get_by_label("Nomor referensi transfer bank").fill(BANK_REFERENCE)
    treasurer.locator("[data-payment-form] button[type=submit]").click()
    treasurer.wait_for_load_state()
    # then the page says it is recorded, with the net to the seller and the taxes
    payment = OfficialPayment.objects.get(order=order)
    assert (payment.status, payment.method) == (OfficialPaymentStatus.PAID, PaymentMethod.UP_TRANSFER)
    message = treasurer.locator(".alert-success").first.inner_text()
    assert f"{rupiah_format(payment.net)} dibayar ke penjual" in message
    assert f"pajak dipotong/dipungut {rupiah_format(payment.withheld)}" in message
    assert payment.withheld > 0 and payment.net == payment.gross - payment.withheld
    assert {w.tax for w in payment.withholdings.all()} == {"ppn", "pph22"}
    assert treasurer.locator("[data-bank-reference]").inner_text() == BANK_REFERENCE
    pph22 = payment.withholdings.get(tax="pph22")
    shown = treasurer.locator("[data-withholding='pph22']").inner_text()
    assert f"PPh 22 (1,5% × {rupiah_format(pph22.base)})" in shown, shown
    shots(treasurer, "dibayar-transfer")

    # given a second purchase, of lunch boxes from Pak Darto, received in full
    second = delivered(world, items=[(world.nasi, 40)])
    catering = second.orders[world.darto.pk]
    goods_receipt_record(
        order=catering,
        actor=world.ppk,
        received_on=timezone.localdate(),
        lines={
            line.pk: ReceivedLine(received=line.quantity, accepted=line.quantity)
            for line in catering.lines.all()
        },
    )
    # when the treasurer pays it with the KKPD card
    treasurer.goto(f"/pengadaan/pembayaran/{catering.number}/")
    treasurer.wait_for_selector("#card-element input")
    shots(treasurer, "pembayaran-kkpd")
    card_type(treasurer, "4242424242424242")
    treasurer.locator("#pay-by-card").click()
    # then the page comes back with the card payment recorded
    treasurer.wait_for_selector("[data-payment='lunas']", timeout=30_000)
    card = OfficialPayment.objects.get(order=catering)
    assert (card.status, card.method) == (OfficialPaymentStatus.PAID, PaymentMethod.KKPD)
    message = treasurer.locator(".alert-success").first.inner_text()
    assert f"{rupiah_format(card.net)} dibayar ke penjual" in message
    assert [w.tax for w in card.withholdings.all()] == ["pph23"]
    shots(treasurer, "dibayar-kkpd")

    # when the requester downloads each document of the first purchase from the requisition's page
    requester = as_person(open_page, world.requester, screen)
    requester.goto(reverse("procurement:detail", kwargs={"reference": requisition.reference}))
    shots(requester, "permintaan-dokumen")
    links = requester.locator(f'[data-order="{order.number}"] [data-documents] a[data-download]')
    issued = {d.code: d for d in OfficialDocument.objects.filter(order=order)}
    kinds = sorted(d.kind for d in issued.values())
    assert kinds == sorted(
        [
            DocumentKind.NOTA,
            DocumentKind.BAST,
            DocumentKind.BAST,
            DocumentKind.KUITANSI,
            DocumentKind.TAX_SUMMARY,
        ]
    )
    assert links.count() == len(issued)
    files = {}
    for i in range(links.count()):
        code = links.nth(i).get_attribute("href").split("/")[-3]
        path, content = download(requester, links.nth(i), shots.folder)
        document = issued[code]
        # then each is the PDF issued, its hash the one stored, its number and code in its text
        assert content.startswith(b"%PDF") and hashlib.sha256(content).hexdigest() == document.sha256
        text = pdf_text(content)
        assert document.number in text and document.code in text
        assert pdf_pages(path), path
        files[document.kind, document.receipt.seq if document.receipt_id else 0] = (document, content, text)

    # and each states its amounts: what was ordered, what each handover accepted, what was paid
    ordered = sum(line.line_price_incl_tax for line in order.lines.all())
    assert rupiah_format(ordered) in files["nota", 0][2]
    beras, minyak = (order.lines.get(product=p) for p in (world.beras, world.minyak))
    bast1, bast2 = files["bast", 1][2], files["bast", 2][2]
    # (the reason wraps inside its table cell, so pdftotext reads it in two pieces)
    assert "Karung sobek," in bast1 and "beras tercecer" in bast1
    assert "Terbilang: Satu juta tujuh ratus sepuluh ribu rupiah" in bast1
    assert rupiah_format(18 * beras.unit_price_incl_tax) in bast1
    assert rupiah_format(10 * minyak.unit_price_incl_tax) in bast1
    assert rupiah_format(10 * beras.unit_price_incl_tax) in bast2
    kuitansi = files["kuitansi", 0][2]
    assert rupiah_format(payment.gross) in kuitansi and rupiah_format(payment.net) in kuitansi
    words = rupiah_words(payment.gross)
    assert words.split()[0].lower() in kuitansi.lower()
    assert " ".join(words.lower().split()) in kuitansi.lower()
    assert BANK_REFERENCE in kuitansi
    # (the numbers it cites wrap at their slashes)
    cited = kuitansi.replace(" ", "")
    for document in (files["nota", 0][0], files["bast", 1][0], files["bast", 2][0]):
        assert document.number in cited
    summary = files[DocumentKind.TAX_SUMMARY, 0][2]
    for w in payment.withholdings.all():
        assert rupiah_format(w.amount) in summary and rupiah_format(w.base) in summary
    assert rupiah_format(payment.net) in summary

    # when an anonymous visitor opens the kuitansi's QR link
    document, content, _text = files["kuitansi", 0]
    visitor = open_page(screen)
    visitor.goto(f"/verifikasi/{document.code}/")
    # then the page names the document and its hash is the SHA-256 of the downloaded bytes
    assert visitor.locator("[data-number]").inner_text() == document.number
    assert visitor.locator("[data-sha256]").inner_text() == hashlib.sha256(content).hexdigest()
    assert visitor.locator("[data-total]").inner_text() == rupiah_format(payment.gross)
    shots(visitor, "verifikasi")
    # and the downloaded file itself, sent to it, matches
    visitor.set_input_files(
        "input[type=file]", str(shots.folder / (document.number.replace("/", "-") + ".pdf"))
    )
    visitor.get_by_role("button", name="Periksa berkas").click()
    visitor.wait_for_selector("[data-check='match']")
    shots(visitor, "verifikasi-cocok")

    # when the treasurer asks for the month's SPJ bundle and downloads it
    month = timezone.localdate().strftime("%Y-%m")
    treasurer.goto(reverse("procurement:spj-bundles", kwargs={"code": world.agency.code}) + f"?bulan={month}")
    shots(treasurer, "berkas-spj")
    treasurer.get_by_role("button", name=re.compile("Susun SPJ")).click()
    treasurer.wait_for_selector("[data-status='selesai']", timeout=30_000)
    bundle_link = treasurer.locator("a[data-download]")
    bundle_link.wait_for(timeout=30_000)
    shots(treasurer, "berkas-spj-siap")
    _path, bundle = download(treasurer, bundle_link, shots.folder)
    # then the ZIP holds every PDF of the month and the index as CSV and XLSX
    with zipfile.ZipFile(io.BytesIO(bundle)) as archive:
        names = archive.namelist()
        pdfs = {name.rsplit("/", 1)[-1] for name in names if name.endswith(".pdf")}
        month_documents = OfficialDocument.objects.filter(agency=world.agency)
        assert {d.number.replace("/", "-") + ".pdf" for d in month_documents} <= pdfs, names
        for d in month_documents:
            member = next(n for n in names if n.endswith(d.number.replace("/", "-") + ".pdf"))
            assert hashlib.sha256(archive.read(member)).hexdigest() == d.sha256
        index = {
            name: list(csv.reader(io.StringIO(archive.read(name).decode("utf-8-sig"))))
            for name in ("indeks-pembayaran.csv", "indeks-pajak.csv", "indeks-dokumen.csv")
        }
        workbook = openpyxl.load_workbook(io.BytesIO(archive.read("indeks.xlsx")), read_only=True)
        sheets = {sheet.title: list(sheet.iter_rows(values_only=True)) for sheet in workbook}
    # one row per payment, per withholding and per document, in the CSVs and the XLSX's sheets alike
    payments_csv, taxes_csv, documents_csv = index.values()
    assert [row[0] for row in payments_csv[1:]] == [order.number, catering.number]
    assert [row[-1] for row in payments_csv[1:]] == [str(int(payment.net)), str(int(card.net))]
    withholdings = [w for p in (payment, card) for w in p.withholdings.all()]
    assert sorted((row[0], row[5]) for row in taxes_csv[1:]) == sorted(
        (w.payment.order.number, str(int(w.amount))) for w in withholdings
    )
    assert sorted(row[2] for row in documents_csv[1:]) == sorted(d.number for d in month_documents)
    assert [len(rows) for rows in sheets.values()] == [len(rows) for rows in index.values()]

    # and the Coretax XLSX of the month has DJP's headers and one row per PPh withholding
    treasurer.goto(
        reverse("procurement:spj-reconciliation", kwargs={"code": world.agency.code}) + f"?bulan={month}"
    )
    shots(treasurer, "rekonsiliasi")
    _path, coretax = download(treasurer, treasurer.locator("a[data-coretax]"), shots.folder)
    sheet = openpyxl.load_workbook(io.BytesIO(coretax), read_only=True).active
    rows = list(sheet.iter_rows(values_only=True))
    assert tuple(rows[0][: len(CORETAX_HEADER)]) == CORETAX_HEADER
    pph = [w for p in (payment, card) for w in p.withholdings.all() if w.tax != "ppn"]
    assert len(rows) - 1 == len(pph) == 2
    by_code = {row[CORETAX_HEADER.index("TaxObjectCode")]: row for row in rows[1:]}
    assert set(by_code) == {w.object_code for w in pph}
    for w in pph:
        assert Decimal(str(by_code[w.object_code][CORETAX_HEADER.index("TaxBase")])) == w.base
