"""Receipt and payment of one official order racing on PostgreSQL: real transactions in threads."""

import pytest
from django.db import connection
from django.db.models import Sum
from django.utils import timezone

from orders.statuses import OrderStatus
from payments import services as payments
from payments.models import Payment
from procurement import selectors_fulfilment as fulfilment
from procurement.models import AuditEntry, GoodsReceipt, GoodsReceiptLine, OfficialPayment, OrderShortClosure
from procurement.services import (
    PaymentAlreadyRecorded,
    PaymentRefused,
    ReceiptRefused,
    ReceivedLine,
    goods_receipt_record,
    official_payment_card_cancel,
    official_payment_card_confirm,
    official_payment_card_start,
    official_payment_record,
    order_close_short,
)
from procurement.statuses import OfficialPaymentStatus, PaymentMethod, Role
from tests.budget_identities import assert_budget_identities
from tests.concurrency import run_at_once
from tests.factories import CountryFactory
from tests.fulfilment_world import delivered, fulfilment_world
from tests.procurement_factories import person_with_roles
from tests.stripe_server import intent_event

OK_CARD = "4242424242424242"

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(connection.vendor != "postgresql", reason="row locks need PostgreSQL"),
]


@pytest.fixture
def world(settings):
    settings.PEKEN_OFFICIAL_SELLER_CAP = 10**12
    CountryFactory()
    world = fulfilment_world()
    world.second_treasurer = person_with_roles(
        agency=world.agency, roles=[Role.TREASURER], email="hadi@dinkes.uji"
    )
    return world


def _caterer_order(world, *, received: int = 0):
    """The caterer's sent order of 40 lunch boxes, ``received`` of them already recorded."""
    order = delivered(world).orders[world.darto.pk]
    if received:
        goods_receipt_record(
            order=order,
            actor=world.ppk,
            received_on=timezone.localdate(),
            lines={order.lines.get().pk: ReceivedLine(received, received)},
        )
    return order


def _receive(order, actor, count):
    return lambda: goods_receipt_record(
        order=order,
        actor=actor,
        received_on=timezone.localdate(),
        lines={order.lines.get().pk: ReceivedLine(count, count)},
    )


def test_two_treasurers_paying_the_same_order_at_once_pay_it_once(world):
    # given a received order
    order = _caterer_order(world, received=40)
    # when two treasurers pay it by transfer at the same moment
    results = run_at_once(
        [
            lambda who=who, ref=ref: official_payment_record(
                order=order,
                actor=who,
                method=PaymentMethod.UP_TRANSFER,
                paid_on=timezone.localdate(),
                bank_reference=ref,
            )
            for who, ref in ((world.treasurer, "TRX-A"), (world.second_treasurer, "TRX-B"))
        ]
    )
    # then one payment stands and the other treasurer is told it is paid
    paid = [r for r in results if isinstance(r, OfficialPayment)]
    refused = [r for r in results if isinstance(r, PaymentAlreadyRecorded)]
    assert len(paid) == 1 and len(refused) == 1, results
    assert refused[0].payment.pk == paid[0].pk
    assert OfficialPayment.objects.filter(order=order).count() == 1
    # and the budget line realised its gross once
    line = assert_budget_identities(world.line)
    assert line.realised == paid[0].gross
    assert AuditEntry.objects.filter(action="budget.realise").count() == 1


def test_two_receivers_recording_the_last_delivery_at_once_never_over_receive(world):
    # given 30 of 40 boxes recorded
    order = _caterer_order(world, received=30)
    # when the receiver and the PPK each record the last 10 at the same moment
    results = run_at_once([_receive(order, world.receiver, 10), _receive(order, world.ppk, 10)])
    # then one handover is recorded, the other refused, and no more than ordered is received
    assert sum(isinstance(r, GoodsReceipt) for r in results) == 1, results
    assert sum(isinstance(r, ReceiptRefused) for r in results) == 1, results
    received = GoodsReceiptLine.objects.filter(order_line__order=order).aggregate(s=Sum("quantity_received"))
    assert received["s"] == 40
    assert list(GoodsReceipt.objects.filter(order=order).values_list("seq", flat=True)) == [1, 2]
    order.refresh_from_db()
    assert order.status == OrderStatus.RECEIVED
    assert_budget_identities(world.line)


def test_two_partial_handovers_at_once_cannot_both_take_what_is_left(world):
    # given 30 of 40 boxes recorded
    order = _caterer_order(world, received=30)
    # when two people record 6 each at the same moment (12 > the 10 left)
    results = run_at_once([_receive(order, world.receiver, 6), _receive(order, world.ppk, 6)])
    # then one is refused and what was received stays within the order
    assert sum(isinstance(r, GoodsReceipt) for r in results) == 1, results
    refusal = next(r for r in results if isinstance(r, ReceiptRefused))
    assert "tinggal 4" in str(refusal)
    received = GoodsReceiptLine.objects.filter(order_line__order=order).aggregate(s=Sum("quantity_received"))
    assert received["s"] == 36
    assert_budget_identities(world.line)


