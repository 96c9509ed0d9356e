"""The documents of an official purchase: numbering, idempotency, PDF contents, hash, verification, access.

PDFs are read back with poppler's pdftotext; one of each kind is also turned into PNG pages
in /work/notes/docs-shots/ (pdftoppm) to be looked at.
"""

import hashlib
import subprocess
import time
from decimal import Decimal
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from oscar.core.loading import get_model

from orders.services import order_status_change
from orders.statuses import OrderStatus, Party
from peken.money import rupiah_format, rupiah_words
from procurement.models import AuditEntry, DocumentCounter, Membership, OfficialDocument
from procurement.services import (
    ReceivedLine,
    goods_receipt_record,
    official_payment_record,
    requisition_decide,
    requisition_submit_from_basket,
)
from procurement.services import documents as issuer
from procurement.statuses import Decision, DocumentKind, PaymentMethod, RequisitionStatus, Role
from tests.concurrency import run_at_once
from tests.factories import CountryFactory, UserFactory, product_create, seller_create
from tests.fulfilment_world import approved, delivered, fulfilment_world, sent
from tests.procurement_factories import approval_world, official_basket, person_with_roles

Order = get_model("order", "Order")
SHOTS = Path("/work/notes/docs-shots")
NIP = {
    "ppk": "198703152010012004",
    "receiver": "199001012015031002",
    "treasurer": "198512242009022001",
    "requester": "199205052019032007",
}


@pytest.fixture
def world(db, indonesia, settings):
    settings.PEKEN_OFFICIAL_SELLER_CAP = 10**12
    world = fulfilment_world()
    for key, nip in NIP.items():
        Membership.objects.filter(user=getattr(world, key), agency=world.agency).update(nip=nip)
    world.ani.owner_name = "Ani Rahayu"
    world.ani.ktp_number = "3578014505800003"
    world.ani.save(update_fields=["owner_name", "ktp_number"])
    world.ani.addresses.create(
        first_name="Ani",
        last_name="Rahayu",
        line1="Jl. Kembang Jepun No. 12",
        line4="Surabaya",
        country=indonesia,
    )
    return world


def pdf_text(content: bytes) -> str:
    """The text of a PDF as pdftotext reads it, runs of spaces made one (a table row stays on its line)."""
    result = subprocess.run(
        ["pdftotext", "-layout", "-", "-"], input=bytes(content), capture_output=True, check=True
    )
    return " ".join(result.stdout.decode().split())


def _issue(order, actor=None) -> list[OfficialDocument]:
    return issuer.documents_issue_due(order_id=order.pk, actor_id=getattr(actor, "pk", None))


def _receive_all(world, order, *, rejected: dict | None = None, actor=None):
    """One handover of everything ordered; ``rejected`` maps a product id to how many were refused."""
    rejected = rejected or {}
    lines = {
        line.pk: ReceivedLine(
            received=line.quantity,
            accepted=line.quantity - rejected.get(line.product_id, 0),
            reason="Kemasan rusak" if rejected.get(line.product_id) else "",
        )
        for line in order.lines.all()
    }
    return goods_receipt_record(
        order=order, actor=actor or world.ppk, received_on=timezone.localdate(), lines=lines
    )


def _pay(world, order):
    return official_payment_record(
        order=order,
        actor=world.treasurer,
        method=PaymentMethod.UP_TRANSFER,
        paid_on=timezone.localdate(),
        bank_reference="TRX-2026-0042",
    )


def _big_purchase(world, *, price: str, quantity: int):
    """An approved and sent order of ``quantity`` laptops from Ani at ``price`` (every approval step taken).

    The requisition also buys one lunch box from Darto, so paying Ani leaves its commitment live.
    """
    laptop = product_create(
        title="Laptop Kantor 14 inci", price=Decimal(price), partner=world.ani, stock=1000
    )
    requisition = approved(world, items=[(laptop, quantity), (world.nasi, 1)])
    for person in (world.ppk, world.pa):
        if requisition.status == RequisitionStatus.SUBMITTED:
            requisition_decide(requisition=requisition, user=person, decision=Decision.APPROVE)
            requisition.refresh_from_db()
    assert requisition.status == RequisitionStatus.APPROVED
    return sent(Order.objects.get(checkout_reference=requisition.reference, seller=world.ani))


