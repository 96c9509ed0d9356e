"""The seller of an official order sees each BAST, the invoice, the taxes and the payment, and
downloads a year's withholding summary; another shop sees none of it."""

import csv
import io
from datetime import timedelta

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from peken.money import rupiah_format
from procurement.services import (
    ReceivedLine,
    goods_receipt_record,
    official_payment_record,
    order_close_short,
)
from procurement.statuses import PaymentMethod
from tests.factories import DEFAULT_PASSWORD
from tests.fulfilment_world import delivered, fulfilment_world


@pytest.fixture
def world(db, indonesia, settings):
    settings.PEKEN_OFFICIAL_SELLER_CAP = 10**12
    return fulfilment_world()


def client_of(shop) -> Client:
    client = Client()
    client.login(username=shop.users.get().username, password=DEFAULT_PASSWORD)
    return client


def order_page(shop, order) -> str:
    response = client_of(shop).get(reverse("sellers:centre-order-detail", kwargs={"number": order.number}))
    assert response.status_code == 200
    return response.content.decode()


def received_and_paid(world):
    """Ani's order in two handovers (two sacks of rice refused), then paid by transfer today."""
    purchase = delivered(world)
    order = purchase.orders[world.ani.pk]
    beras, minyak = order.lines.get(product=world.beras), order.lines.get(product=world.minyak)
    today = timezone.localdate()
    goods_receipt_record(
        order=order,
        actor=world.ppk,
        received_on=today - timedelta(days=1),
        lines={beras.pk: ReceivedLine(received=20, accepted=18, reason="Karung sobek")},
    )
    goods_receipt_record(
        order=order,
        actor=world.receiver,
        received_on=today,
        lines={
            beras.pk: ReceivedLine(received=10, accepted=10),
            minyak.pk: ReceivedLine(received=10, accepted=10),
        },
    )
    payment = official_payment_record(
        order=order,
        actor=world.treasurer,
        method=PaymentMethod.UP_TRANSFER,
        paid_on=today,
        bank_reference="TRX1",
    )
    return purchase, order, payment


def test_the_seller_sees_each_bast_the_invoice_the_taxes_and_the_net_paid(world):
    purchase, order, payment = received_and_paid(world)
    body = order_page(world.ani, order)
    # each BAST: its number, date, who recorded it by name and role, and what was refused and why
    assert "BAST ke-1" in body and "BAST ke-2" in body
    assert "dicatat oleh Citra Uji (PPK)" in body and "dicatat oleh Gilang Uji (Penerima barang)" in body
    assert "Karung sobek" in body and "Semua barang sudah diterima" in body
    assert "gilang@dinkes.uji" not in body and "citra@dinkes.uji" not in body
    # the invoice: price + PPN, each tax with its Coretax code, the net, how and when it was paid
    assert payment.ppn > 0 and payment.withheld > 0
    for amount in (payment.price, payment.ppn, payment.gross, payment.net):
        assert rupiah_format(amount) in body
    codes = {w.tax: w for w in payment.withholdings.all()}
    assert set(codes) == {"pph22", "ppn"} and codes["pph22"].object_code == "22-910-01"
    assert "22-910-01" in body and rupiah_format(codes["pph22"].amount) in body
    assert "UP/GU: transfer bank" in body and timezone.localdate().strftime("%Y") in body
    assert "perkiraan" not in body


def test_before_payment_the_engines_answer_is_labelled_an_estimate(world):
    purchase = delivered(world)
    order = purchase.orders[world.darto.pk]
    # before anything arrives: the whole order, as if all is accepted
    body = order_page(world.darto, order)
    assert "Perkiraan tagihan dan pajak" in body and "seandainya semua barang diterima baik" in body
    # 40 boxed lunches at Rp25.000: PBJT 10% on the invoice, PPh 23 catering at 4% (no NPWP)
    assert rupiah_format(100_000) in body and rupiah_format(1_100_000) in body
    assert "24-104-39" in body and rupiah_format(40_000) in body and rupiah_format(1_060_000) in body
    assert "Belum ada serah terima" in body


