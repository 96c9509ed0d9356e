"""Receipt (BAST) of official orders: partial handovers, rejections released, short closure, who records."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from orders.statuses import OrderStatus
from procurement.models import BudgetCommitment, BudgetLine, GoodsReceipt
from procurement.services import (
    ReceiptRefused,
    ReceivedLine,
    goods_receipt_record,
    official_payment_record,
    order_close_short,
)
from procurement.statuses import CommitmentStatus, PaymentMethod
from tests.fulfilment_world import delivered, fulfilment_world


@pytest.fixture
def world(db, indonesia, settings):
    settings.PEKEN_OFFICIAL_SELLER_CAP = 10**12
    return fulfilment_world()


def _line(order, product):
    return order.lines.get(product=product)


def test_two_handovers_with_a_rejection_then_payment_realises_the_gross(world):
    purchase = delivered(world)
    order = purchase.orders[world.ani.pk]
    beras, minyak = _line(order, world.beras), _line(order, world.minyak)
    today = timezone.localdate()
    first = goods_receipt_record(
        order=order,
        actor=world.ppk,
        received_on=today - timedelta(days=1),
        lines={beras.pk: ReceivedLine(received=20, accepted=18, reason="Karung sobek")},
    )
    assert first.seq == 1
    line = BudgetLine.objects.get(pk=world.line.pk)
    total = purchase.requisition.total
    assert line.committed == total - 2 * Decimal("75000")
    second = goods_receipt_record(
        order=order,
        actor=world.receiver,
        received_on=today,
        lines={
            beras.pk: ReceivedLine(received=10, accepted=10),
            minyak.pk: ReceivedLine(received=10, accepted=10),
        },
    )
    assert second.seq == 2
    order.refresh_from_db()
    assert order.status == OrderStatus.RECEIVED
    payment = official_payment_record(
        order=order,
        actor=world.treasurer,
        method=PaymentMethod.UP_TRANSFER,
        paid_on=today,
        bank_reference="TRX1",
    )
    accepted = 28 * Decimal("75000") + 10 * Decimal("36000")
    assert payment.price == accepted
    assert payment.ppn > 0 and payment.gross == payment.price + payment.ppn
    assert payment.gross == payment.net + payment.withheld
    line.refresh_from_db()
    assert line.realised == payment.gross
    commitment = BudgetCommitment.objects.get(requisition=purchase.requisition)
    assert commitment.status == CommitmentStatus.LIVE  # the caterer is not paid yet
    assert line.committed == commitment.amount
    assert GoodsReceipt.objects.filter(order=order).count() == 2


def test_the_requester_cannot_record_receipt_and_is_told_who_can(world):
    purchase = delivered(world)
    order = purchase.orders[world.darto.pk]
    with pytest.raises(ReceiptRefused, match="Citra Uji"):
        goods_receipt_record(
            order=order,
            actor=world.requester,
            received_on=timezone.localdate(),
            lines={_line(order, world.nasi).pk: ReceivedLine(received=40, accepted=40)},
        )


def test_closing_short_releases_what_never_came(world):
    purchase = delivered(world)
    order = purchase.orders[world.darto.pk]
    nasi = _line(order, world.nasi)
    goods_receipt_record(
        order=order, actor=world.ppk, received_on=timezone.localdate(), lines={nasi.pk: ReceivedLine(30, 30)}
    )
    before = BudgetLine.objects.get(pk=world.line.pk).committed
    closure = order_close_short(order=order, actor=world.ppk, reason="Sisa 10 kotak tidak dikirim")
    assert closure.amount_released == 10 * Decimal("25000")
    assert BudgetLine.objects.get(pk=world.line.pk).committed == before - closure.amount_released
    order.refresh_from_db()
    assert order.status == OrderStatus.RECEIVED