def _paid_small(world):
    """Ani's small order (a nota): received by the receiver with two bottles of oil refused, then paid."""
    order = delivered(world).orders[world.ani.pk]
    _issue(order, world.ani.users.first())
    receipt = _receive_all(world, order, rejected={world.minyak.pk: 2}, actor=world.receiver)
    payment = _pay(world, order)
    _issue(order, world.treasurer)
    return order, receipt, payment


def _document(order, kind) -> OfficialDocument:
    return OfficialDocument.objects.get(order=order, kind=kind)


# --- what is issued, when, and only once ---


def test_the_seller_accepting_issues_the_contract_document_after_commit(
    world, django_capture_on_commit_callbacks
):
    # when the sellers accept and send the orders, their after-commit work run
    with django_capture_on_commit_callbacks(execute=True):
        purchase = delivered(world)
    # then each order has its contract document by band (both are small: a nota), issued by its seller
    for seller in (world.ani, world.darto):
        order = purchase.orders[seller.pk]
        (document,) = OfficialDocument.objects.filter(order=order)
        assert document.kind == DocumentKind.NOTA
        assert document.issued_by == seller.users.first()
        assert document.seller_name == seller.name
        assert document.receipt_id is None and document.payment_id is None
    # and each issue is in the audit chain
    assert AuditEntry.objects.filter(action="document.issue").count() == 2


def test_receipt_and_payment_issue_a_bast_a_kuitansi_and_a_tax_summary_once(world):
    # given a small purchase received and paid
    order, receipt, payment = _paid_small(world)
    # then it holds its nota, the BAST of its handover, the kuitansi and the tax summary of its payment
    documents = list(OfficialDocument.objects.filter(order=order).order_by("pk"))
    assert [d.kind for d in documents] == [
        DocumentKind.NOTA,
        DocumentKind.BAST,
        DocumentKind.KUITANSI,
        DocumentKind.TAX_SUMMARY,
    ]
    assert documents[1].receipt == receipt and documents[1].total == 30 * 75000 + 8 * 36000
    assert documents[2].payment == documents[3].payment == payment
    assert documents[2].total == documents[3].total == payment.gross
    # when the issuer runs again (a retried task, a late one)
    again = _issue(order, world.treasurer)
    # then nothing new is issued and no number is used up
    assert again == []
    assert OfficialDocument.objects.filter(order=order).count() == 4
    assert DocumentCounter.objects.get(agency=world.agency, kind=DocumentKind.KUITANSI).last == 1


def test_numbers_run_per_agency_kind_and_year(world):
    # given two small purchases accepted, received and paid
    first, _receipt, _payment = _paid_small(world)
    second, _receipt, _payment = _paid_small(world)
    year = timezone.localdate().year
    # then each kind counts on its own, with the agency's code upper-cased and the year
    assert _document(first, DocumentKind.NOTA).number == f"NOTA/0001/DINKES-UJI/{year}"
    assert _document(second, DocumentKind.NOTA).number == f"NOTA/0002/DINKES-UJI/{year}"
    assert _document(second, DocumentKind.BAST).number == f"BAST/0002/DINKES-UJI/{year}"
    assert _document(second, DocumentKind.KUITANSI).number == f"KWT/0002/DINKES-UJI/{year}"
    assert _document(second, DocumentKind.TAX_SUMMARY).number == f"PJK/0002/DINKES-UJI/{year}"
    assert DocumentCounter.objects.get(agency=world.agency, kind=DocumentKind.NOTA, year=year).last == 2


