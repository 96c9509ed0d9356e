"""The treasurer's pages: paying a received official order (transfer, LS, KKPD card), depositing its taxes."""

import re
from decimal import Decimal

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from payments.models import PaymentStatus
from peken.money import rupiah_format
from procurement.context_processors import procurement, roles_forget, roles_of
from procurement.models import BudgetLine, Membership, OfficialPayment, TaxDeposit, TaxWithholding
from procurement.selectors_fulfilment import order_tax_quote
from procurement.services import ReceivedLine, goods_receipt_record, official_payment_record
from procurement.statuses import OfficialPaymentStatus, PaymentMethod, Role
from procurement.tax import TaxKind
from tests.fulfilment_world import delivered, fulfilment_world
from tests.procurement_factories import person_with_roles

OK_CARD = "4242424242424242"


@pytest.fixture
def world(db, indonesia, settings):
    settings.PEKEN_OFFICIAL_SELLER_CAP = 10**12
    return fulfilment_world()


def received(world, seller):
    """The seller's order of a new purchase, all of it received and accepted by the PPK."""
    order = delivered(world).orders[seller.pk]
    goods_receipt_record(
        order=order,
        actor=world.ppk,
        received_on=timezone.localdate(),
        lines={
            line.pk: ReceivedLine(received=line.quantity, accepted=line.quantity)
            for line in order.lines.all()
        },
    )
    order.refresh_from_db()
    return order