def test_an_order_closed_short_says_so_and_estimates_on_what_was_accepted(world):
    purchase = delivered(world)
    order = purchase.orders[world.darto.pk]
    nasi = order.lines.get(product=world.nasi)
    goods_receipt_record(
        order=order, actor=world.ppk, received_on=timezone.localdate(), lines={nasi.pk: ReceivedLine(30, 30)}
    )
    order_close_short(order=order, actor=world.ppk, reason="Sepuluh kotak tidak datang")
    body = order_page(world.darto, order)
    assert "ditutup kurang kirim" in body and "Sepuluh kotak tidak datang" in body
    assert "dari barang yang sudah diterima baik" in body
    assert rupiah_format(30 * 25_000 + 75_000) in body  # 30 boxes and their PBJT


def test_the_withholding_summary_lists_the_years_payments_and_downloads(world):
    purchase, order, payment = received_and_paid(world)
    client = client_of(world.ani)
    year = payment.paid_on.year
    # the page: the payment with its agency, order, taxes and totals
    body = client.get(reverse("procurement:seller-withholdings")).content.decode()
    assert order.number in body and world.agency.name in body and "22-910-01" in body
    assert rupiah_format(payment.gross) in body and rupiah_format(payment.net) in body
    # the CSV: one row per withholding, gross and net on the payment's first row only
    response = client.get(
        reverse("procurement:seller-withholdings-export", kwargs={"year": year, "fmt": "csv"})
    )
    assert response.status_code == 200 and "potongan-pajak-" in response["Content-Disposition"]
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    header, lines = rows[0], rows[1:]
    assert header[:5] == ["Tanggal bayar", "OPD", "Nomor pesanan", "Cara bayar", "Total tagihan (Rp)"]
    assert len(lines) == payment.withholdings.count() == 2
    assert {line[6] for line in lines} == {"22-910-01", ""}  # PPh 22 and the PPN collected
    assert lines[0][4] == str(int(payment.gross)) and lines[0][-1] == str(int(payment.net))
    assert lines[1][4] == "" and lines[1][-1] == ""
    assert sum(int(line[9]) for line in lines) == payment.withheld
    pph22 = next(line for line in lines if line[6] == "22-910-01")
    assert (pph22[5], pph22[8]) == ("PPh 22", "1.5")
    # the XLSX: the same rows, numbers as numbers
    response = client.get(
        reverse("procurement:seller-withholdings-export", kwargs={"year": year, "fmt": "xlsx"})
    )
    sheet = load_workbook(io.BytesIO(response.content)).active
    values = list(sheet.values)
    assert list(values[0]) == header and len(values) == 3
    assert values[1][2] == order.number and values[1][4] == int(payment.gross)
    # another year has nothing
    body = client.get(reverse("procurement:seller-withholdings"), {"tahun": year - 1}).content.decode()
    assert "Belum ada pembayaran OPD pada tahun" in body and order.number not in body


def test_another_shop_sees_none_of_it(world, shopper_client):
    purchase, order, payment = received_and_paid(world)
    darto = client_of(world.darto)
    # Darto's own summary lists nothing of Ani's
    body = darto.get(reverse("procurement:seller-withholdings")).content.decode()
    assert order.number not in body and "22-910-01" not in body
    export = darto.get(
        reverse("procurement:seller-withholdings-export", kwargs={"year": payment.paid_on.year, "fmt": "csv"})
    )
    assert order.number not in export.content.decode("utf-8-sig")
    # asking for Ani's shop is a 404, Ani's order page too
    assert darto.get(reverse("procurement:seller-withholdings"), {"toko": world.ani.pk}).status_code == 404
    url = reverse("sellers:centre-order-detail", kwargs={"number": order.number})
    assert darto.get(url).status_code == 404
    # and someone with no shop is refused
    assert shopper_client.get(reverse("procurement:seller-withholdings")).status_code == 403


def test_an_unknown_format_or_year_is_not_found(world):
    client = client_of(world.ani)
    url = reverse("procurement:seller-withholdings-export", kwargs={"year": 2026, "fmt": "pdf"})
    assert client.get(url).status_code == 404
    url = reverse("procurement:seller-withholdings-export", kwargs={"year": 99999, "fmt": "csv"})
    assert client.get(url).status_code == 404
    assert client.get(reverse("procurement:seller-withholdings"), {"tahun": "dua"}).status_code == 404