def test_a_kuitansi_band_purchase_has_one_kuitansi_issued_at_payment(world):
    # given a Rp22,2 juta purchase (kuitansi band) accepted
    order = _big_purchase(world, price="4000000", quantity=5)
    # then acceptance issues nothing: its kuitansi is its contract document
    assert _issue(order) == []
    _receive_all(world, order)
    # when it is paid
    payment = _pay(world, order)
    issued = _issue(order, world.treasurer)
    # then one kuitansi (with the payment's amounts) and the tax summary; no other contract document
    assert [d.kind for d in issued] == [DocumentKind.BAST, DocumentKind.KUITANSI, DocumentKind.TAX_SUMMARY]
    kuitansi = _document(order, DocumentKind.KUITANSI)
    assert kuitansi.payment == payment and kuitansi.total == payment.gross == Decimal("22200000")
    text = pdf_text(kuitansi.content)
    assert "sekaligus bukti perjanjian" in text
    assert "Rp22.200.000" in text and rupiah_words(payment.gross, capitalised=True) in text


def test_e_purchasing_orders_get_a_surat_pesanan(world, settings):
    # given the city declared Peken its local electronic catalogue
    settings.PEKEN_PROCUREMENT_CHANNEL = "e_purchasing"
    order = delivered(world).orders[world.ani.pk]
    # when the accepted order's documents are issued
    (document,) = _issue(order)
    # then its contract document is a Surat Pesanan
    assert document.kind == DocumentKind.SURAT_PESANAN
    assert document.number.startswith("SPS/0001/DINKES-UJI/")
    assert "SURAT PESANAN" in pdf_text(document.content)
    _shoot(document, "surat_pesanan")


def test_a_failure_while_drawing_leaves_no_gap_in_the_numbers(world, monkeypatch):
    # given the PDF cannot be drawn the first time (a font missing, the worker killed)
    first = delivered(world).orders[world.ani.pk]
    real = issuer.pdf_render

    def broken(**kwargs):
        raise OSError("no font")

    monkeypatch.setattr(issuer, "pdf_render", broken)
    with pytest.raises(OSError):
        _issue(first)
    # then nothing was written and no number used up
    assert not OfficialDocument.objects.exists()
    assert not DocumentCounter.objects.filter(last__gt=0).exists()
    # when the task is retried, the document takes number 1
    monkeypatch.setattr(issuer, "pdf_render", real)
    (document,) = _issue(first)
    assert document.seq == 1


def test_a_hostile_shop_name_is_printed_as_text_and_nothing_is_fetched(world):
    Partner = get_model("partner", "Partner")
    Partner.objects.filter(pk=world.ani.pk).update(name='Toko "><img src=http://penyerang.contoh/x.png> Ani')
    order = delivered(world).orders[world.ani.pk]
    (document,) = _issue(order)
    assert '"><img src=http://penyerang.contoh/x.png>' in pdf_text(document.content)
    body = Client().get(_verify_url(document)).content.decode()
    assert "<img src=http://penyerang" not in body and "&lt;img src=http://penyerang" in body


def test_a_personal_order_has_no_documents(world):
    # given a shopper's own order (no requisition behind it)
    order = delivered(world).orders[world.ani.pk]
    Order.objects.filter(pk=order.pk).update(checkout_reference="")
    # then nothing is issued for it
    assert _issue(order) == []


# --- what the PDFs say ---


