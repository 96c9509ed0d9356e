"""The receipt pages of official orders, driven through the pages: the inbox, recording a delivery (BAST),
the order's history, refusals, a form that keeps what was typed, and closing an order short.
"""

import re
from datetime import timedelta
from decimal import Decimal
from html import unescape

import pytest
from django.contrib.messages import get_messages
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from orders.statuses import OrderStatus
from peken.money import rupiah_format
from procurement.models import BudgetLine, GoodsReceipt, OrderShortClosure
from procurement.services import official_payment_record
from procurement.statuses import PaymentMethod, Role
from tests.factories import UserFactory
from tests.fulfilment_world import delivered, fulfilment_world
from tests.procurement_factories import AgencyFactory, person_with_roles


@pytest.fixture
def world(db, indonesia, settings):
    settings.PEKEN_OFFICIAL_SELLER_CAP = 10**12
    return fulfilment_world()


def as_(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def receipt_url(order) -> str:
    return reverse("procurement:receipt", kwargs={"number": order.number})


def text(response) -> str:
    """The page as a person reads it: tags dropped, entities decoded, spaces squeezed."""
    body = re.sub(r"<[^>]+>", " ", response.content.decode())
    return re.sub(r"\s+", " ", unescape(body))


def bast(order, counts: dict, *, on=None, note: str = "") -> dict:
    """The receipt form's POST body: ``counts`` maps an order line to (received, accepted, reason)."""
    data = {"bast-received_on": (on or timezone.localdate()).isoformat(), "bast-note": note}
    for line, (received, accepted, reason) in counts.items():
        data[f"bast-received_{line.pk}"] = str(received)
        data[f"bast-accepted_{line.pk}"] = "" if accepted is None else str(accepted)
        data[f"bast-reason_{line.pk}"] = reason
    return data


def success(response) -> str:
    return " ".join(str(m) for m in get_messages(response.wsgi_request))


def test_the_ppk_records_a_partial_delivery_with_a_rejection_through_the_form(world):
    # given two official orders sent by their sellers
    purchase = delivered(world)
    order = purchase.orders[world.ani.pk]
    beras, minyak = order.lines.get(product=world.beras), order.lines.get(product=world.minyak)
    ppk = as_(world.ppk)
    committed = BudgetLine.objects.get(pk=world.line.pk).committed
    # when the PPK opens the inbox, then both orders wait there with what is still awaited
    inbox = ppk.get(reverse("procurement:receipts"))
    assert inbox.status_code == 200
    assert inbox.content.decode().count("data-order=") == 2
    assert "Beras Premium 5 kg (30)" in text(inbox) and purchase.requisition.reference in text(inbox)
    # and the header counts them
    assert 'data-receipt-count="2"' in inbox.content.decode()
    # when they record 20 sacks of rice arrived, 18 accepted, 2 torn
    page = ppk.get(receipt_url(order))
    assert page.status_code == 200 and "data-receipt-form" in page.content.decode()
    response = ppk.post(
        receipt_url(order),
        bast(order, {beras: (20, 18, "Karung sobek")}, on=timezone.localdate() - timedelta(days=1)),
        follow=True,
    )
    # then BAST 1 is recorded, the rejected value is released and what is still awaited is said
    assert response.redirect_chain == [(receipt_url(order), 302)]
    message = success(response)
    assert "BAST nomor 1" in message and "Rp150.000" in message
    assert "Beras Premium 5 kg (10)" in message and "Minyak Goreng 2 L (10)" in message
    receipt = GoodsReceipt.objects.get(order=order)
    assert (receipt.seq, receipt.received_by, receipt.role) == (1, world.ppk, Role.COMMITMENT_OFFICIAL)
    line = receipt.lines.get()
    assert (line.order_line_id, line.quantity_received, line.quantity_accepted) == (beras.pk, 20, 18)
    assert line.rejection_reason == "Karung sobek"
    assert BudgetLine.objects.get(pk=world.line.pk).committed == committed - 2 * Decimal("75000")
    # and the order is still awaited, shown on its page
    order.refresh_from_db()
    assert order.status == OrderStatus.SENT
    assert minyak.pk in {p.line.pk for p in response.context["receipt_form"].progress}


def test_the_orders_page_shows_both_basts_and_the_requisition_its_state(world):
    # given BAST 1 by the PPK, with a rejection
    purchase = delivered(world)
    order = purchase.orders[world.ani.pk]
    beras, minyak = order.lines.get(product=world.beras), order.lines.get(product=world.minyak)
    as_(world.ppk).post(receipt_url(order), bast(order, {beras: (20, 18, "Karung sobek")}))
    # when the receiver records the rest (accepted left blank: all accepted)
    response = as_(world.receiver).post(
        receipt_url(order),
        bast(order, {beras: (10, None, ""), minyak: (10, 10, "")}, note="Diantar sopir toko"),
        follow=True,
    )
    # then the order is complete and waits for the treasurer
    message = success(response)
    assert "BAST nomor 2" in message and "menunggu pembayaran bendahara" in message
    order.refresh_from_db()
    assert order.status == OrderStatus.RECEIVED
    # and its page shows both BASTs, who recorded them and the rejection's reason, read by the requester
    page = as_(world.requester).get(receipt_url(order))
    body, words = page.content.decode(), text(page)
    assert 'data-bast="1"' in body and 'data-bast="2"' in body
    assert "Citra Uji" in words and "Gilang Uji" in words and "Penerima barang" in words
    assert "Karung sobek" in words and "Diantar sopir toko" in words
    assert "data-receipt-form" not in body and "data-close-form" not in body
    accepted = 28 * Decimal("75000") + 10 * Decimal("36000")
    assert page.context["accepted_amount"] == accepted and "Rp2.460.000" in words
    # and the requisition's page says per seller order what arrived, with a link for the PPK
    detail = reverse("procurement:detail", kwargs={"reference": purchase.requisition.reference})
    for_requester = as_(world.requester).get(detail)
    ani = for_requester.content.decode().split(f'data-order="{order.number}"')[1].split("data-order=")[0]
    assert 'data-bast-count="2"' in ani and "Rp2.460.000" in ani and "data-receipt-link" in ani
    darto = purchase.orders[world.darto.pk]
    for_ppk = as_(world.ppk).get(detail).content.decode()
    assert reverse("procurement:receipt", kwargs={"number": darto.number}) in for_ppk
    assert "data-record-receipt" in for_ppk and "data-record-receipt" not in for_requester.content.decode()
    # and once the treasurer pays, both pages show the payment
    payment = official_payment_record(
        order=order,
        actor=world.treasurer,
        method=PaymentMethod.UP_TRANSFER,
        paid_on=timezone.localdate(),
        bank_reference="TRX-1",
    )
    for url in (detail, receipt_url(order)):
        shown = text(as_(world.requester).get(url))
        assert "UP/GU: transfer bank" in shown and rupiah_format(payment.net) in shown, url
        assert rupiah_format(payment.gross) in shown and payment.withheld > 0


def test_the_requester_is_refused_and_told_who_can_record(world):
    # given the requester's purchase, sent
    purchase = delivered(world)
    order = purchase.orders[world.darto.pk]
    nasi = order.lines.get(product=world.nasi)
    requester = as_(world.requester)
    # when they open the order's receipt page, then they read it and are told who records it
    page = requester.get(receipt_url(order))
    assert page.status_code == 200 and "data-receipt-form" not in page.content.decode()
    assert "Citra Uji" in text(page) and "Gilang Uji" in text(page)
    # when they post a receipt anyway
    response = requester.post(receipt_url(order), bast(order, {nasi: (40, 40, "")}))
    # then they are refused, with the message that names who can, and nothing is recorded
    assert response.status_code == 403
    words = text(response)
    assert "Anda pemohon pembelian ini" in words and "Citra Uji" in words and "Gilang Uji" in words
    assert not GoodsReceipt.objects.filter(order=order).exists()
    close = requester.post(reverse("procurement:receipt-close", kwargs={"number": order.number}), {})
    assert close.status_code == 403 and not OrderShortClosure.objects.exists()
    # and the inbox shows them nothing to receive
    inbox = requester.get(reverse("procurement:receipts"))
    assert "data-order=" not in inbox.content.decode()


def test_a_stranger_gets_404(world):
    # given a sent official order, a PPK of another agency and a shopper
    purchase = delivered(world)
    order = purchase.orders[world.darto.pk]
    nasi = order.lines.get(product=world.nasi)
    other_ppk = person_with_roles(
        agency=AgencyFactory(name="Dinas Pendidikan", code="dispendik"), roles=[Role.COMMITMENT_OFFICIAL]
    )
    admin = world.admin  # the agency's admin answers for people, not for purchases
    for stranger in (other_ppk, UserFactory(), admin):
        client = as_(stranger)
        # when they open or post the receipt pages, then they are not found
        assert client.get(receipt_url(order)).status_code == 404
        assert client.post(receipt_url(order), bast(order, {nasi: (40, 40, "")})).status_code == 404
        close = reverse("procurement:receipt-close", kwargs={"number": order.number})
        assert client.post(close, {"tutup-reason": "x"}).status_code == 404
        assert (
            purchase.requisition.reference not in client.get(reverse("procurement:receipts")).content.decode()
        )
    assert not GoodsReceipt.objects.exists() and not OrderShortClosure.objects.exists()
    # and an order number that does not exist is not found either
    assert as_(world.ppk).get(reverse("procurement:receipt", kwargs={"number": "999999"})).status_code == 404


def test_a_refused_receipt_keeps_what_was_typed(world):
    # given a sent order
    purchase = delivered(world)
    order = purchase.orders[world.ani.pk]
    beras, minyak = order.lines.get(product=world.beras), order.lines.get(product=world.minyak)
    ppk = as_(world.ppk)
    day = timezone.localdate() - timedelta(days=2)
    # when the PPK accepts more than arrived
    response = ppk.post(
        receipt_url(order),
        bast(order, {beras: (5, 7, ""), minyak: (3, 1, "Tutup bocor")}, on=day, note="Datang sore"),
    )
    # then the page says why and every typed value is still there
    assert response.status_code == 200
    body = response.content.decode()
    assert "melebihi yang datang" in text(response) and "data-refused" in body
    for name, value in (
        (f"bast-received_{beras.pk}", "5"),
        (f"bast-accepted_{beras.pk}", "7"),
        (f"bast-received_{minyak.pk}", "3"),
        (f"bast-accepted_{minyak.pk}", "1"),
        (f"bast-reason_{minyak.pk}", "Tutup bocor"),
        ("bast-received_on", day.isoformat()),
    ):
        assert re.search(rf'name="{name}"[^>]*value="{re.escape(value)}"', body), name
    assert "Datang sore" in body
    # when a rejection has no reason, then that too is refused and nothing is recorded
    response = ppk.post(receipt_url(order), bast(order, {beras: (5, 4, "")}))
    assert response.status_code == 200 and "alasan 1 ditolak" in text(response)
    # when the date is tomorrow, then the field says so
    response = ppk.post(
        receipt_url(order), bast(order, {beras: (5, 5, "")}, on=timezone.localdate() + timedelta(1))
    )
    assert response.status_code == 200 and response.context["receipt_form"].errors["received_on"]
    # when a count is a zero typed too many, then its field says so
    response = ppk.post(receipt_url(order), bast(order, {beras: (10**10, None, "")}))
    assert response.status_code == 200 and response.context["receipt_form"].errors[f"received_{beras.pk}"]
    assert not GoodsReceipt.objects.exists()


def test_closing_short_through_the_page(world):
    # given 30 of 40 lunch boxes received through the page
    purchase = delivered(world)
    order = purchase.orders[world.darto.pk]
    nasi = order.lines.get(product=world.nasi)
    ppk = as_(world.ppk)
    ppk.post(receipt_url(order), bast(order, {nasi: (30, 30, "")}))
    close = reverse("procurement:receipt-close", kwargs={"number": order.number})
    committed = BudgetLine.objects.get(pk=world.line.pk).committed
    # when the PPK closes it short without a reason, then the form asks for one
    response = ppk.post(close, {"tutup-reason": "  "})
    assert response.status_code == 200 and response.context["close_form"].errors["reason"]
    assert not OrderShortClosure.objects.exists()
    # when they give the reason
    response = ppk.post(close, {"tutup-reason": "Sisa 10 kotak tidak dikirim"}, follow=True)
    # then the order is closed, what never came is released and the treasurer is next
    message = success(response)
    assert "ditutup dengan kekurangan" in message and "Rp250.000" in message and "bendahara" in message
    closure = OrderShortClosure.objects.get(order=order)
    assert closure.amount_released == 10 * Decimal("25000") and closure.actor == world.ppk
    assert BudgetLine.objects.get(pk=world.line.pk).committed == committed - closure.amount_released
    order.refresh_from_db()
    assert order.status == OrderStatus.RECEIVED
    # and the page shows the closure, with nothing left to record
    page = as_(world.requester).get(receipt_url(order))
    assert "data-closure" in page.content.decode() and "Sisa 10 kotak tidak dikirim" in text(page)
    assert "10 tidak dikirim" in text(page)
    # and closing again is refused with a message
    again = ppk.post(close, {"tutup-reason": "lagi"})
    assert again.status_code == 200 and "sudah ditutup" in text(again)


def test_the_header_counts_orders_to_receive_for_the_ppk_and_receiver_only(world):
    # given two sent orders of the agency
    delivered(world)
    home = reverse("basket:summary")
    # when each opens a page, then the PPK and the receiver see the count, the others no link
    for person in (world.ppk, world.receiver):
        assert 'data-receipt-count="2"' in as_(person).get(home).content.decode()
    for person in (world.requester, world.treasurer, world.pp):
        assert "data-receipt-count" not in as_(person).get(home).content.decode()


def header_queries(client) -> int:
    url = reverse("basket:summary")
    client.get(url)
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url).status_code == 200
    return len(ctx.captured_queries)


def test_the_receipt_count_costs_the_header_one_query(world):
    # given two orders on their way, a receiver and an agency admin of the same agency
    delivered(world)
    # when each opens a page (their roles already cached), then the receiver's costs one query more
    receiver, admin = header_queries(as_(world.receiver)), header_queries(as_(world.admin))
    assert receiver - admin == 1, (receiver, admin)