def test_a_handover_and_a_short_closure_at_once_stay_consistent(world):
    # given 30 of 40 boxes recorded
    order = _caterer_order(world, received=30)
    committed = assert_budget_identities(world.line).committed
    # when the receiver records the last 10 while the PPK closes the order short
    results = run_at_once(
        [
            _receive(order, world.receiver, 10),
            lambda: order_close_short(order=order, actor=world.ppk, reason="Sisa tidak dikirim"),
        ]
    )
    # then exactly one of them happened
    done = [r for r in results if not isinstance(r, Exception)]
    assert len(done) == 1 and sum(isinstance(r, ReceiptRefused) for r in results) == 1, results
    progress = fulfilment.order_progress(order=order)
    (line,) = progress
    assert fulfilment.order_receipt_complete(progress)
    assert line.received + line.never_delivered == 40
    order.refresh_from_db()
    assert order.status == OrderStatus.RECEIVED
    # and the line released the missing boxes only if the closure won
    line_now = assert_budget_identities(world.line)
    if isinstance(done[0], OrderShortClosure):
        assert (line.received, line_now.committed) == (30, committed - 10 * 25000)
    else:
        assert (line.received, line_now.committed) == (40, committed)
        assert not OrderShortClosure.objects.exists()


def test_the_card_confirmation_and_stripes_webhook_at_once_settle_once(world, localstripe):
    # given a KKPD payment whose card Stripe charged
    order = _caterer_order(world, received=40)
    started = official_payment_card_start(order=order, actor=world.treasurer)
    assert localstripe.card_confirm(started.intent.client_secret, OK_CARD)[0] == 200
    event = intent_event(
        "evt_race_1",
        "payment_intent.succeeded",
        intent_id=started.intent.id,
        amount_minor=int(started.net) * 100,
    )
    # when the treasurer's page confirms while Stripe's webhook arrives
    results = run_at_once(
        [
            lambda: official_payment_card_confirm(payment=started, actor=world.treasurer),
            lambda: payments.stripe_event_handle(event=event),
        ]
    )
    # then neither failed and the payment was settled and realised once
    assert [r for r in results if isinstance(r, Exception)] == []
    started.refresh_from_db()
    assert started.status == OfficialPaymentStatus.PAID
    assert AuditEntry.objects.filter(action="budget.realise").count() == 1
    assert assert_budget_identities(world.line).realised == started.gross


def test_two_treasurers_starting_a_card_payment_at_once_share_one(world, localstripe):
    # given a received order
    order = _caterer_order(world, received=40)
    # when two treasurers start a KKPD payment at the same moment, then both get one payment and one intent
    results = run_at_once(
        [
            lambda who=who: official_payment_card_start(order=order, actor=who)
            for who in (world.treasurer, world.second_treasurer)
        ]
    )
    assert [r for r in results if isinstance(r, Exception)] == []
    assert results[0].pk == results[1].pk and results[0].intent.id == results[1].intent.id
    assert OfficialPayment.objects.count() == 1
    assert Payment.objects.count() == 1


def test_a_cancel_and_stripes_webhook_at_once_never_keep_the_money_of_a_cancelled_payment(world, localstripe):
    # given a KKPD payment whose card Stripe charged, its news not yet in
    order = _caterer_order(world, received=40)
    started = official_payment_card_start(order=order, actor=world.treasurer)
    assert localstripe.card_confirm(started.intent.client_secret, OK_CARD)[0] == 200
    event = intent_event(
        "evt_race_2",
        "payment_intent.succeeded",
        intent_id=started.intent.id,
        amount_minor=int(started.net) * 100,
    )
    # when the treasurer cancels it while Stripe's webhook arrives
    results = run_at_once(
        [
            lambda: official_payment_card_cancel(payment=started, actor=world.treasurer),
            lambda: payments.stripe_event_handle(event=event),
        ]
    )
    # then the webhook was handled, and either the payment is paid (the cancel refused) or it is
    # cancelled and the card refunded in full
    assert not isinstance(results[1], Exception), results
    started.refresh_from_db()
    card = Payment.objects.get(pk=started.card_payment_id)
    if started.status == OfficialPaymentStatus.PAID:
        assert isinstance(results[0], PaymentRefused), results
        assert card.amount_refunded == 0
        assert assert_budget_identities(world.line).realised == started.gross
    else:
        assert started.status == OfficialPaymentStatus.CANCELLED
        assert card.amount_refunded == card.amount
        assert assert_budget_identities(world.line).realised == 0