def test_the_nota_states_number_lines_total_in_words_and_the_signers(world):
    order = delivered(world).orders[world.ani.pk]
    (nota,) = _issue(order, world.ani.users.first())
    text = pdf_text(nota.content)
    assert nota.number in text
    assert "NOTA (BUKTI PEMBELIAN)" in text
    assert world.agency.name.upper() in text and "PEMERINTAH KOTA PEKEN" in text
    assert "Beras Premium 5 kg 30 Rp75.000 Rp2.250.000" in text
    # price 2.610.000, PPN 12% of 11/12 of it, total with PPN, and the total in words
    assert "Rp2.610.000" in text and "Rp287.100" in text and "Rp2.897.100" in text
    assert rupiah_words(Decimal("2897100"), capitalised=True) in text
    # the purchase's basis and its seller (shop, owner, NPWP, address)
    assert "41552026" in text and world.line.account_code in text
    assert "Toko Sembako Bu Ani" in text and "Ani Rahayu" in text and "0123456789012345" in text
    assert "Jl. Kembang Jepun No. 12" in text
    # the signers: requester and PPK with their NIP, and the seller
    assert "Rina Uji" in text and f"NIP. {NIP['requester']}" in text
    assert "Citra Uji" in text and f"NIP. {NIP['ppk']}" in text
    # under Rp5 juta: no meterai
    assert "METERAI" not in text
    # and the verification address with its code, in the footer
    assert f"/verifikasi/{nota.code}/" in text


def test_the_bast_states_each_line_received_accepted_and_rejected_with_its_reason(world):
    order, receipt, _payment = _paid_small(world)
    text = pdf_text(_document(order, DocumentKind.BAST).content)
    assert "BERITA ACARA SERAH TERIMA" in text and "Serah terima ke-1" in text
    assert "Minyak Goreng 2 L" in text and "10 10 8 2 Kemasan rusak Rp288.000" in text
    assert "Rp2.538.000" in text
    assert "Gilang Uji" in text and f"NIP. {NIP['receiver']}" in text and "Penerima Barang" in text
    assert _document(order, DocumentKind.NOTA).number in text  # the contract it stands on


def test_the_kuitansi_states_the_amount_in_figures_and_words_and_who_paid(world):
    order, _receipt, payment = _paid_small(world)
    text = pdf_text(_document(order, DocumentKind.KUITANSI).content)
    assert "Telah terima dari" in text and "Bendahara Pengeluaran Dinas Kesehatan Uji" in text
    assert rupiah_format(payment.gross) in text
    assert rupiah_words(payment.gross, capitalised=True) in text
    assert rupiah_format(payment.net) in text
    assert "Fitri Uji" in text and f"NIP. {NIP['treasurer']}" in text
    assert "Citra Uji" in text and "Ani Rahayu" in text
    assert "METERAI" not in text  # Rp2,8 juta: no meterai on the receipt


def test_a_kuitansi_above_five_million_carries_a_meterai_box(world):
    order = _big_purchase(world, price="4000000", quantity=5)
    _receive_all(world, order)
    payment = _pay(world, order)
    assert payment.meterai_required
    _issue(order, world.treasurer)
    text = pdf_text(_document(order, DocumentKind.KUITANSI).content)
    assert "METERAI Rp10.000" in text


def test_the_tax_summary_lists_each_withholding_with_its_code_base_rate_and_amount(world):
    order, _receipt, payment = _paid_small(world)
    text = pdf_text(_document(order, DocumentKind.TAX_SUMMARY).content)
    pph22 = payment.withholdings.get(tax="pph22")
    assert f"PPh 22 22-910-01 {rupiah_format(pph22.base)} 1,5% {rupiah_format(pph22.amount)}" in text
    assert "PPN (dipungut)" in text and rupiah_format(payment.ppn) in text
    assert rupiah_format(payment.gross) in text and rupiah_format(payment.withheld) in text
    assert f"Dibayar bersih {rupiah_format(payment.net)}" in text
    assert "UP/GU: transfer bank" in text and "TRX-2026-0042" in text
    assert f"NIP. {NIP['treasurer']}" in text


def test_the_caterers_tax_summary_shows_pbjt_and_pph23_for_catering(world):
    order = delivered(world).orders[world.darto.pk]
    _receive_all(world, order)
    payment = _pay(world, order)
    _issue(order, world.treasurer)
    text = pdf_text(_document(order, DocumentKind.TAX_SUMMARY).content)
    assert payment.pbjt == 100000 and "Rp100.000" in text
    assert "PPh 23 24-104-39" in text