def client_of(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def page_url(order) -> str:
    return reverse("procurement:payment", kwargs={"number": order.number})


def card_url(order) -> str:
    return reverse("procurement:payment-card", kwargs={"number": order.number})


def shown(response) -> str:
    return response.content.decode()


def test_the_treasurer_sees_the_taxes_and_pays_by_transfer(world):
    # given Bu Ani's order (PKP, goods) received in full: 30 x Rp75.000 + 10 x Rp36.000
    order = received(world, world.ani)
    fitri = client_of(world.treasurer)
    realised_before = BudgetLine.objects.get(pk=world.line.pk).realised

    # when the treasurer opens Pembayaran, then the order waits there and the header counts it
    listing = fitri.get(reverse("procurement:payments"))
    assert listing.status_code == 200
    assert f'data-to-pay="{order.number}"' in shown(listing)
    assert 'data-to-pay-count="1"' in shown(listing)

    # and its page shows what was accepted and the taxes of a payment today
    page = fitri.get(page_url(order))
    body = shown(page)
    assert page.status_code == 200
    assert rupiah_format(Decimal("2610000")) in body  # the price of what was accepted
    assert "22-910-01" in body and rupiah_format(Decimal("39150")) in body  # PPh 22, 1.5%
    assert "dipungut bendahara" in body  # PPN above Rp2 juta is collected
    quote = order_tax_quote(order=order, on=timezone.localdate())
    assert rupiah_format(quote.net_paid_to_seller) in body
    assert "Nota (bukti pembelian)" in body and "data-payment-form" in body  # up to Rp10 juta

    # when the treasurer records a transfer
    response = fitri.post(
        page_url(order),
        {
            "method": PaymentMethod.UP_TRANSFER,
            "paid_on": timezone.localdate().isoformat(),
            "bank_reference": "TRX-0042",
        },
        follow=True,
    )

    # then the payment is recorded and the message tells the net paid and the taxes withheld
    payment = OfficialPayment.objects.get(order=order)
    assert (payment.status, payment.method, payment.bank_reference) == (
        OfficialPaymentStatus.PAID,
        PaymentMethod.UP_TRANSFER,
        "TRX-0042",
    )
    body = shown(response)
    assert rupiah_format(payment.net) in body and rupiah_format(payment.withheld) in body
    assert "tercatat" in body
    # and the page now shows the recorded payment, its withholdings with their codes, and no form
    assert 'data-payment="lunas"' in body and 'data-withholding="pph22"' in body
    assert "TRX-0042" in body and "data-payment-form" not in body
    assert BudgetLine.objects.get(pk=world.line.pk).realised == realised_before + payment.gross
    # and the order left the treasurer's list
    assert f'data-to-pay="{order.number}"' not in shown(fitri.get(reverse("procurement:payments")))


def test_ls_without_its_sp2d_is_refused_and_the_typed_values_stay(world):
    order = received(world, world.ani)
    fitri = client_of(world.treasurer)
    # when the treasurer picks LS, gives the SP2D date but forgets its number
    response = fitri.post(
        page_url(order),
        {"method": PaymentMethod.LS, "paid_on": "2026-01-05", "sp2d_date": "2026-01-04", "sp2d_number": " "},
    )
    # then nothing is paid, the page says what is missing and keeps what was typed
    assert response.status_code == 200
    body = shown(response)
    assert "Isi nomor dan tanggal SP2D." in body
    assert 'value="2026-01-04"' in body and 'value="2026-01-05"' in body
    assert re.search(r'value="ls"\s+id="id_method_\d" checked', body)
    assert not OfficialPayment.objects.filter(order=order).exists()


def test_the_requester_cannot_pay_their_own_purchase_and_is_told_who_can(world):
    # given the requester also holds the treasurer role of the agency
    Membership.objects.create(user=world.requester, agency=world.agency, role=Role.TREASURER)
    roles_forget(world.requester.pk)
    order = received(world, world.ani)
    rina = client_of(world.requester)
    # when she opens the order's payment page, then she is told she may not, and who may
    page = rina.get(page_url(order))
    assert page.status_code == 200
    assert "data-pay-refusal" in shown(page) and "Fitri Uji" in shown(page)
    assert "data-payment-form" not in shown(page)
    # and a payment she posts anyway is refused with the same names
    response = rina.post(
        page_url(order),
        {"method": PaymentMethod.UP_CASH, "paid_on": timezone.localdate().isoformat()},
    )
    assert "Anda pemohon pembelian ini" in shown(response) and "Fitri Uji" in shown(response)
    assert not OfficialPayment.objects.filter(order=order).exists()
    # and the order is not in her list to pay
    assert f'data-to-pay="{order.number}"' not in shown(rina.get(reverse("procurement:payments")))


def test_a_second_payment_of_the_same_order_is_refused(world):
    # given the order paid by Fitri, and a second treasurer of the agency
    order = received(world, world.ani)
    official_payment_record(
        order=order,
        actor=world.treasurer,
        method=PaymentMethod.UP_CASH,
        paid_on=timezone.localdate(),
    )
    gita = person_with_roles(agency=world.agency, roles=[Role.TREASURER], email="gita@dinkes.uji")
    # when the second treasurer posts a payment of it (a stale page)
    response = client_of(gita).post(
        page_url(order),
        {
            "method": PaymentMethod.UP_TRANSFER,
            "paid_on": timezone.localdate().isoformat(),
            "bank_reference": "X1",
        },
    )
    # then it is refused, naming who paid, and there is still one payment
    assert response.status_code == 200
    assert "sudah dibayar oleh Fitri Uji" in shown(response)
    assert OfficialPayment.objects.filter(order=order).count() == 1


def test_readers_see_the_page_but_cannot_pay_and_others_get_404(world):
    order = received(world, world.ani)
    pa = client_of(world.pa)
    assert pa.get(page_url(order)).status_code == 200
    assert "data-payment-form" not in shown(pa.get(page_url(order)))
    assert pa.post(page_url(order), {"method": PaymentMethod.UP_CASH}).status_code == 404
    assert client_of(world.pp).get(page_url(order)).status_code == 404
    assert client_of(world.receiver).get(page_url(order)).status_code == 404


def test_a_kkpd_card_payment_through_localstripe_settles_and_realises_the_budget(world, localstripe):
    # given the caterer's order (PBJT, catering: PPh 23) received in full
    order = received(world, world.darto)
    fitri = client_of(world.treasurer)
    realised_before = BudgetLine.objects.get(pk=world.line.pk).realised

    # when the treasurer opens the page, then the card section loads Stripe.js, which the CSP allows
    page = fitri.get(page_url(order))
    assert 'id="card_payment"' in shown(page) and localstripe.url + "/js.stripe.com/v3/" in shown(page)
    script_src = next(
        part for part in page.headers["Content-Security-Policy"].split(";") if "script-src" in part
    )
    assert localstripe.url in script_src

    # when the page asks for the intent (as card-payment.js does) and Stripe.js confirms the card
    intent = fitri.post(card_url(order), {"action": "card_intent"})
    assert intent.status_code == 200, intent.content
    data = intent.json()
    pending = OfficialPayment.objects.get(order=order)
    assert pending.status == OfficialPaymentStatus.PENDING and pending.method == PaymentMethod.KKPD
    assert localstripe.card_confirm(data["client_secret"], OK_CARD)[0] == 200
    # and the form is submitted
    response = fitri.post(card_url(order), {"action": "card_confirm"}, follow=True)

    # then the payment is settled: the card charged the net, the budget realised the gross
    payment = OfficialPayment.objects.get(order=order)
    assert payment.status == OfficialPaymentStatus.PAID and payment.date_paid is not None
    assert payment.card_payment.status == PaymentStatus.SUCCEEDED
    assert payment.card_payment.amount == payment.net
    assert payment.pbjt > 0 and payment.withholdings.get().tax == TaxKind.PPH23
    assert payment.withholdings.get().object_code == "24-104-39"
    assert BudgetLine.objects.get(pk=world.line.pk).realised == realised_before + payment.gross
    body = shown(response)
    assert rupiah_format(payment.net) in body and 'data-payment="lunas"' in body
    assert 'id="card_payment"' not in body
    # and a second confirmation changes nothing
    fitri.post(card_url(order), {"action": "card_confirm"})
    assert OfficialPayment.objects.filter(order=order).count() == 1
    assert BudgetLine.objects.get(pk=world.line.pk).realised == realised_before + payment.gross


def test_a_waiting_card_payment_is_not_settled_unpaid_and_can_be_cancelled(world, localstripe):
    order = received(world, world.darto)
    fitri = client_of(world.treasurer)
    assert fitri.post(card_url(order), {"action": "card_intent"}).status_code == 200
    # when the form is submitted before any card was confirmed, then it says so and nothing is paid
    response = fitri.post(card_url(order), {"action": "card_confirm"}, follow=True)
    assert "belum berhasil" in shown(response)
    assert OfficialPayment.objects.get(order=order).status == OfficialPaymentStatus.PENDING
    # and the page offers to finish or cancel it, not another method
    assert "data-card-cancel" in shown(response) and "data-payment-form" not in shown(response)
    # when the treasurer cancels it, then the order can be paid another way
    response = fitri.post(card_url(order), {"action": "card_cancel"}, follow=True)
    assert OfficialPayment.objects.get(order=order).status == OfficialPaymentStatus.CANCELLED
    assert "data-payment-form" in shown(response)
    assert f'data-to-pay="{order.number}"' in shown(fitri.get(reverse("procurement:payments")))


def test_the_deposit_page_records_a_deposit_and_shows_the_withholdings_deposited(world):
    # given Bu Ani's order paid today: PPN collected and PPh 22 withheld
    order = received(world, world.ani)
    today = timezone.localdate()
    payment = official_payment_record(
        order=order, actor=world.treasurer, method=PaymentMethod.UP_CASH, paid_on=today
    )
    pph22 = payment.withholdings.get(tax=TaxKind.PPH22)
    url = reverse(
        "procurement:tax-deposits",
        kwargs={"code": world.agency.code, "year": today.year, "month": today.month},
    )
    fitri = client_of(world.treasurer)

    # when the treasurer opens the month, then both taxes wait to be deposited, ticked
    page = shown(fitri.get(url))
    assert 'data-tax-kind="ppn"' in page and 'data-tax-kind="pph22"' in page
    assert f'data-open-withholding="{pph22.pk}"' in page
    assert f'value="{pph22.pk}" id="id_pph22-w{pph22.pk}" checked' in page

    # when a billing code of 14 digits is given, then it is refused and the typed values stay
    bad = fitri.post(
        url,
        {
            "tax": TaxKind.PPH22,
            "pph22-billing_code": "12345678901234",
            "pph22-ntpn": "ABCD1234EFGH5678",
            "pph22-deposited_on": today.isoformat(),
            "pph22-withholdings": [pph22.pk],
        },
    )
    assert "Kode billing terdiri dari 15 angka." in shown(bad) and 'value="ABCD1234EFGH5678"' in shown(bad)
    assert not TaxDeposit.objects.exists()

    # when the PPh 22 deposit is recorded
    response = fitri.post(
        url,
        {
            "tax": TaxKind.PPH22,
            "pph22-billing_code": "123456789012345",
            "pph22-ntpn": "abcd1234efgh5678",
            "pph22-deposited_on": today.isoformat(),
            "pph22-withholdings": [pph22.pk],
        },
        follow=True,
    )

    # then the withholding is deposited under that NTPN and the page shows it so; the PPN still waits
    deposit = TaxDeposit.objects.get()
    assert (deposit.ntpn, deposit.amount, deposit.tax) == ("ABCD1234EFGH5678", pph22.amount, TaxKind.PPH22)
    assert TaxWithholding.objects.get(pk=pph22.pk).deposit == deposit
    body = shown(response)
    assert 'data-deposit="ABCD1234EFGH5678"' in body and f'data-deposited-withholding="{pph22.pk}"' in body
    assert "123456789012345" in body and f'data-open-withholding="{pph22.pk}"' not in body
    ppn = payment.withholdings.get(tax=TaxKind.PPN)
    assert f'data-open-withholding="{ppn.pk}"' in body

    # and readers see the page but may not post; others get 404
    assert client_of(world.pa).get(url).status_code == 200
    assert client_of(world.pa).post(url, {"tax": TaxKind.PPN}).status_code == 404
    assert client_of(world.requester).get(url).status_code == 404


def test_a_card_already_charged_cannot_be_cancelled_and_settles_instead(world, localstripe):
    # given a KKPD intent the card confirmed at Stripe, before the page came back
    order = received(world, world.darto)
    fitri = client_of(world.treasurer)
    secret = fitri.post(card_url(order), {"action": "card_intent"}).json()["client_secret"]
    assert localstripe.card_confirm(secret, OK_CARD)[0] == 200
    # when the treasurer cancels it, then it is refused and the payment is settled
    response = fitri.post(card_url(order), {"action": "card_cancel"}, follow=True)
    assert "tidak bisa dibatalkan" in shown(response)
    payment = OfficialPayment.objects.get(order=order)
    assert payment.status == OfficialPaymentStatus.PAID and 'data-payment="lunas"' in shown(response)


def test_the_treasurers_menu_link_costs_one_query(world, rf, django_assert_num_queries):
    # given two orders waiting for the treasurer, whose roles are cached as on every page
    for seller in (world.ani, world.darto):
        received(world, seller)
    request = rf.get("/")
    request.user, request.session = world.treasurer, {}
    roles_of(world.treasurer)
    # when the header is read, then the count is one query besides the approver inbox's
    with django_assert_num_queries(2):
        header = procurement(request)["procurement"]
        assert header.is_treasurer and header.to_pay_count == 2
    # and a member who is not a treasurer gets no link and no such query (the agency admin: a
    # receiver would pay one query for the orders to receive)
    request.user = world.admin
    roles_of(world.admin)
    with django_assert_num_queries(1):
        assert not procurement(request)["procurement"].is_treasurer
