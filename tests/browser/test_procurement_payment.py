"""The treasurer pays an official order with the KKPD card in headless Chromium, through localstripe."""

import re

import pytest
from django.utils import timezone

from procurement.models import OfficialPayment
from procurement.services import ReceivedLine, goods_receipt_record
from procurement.statuses import OfficialPaymentStatus, PaymentMethod
from tests.browser.conftest import PHONE, sign_in
from tests.browser.test_card_payment import card_type
from tests.factories import DEFAULT_PASSWORD
from tests.fulfilment_world import delivered, fulfilment_world

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_the_treasurer_pays_by_kkpd_card_on_a_phone(open_page, shots, localstripe, indonesia, settings):
    # given the caterer's order of an approved purchase, received in full
    settings.PEKEN_OFFICIAL_SELLER_CAP = 10**12
    world = fulfilment_world()
    order = delivered(world).orders[world.darto.pk]
    goods_receipt_record(
        order=order,
        actor=world.ppk,
        received_on=timezone.localdate(),
        lines={
            line.pk: ReceivedLine(received=line.quantity, accepted=line.quantity)
            for line in order.lines.all()
        },
    )
    page = open_page(PHONE)
    sign_in(page, world.treasurer.email, DEFAULT_PASSWORD)

    # when the treasurer opens Pembayaran and the order
    page.goto("/pengadaan/pembayaran/")
    shots(page, "list-phone")
    page.locator(f"[data-to-pay='{order.number}'] a").click()
    page.wait_for_selector("#card-element input")
    shots(page, "payment-phone")

    # and pays with the KKPD card
    card_type(page, "4242424242424242")
    page.locator("#pay-by-card").click()

    # then the page comes back with the payment recorded
    page.wait_for_selector("[data-payment='lunas']", timeout=30_000)
    shots(page, "paid-phone")
    payment = OfficialPayment.objects.get(order=order)
    assert (payment.status, payment.method) == (OfficialPaymentStatus.PAID, PaymentMethod.KKPD)
    assert re.search(r"tercatat", page.content())

    # and the month's taxes show the PPh 23 to deposit
    page.goto(f"/pengadaan/setoran-pajak/{world.agency.code}/{payment.paid_on.year}/{payment.paid_on.month}/")
    shots(page, "deposits-phone")
    assert page.locator("[data-tax-kind='pph23']").count() == 1