def test_an_spk_has_meterai_boxes_and_a_contract_above_the_limit_is_flagged(world):
    # given an SPK-band purchase (Rp66,6 juta) and one above Rp200 juta
    spk = _big_purchase(world, price="15000000", quantity=4)
    big = _big_purchase(world, price="15000000", quantity=14)
    (spk_doc,) = _issue(spk)
    (big_doc,) = _issue(big)
    spk_text, big_text = pdf_text(spk_doc.content), pdf_text(big_doc.content)
    # then the SPK has its meterai box and no flag; the surat perjanjian has both
    assert spk_doc.kind == DocumentKind.SPK and "SURAT PERINTAH KERJA" in spk_text
    assert "METERAI" in spk_text and "Di atas batas pengadaan langsung" not in spk_text
    assert big_doc.kind == DocumentKind.SURAT_PERJANJIAN and "SURAT PERJANJIAN" in big_text
    assert "METERAI" in big_text and "Di atas batas pengadaan langsung" in big_text
    assert "Rp233.100.000" in big_text and "PIHAK PERTAMA" in big_text


def test_the_hash_is_of_the_stored_bytes_and_the_qr_code_holds_the_verification_address(world, monkeypatch):
    seen = []
    real = issuer.qr_data_uri
    monkeypatch.setattr(issuer, "qr_data_uri", lambda url: seen.append(url) or real(url))
    order = delivered(world).orders[world.ani.pk]
    (document,) = _issue(order)
    assert document.sha256 == hashlib.sha256(bytes(document.content)).hexdigest()
    assert bytes(document.content).startswith(b"%PDF-")
    assert seen == [f"http://example.com/verifikasi/{document.code}/"]
    assert len(document.code) == 16 and set(document.code) <= set(issuer.CODE_ALPHABET)


def test_each_pdf_renders_within_a_second(world):
    order = delivered(world).orders[world.ani.pk]
    _issue(order)  # the first one also loads WeasyPrint's fonts
    _receive_all(world, order)
    _pay(world, order)
    started = time.monotonic()
    issued = _issue(order, world.treasurer)
    assert len(issued) == 3
    assert (time.monotonic() - started) / len(issued) < 1.0


# --- the public verification page ---


def _verify_url(document) -> str:
    return reverse("verification:document", kwargs={"code": document.code})


def test_the_verification_page_shows_the_public_facts_and_nothing_personal(world):
    order, _receipt, payment = _paid_small(world)
    kuitansi = _document(order, DocumentKind.KUITANSI)
    # when anyone, not signed in, opens the page the QR code leads to
    response = Client().get(_verify_url(kuitansi))
    # then it shows the document's kind, number, date, agency, shop, total and hash
    assert response.status_code == 200
    body = response.content.decode()
    for shown in (
        "Kuitansi",
        kuitansi.number,
        world.agency.name,
        "Toko Sembako Bu Ani",
        rupiah_format(payment.gross),
        kuitansi.sha256,
    ):
        assert shown in body
    # and nobody's name, NIK, NPWP, NIP or address
    for private in (
        "Ani Rahayu",
        "Citra Uji",
        "Fitri Uji",
        "Rina Uji",
        "Gilang Uji",
        "0123456789012345",
        "3578014505800003",
        "Kembang Jepun",
        "Jemursari",
        *NIP.values(),
    ):
        assert private not in body
    # and the code as people type it (lower case, with a dash) finds it too
    code = kuitansi.code.lower()
    assert Client().get(f"/verifikasi/{code[:8]}-{code[8:]}/").status_code == 200


def test_an_unknown_code_is_a_404_in_the_sites_layout(world):
    response = Client().get("/verifikasi/TIDAKADA23456789/")
    assert response.status_code == 404
    assert "Halaman tidak ditemukan" in response.content.decode()


def test_the_issued_file_matches_and_a_changed_one_does_not(world):
    order = delivered(world).orders[world.ani.pk]
    (document,) = _issue(order)
    original = bytes(document.content)
    client = Client()
    # when the issued PDF is sent to its page, it matches
    response = client.post(_verify_url(document), {"file": SimpleUploadedFile("nota.pdf", original)})
    assert 'data-check="match"' in response.content.decode()
    # when one byte of it is changed (a figure edited), it does not
    changed = original[:-1] + bytes([original[-1] ^ 1])
    response = client.post(_verify_url(document), {"file": SimpleUploadedFile("nota.pdf", changed)})
    body = response.content.decode()
    assert 'data-check="mismatch"' in body and hashlib.sha256(changed).hexdigest() in body


# --- downloads: the purchase's people only ---


def test_the_purchases_people_download_a_document_and_strangers_get_404(world):
    order, _receipt, _payment = _paid_small(world)
    document = _document(order, DocumentKind.KUITANSI)
    url = reverse("procurement:document-download", kwargs={"code": document.code})
    auditor = person_with_roles(agency=None, roles=[Role.AUDITOR], email="apip@inspektorat.uji")
    allowed = [
        world.requester,
        world.pp,
        world.ppk,
        world.pa,
        world.treasurer,
        world.receiver,
        world.admin,
        auditor,
        world.ani.users.first(),
    ]
    for user in allowed:
        client = Client()
        client.force_login(user)
        response = client.get(url)
        assert response.status_code == 200, user.email
        assert response["Content-Type"] == "application/pdf"
        assert response.content == bytes(document.content)
        assert document.number.replace("/", "-") in response["Content-Disposition"]
    stranger = UserFactory(email="orang@contoh.id", username="orang")
    other_shop = world.darto.users.first()  # the other seller of the same requisition
    other_requester = person_with_roles(agency=world.agency, roles=[Role.REQUESTER], email="lain@dinkes.uji")
    for user in (stranger, other_shop, other_requester):
        client = Client()
        client.force_login(user)
        assert client.get(url).status_code == 404, user.email
    anonymous = Client().get(url)
    assert anonymous.status_code == 302 and "login" in anonymous.url


def test_the_documents_list_shows_on_the_requisition_and_the_sellers_order_page(world):
    order, _receipt, _payment = _paid_small(world)
    documents = list(OfficialDocument.objects.filter(order=order))
    requester = Client()
    requester.force_login(world.requester)
    page = requester.get(reverse("procurement:detail", kwargs={"reference": order.checkout_reference}))
    body = page.content.decode()
    for document in documents:
        assert reverse("procurement:document-download", kwargs={"code": document.code}) in body
    seller = Client()
    seller.force_login(world.ani.users.first())
    page = seller.get(reverse("sellers:centre-order-detail", kwargs={"number": order.number}))
    body = page.content.decode()
    for document in documents:
        assert document.number in body


# --- numbering under concurrency (real transactions, PostgreSQL) ---

postgres_only = pytest.mark.skipif(connection.vendor != "postgresql", reason="row locks need PostgreSQL")


@pytest.fixture
def race_world(transactional_db, settings, monkeypatch):
    """One requisition of twenty shops, each order accepted; nothing issued yet."""
    settings.PEKEN_OFFICIAL_SELLER_CAP = 10**12
    CountryFactory()
    world = approval_world()
    products = [
        product_create(
            title=f"Paket ATK {n}",
            price=Decimal("100000"),
            partner=seller_create(name=f"Toko Uji {n:02d}", email=f"toko{n}@contoh.id"),
        )
        for n in range(20)
    ]
    requisition = requisition_submit_from_basket(
        user=world.requester,
        agency=world.agency,
        basket=official_basket(user=world.requester, items=[(p, 1) for p in products]),
        budget_line=world.line,
        kode_rup="",
        purpose="ATK tiap bidang",
        delivery_address="Jl. Uji No. 1",
        needed_by=timezone.localdate(),
    )
    requisition_decide(requisition=requisition, user=world.pp, decision=Decision.APPROVE)
    real = issuer.documents_issue_due
    # the sellers' acceptances would issue the notas one by one after each commit; the race issues them
    monkeypatch.setattr(issuer, "documents_issue_due", lambda **kwargs: [])
    world.orders = list(Order.objects.filter(checkout_reference=requisition.reference).order_by("pk"))
    for order in world.orders:
        order_status_change(
            order=order, actor=order.seller.users.first(), party=Party.SELLER, status=OrderStatus.ACCEPTED
        )
    monkeypatch.setattr(issuer, "documents_issue_due", real)
    return world


@postgres_only
def test_twenty_documents_issued_at_once_get_twenty_consecutive_numbers(race_world):
    assert len(race_world.orders) == 20 and not OfficialDocument.objects.exists()
    # when the twenty orders' notas are issued at the same moment
    results = run_at_once([lambda o=o: _issue(o) for o in race_world.orders])
    # then every call issued its one nota, and the numbers are 1..20 with no gap and no repeat
    assert [r for r in results if isinstance(r, Exception)] == []
    assert all(len(r) == 1 for r in results)
    documents = OfficialDocument.objects.filter(kind=DocumentKind.NOTA)
    assert sorted(documents.values_list("seq", flat=True)) == list(range(1, 21))
    assert documents.values("number").distinct().count() == 20
    assert documents.values("order").distinct().count() == 20
    assert DocumentCounter.objects.get(agency=race_world.agency, kind=DocumentKind.NOTA).last == 20


@postgres_only
def test_one_order_issued_twenty_times_at_once_has_one_document(race_world):
    order = race_world.orders[0]
    # when the same order's documents are issued twenty times at once (retried tasks)
    results = run_at_once([lambda: _issue(order) for _ in range(20)])
    # then one call issued the nota, the others found it, and the counter moved once
    assert [r for r in results if isinstance(r, Exception)] == []
    assert sum(len(r) for r in results) == 1
    assert OfficialDocument.objects.filter(order=order).count() == 1
    assert DocumentCounter.objects.get(agency=race_world.agency, kind=DocumentKind.NOTA).last == 1


# --- one of each kind as pictures, to be looked at ---


def _shoot(document, name: str) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    for old in SHOTS.glob(f"{name}*.png"):
        old.unlink()
    path = SHOTS / f"{name}.pdf"
    path.write_bytes(bytes(document.content))
    subprocess.run(["pdftoppm", "-png", "-r", "60", str(path), str(SHOTS / name)], check=True)


def test_one_of_each_kind_as_png_pages(world):
    # given a nota purchase received in part and paid, a kuitansi-band one, an SPK and a surat perjanjian
    small, _receipt, _payment = _paid_small(world)
    spk = _big_purchase(world, price="15000000", quantity=4)
    _issue(spk)
    big = _big_purchase(world, price="15000000", quantity=14)
    _issue(big)
    mid = _big_purchase(world, price="4000000", quantity=5)
    _receive_all(world, mid)
    _pay(world, mid)
    _issue(mid, world.treasurer)
    shots = {
        "nota": _document(small, DocumentKind.NOTA),
        "bast": _document(small, DocumentKind.BAST),
        "kuitansi": _document(small, DocumentKind.KUITANSI),
        "pajak": _document(small, DocumentKind.TAX_SUMMARY),
        "kuitansi_kontrak": _document(mid, DocumentKind.KUITANSI),
        "spk": _document(spk, DocumentKind.SPK),
        "surat_perjanjian": _document(big, DocumentKind.SURAT_PERJANJIAN),
    }
    for name, document in shots.items():
        _shoot(document, name)
        # each fits on one A4 page, drawn with the embedded DejaVu fonts only (no fallback, no tofu)
        assert len(list(SHOTS.glob(f"{name}-*.png"))) == 1, name
        fonts = subprocess.run(
            ["pdffonts", str(SHOTS / f"{name}.pdf")], capture_output=True, check=True
        ).stdout.decode()
        rows = fonts.splitlines()[2:]
        assert rows and all("DejaVu" in row and " yes yes yes " in row for row in rows), fonts
