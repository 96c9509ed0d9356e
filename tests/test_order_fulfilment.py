"""A seller's order from placement to receipt, through one transition table."""

import threading
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta
from decimal import Decimal

import pytest
from django.core import mail
from django.db import connection
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from oscar.core.loading import get_model

from checkout.shipping.methods import LOCAL
from orders import services
from orders.statuses import OrderStatus, Party
from tests.checkout_flow import ADDRESS, basket_add, checkout_to_preview, order_place
from tests.factories import PartnerFactory, UserFactory, product_create

Order = get_model("order", "Order")
SellerDelivery = get_model("shipping", "SellerDelivery")
StockRecord = get_model("partner", "StockRecord")


@pytest.fixture
def seller_user(db):
    return UserFactory(email="bu.sri@toko.id")


@pytest.fixture
def placed(shopper_client, seller_user, indonesia):
    """A Genteng shop's order of 3 packs of rice, delivered by the shop, paid on delivery."""
    shop = PartnerFactory(name="Toko Bu Sri", kecamatan="Genteng")
    shop.users.add(seller_user)
    SellerDelivery.objects.create(seller=shop, local_fee=Decimal("5000"))
    product = product_create(title="Beras Setra Ramos", partner=shop, stock=10)
    basket_add(shopper_client, product, quantity=3)
    checkout_to_preview(shopper_client, address={**ADDRESS, "line3": "Kec. Genteng"},
                        shipping={shop.pk: LOCAL})
    order_place(shopper_client)
    mail.outbox.clear()
    return Order.objects.get()


def test_seller_accepts_and_sends_then_the_buyer_confirms_receipt(
    placed, shopper, seller_user, shopper_client, django_capture_on_commit_callbacks
):
    # given a new delivered order; when the seller accepts and marks it sent on the page
    seller_client = Client()
    seller_client.force_login(seller_user)
    url = reverse("orders:transition", kwargs={"number": placed.number})
    with django_capture_on_commit_callbacks(execute=True):
        assert seller_client.post(url, {"status": OrderStatus.ACCEPTED}).status_code == 302
        assert seller_client.post(url, {"status": OrderStatus.SENT}).status_code == 302
        # and the buyer confirms receipt from their order page
        shopper_client.post(url, {"status": OrderStatus.RECEIVED})

    # then the order is received, every move is recorded with who made it,
    # the stock left the shelf, and the buyer was told of each seller move
    placed.refresh_from_db()
    assert placed.status == OrderStatus.RECEIVED
    moves = [(c.old_status, c.new_status, c.party, c.actor) for c in
             placed.status_changes.order_by("date_created", "pk")]
    assert moves == [
        ("", "Baru", Party.BUYER, shopper),
        ("Baru", "Diproses", Party.SELLER, seller_user),
        ("Diproses", "Dikirim", Party.SELLER, seller_user),
        ("Dikirim", "Selesai", Party.BUYER, shopper),
    ]
    record = StockRecord.objects.get()
    assert (record.num_in_stock, record.num_allocated) == (7, 0)
    assert [m.to for m in mail.outbox] == [[shopper.email], [shopper.email], [seller_user.email]]
    assert "Dikirim" in mail.outbox[1].subject


@pytest.mark.parametrize("party, status, message", [
    (Party.BUYER, OrderStatus.ACCEPTED, "tidak bisa diubah ke Diproses penjual"),
    (Party.SELLER, OrderStatus.RECEIVED, "tidak bisa diubah ke Selesai"),
    (Party.SELLER, OrderStatus.REJECTED, "Tuliskan alasannya."),
])
def test_an_illegal_move_is_refused_with_a_clear_message(placed, shopper, seller_user, party, status,
                                                         message):
    # given a new order; when someone makes a move the table or the rules forbid
    actor = shopper if party == Party.BUYER else seller_user
    with pytest.raises(services.OrderStatusError, match=message):
        services.order_status_change(order=placed, actor=actor, party=party, status=status)

    # then nothing changed
    placed.refresh_from_db()
    assert placed.status == OrderStatus.NEW


def test_a_delivered_order_cannot_be_marked_ready_for_pickup(placed, seller_user):
    services.order_status_change(order=placed, actor=seller_user, party=Party.SELLER,
                                 status=OrderStatus.ACCEPTED)
    with pytest.raises(services.OrderStatusError, match="tandai sebagai dikirim"):
        services.order_status_change(order=placed, actor=seller_user, party=Party.SELLER,
                                     status=OrderStatus.READY)


def test_rejection_with_a_reason_puts_the_stock_back_and_tells_the_buyer(placed, shopper, seller_user,
                                                                        django_capture_on_commit_callbacks):
    # when the seller rejects the order, saying why
    with django_capture_on_commit_callbacks(execute=True):
        services.order_status_change(order=placed, actor=seller_user, party=Party.SELLER,
                                     status=OrderStatus.REJECTED, reason="Stok beras habis dimakan tikus")

    # then the allocation is released and the buyer reads the reason
    record = StockRecord.objects.get()
    assert (record.num_in_stock, record.num_allocated) == (10, 0)
    assert mail.outbox[-1].to == [shopper.email]
    assert "dimakan tikus" in mail.outbox[-1].body


def test_a_stranger_gets_404_on_the_status_page_and_nothing_moves(placed, client):
    client.force_login(UserFactory())
    response = client.post(reverse("orders:transition", kwargs={"number": placed.number}),
                           {"status": OrderStatus.CANCELLED, "reason": "iseng"})
    assert response.status_code == 404
    placed.refresh_from_db()
    assert placed.status == OrderStatus.NEW


def test_orders_sent_long_ago_are_confirmed_automatically(placed, seller_user, settings):
    # given an order sent four days ago and PEKEN_AUTO_CONFIRM_DAYS = 3
    settings.PEKEN_AUTO_CONFIRM_DAYS = 3
    services.order_status_change(order=placed, actor=seller_user, party=Party.SELLER,
                                 status=OrderStatus.ACCEPTED)
    services.order_status_change(order=placed, actor=seller_user, party=Party.SELLER,
                                 status=OrderStatus.SENT)

    # when the hourly task runs two days later, and again five days later
    early = services.orders_auto_confirm(now=timezone.now() + timedelta(days=2))
    late = services.orders_auto_confirm(now=timezone.now() + timedelta(days=5))

    # then only the second run confirms it, as the system
    assert (early, late) == (0, 1)
    placed.refresh_from_db()
    assert placed.status == OrderStatus.RECEIVED
    assert placed.status_changes.order_by("-pk").first().party == Party.SYSTEM


def test_card_payment_confirmation_marks_the_checkouts_orders_paid_once(placed):
    # given the checkout's orders; when the payment is confirmed twice (webhook retried)
    amount = placed.total_incl_tax
    first = services.order_group_payment_confirm(reference=placed.checkout_reference, amount=amount,
                                                 intent_id="pi_123")
    second = services.order_group_payment_confirm(reference=placed.checkout_reference, amount=amount,
                                                  intent_id="pi_123")
    wrong = services.order_group_payment_confirm(reference=placed.checkout_reference, amount=amount + 1,
                                                 intent_id="pi_123")

    # then the order is paid once, with one payment event; a wrong amount marks nothing
    assert (first, second, wrong) == (1, 0, 0)
    placed.refresh_from_db()
    assert placed.date_paid is not None
    assert placed.payment_events.count() == 1


@pytest.mark.django_db(transaction=True)
def test_buyer_cancelling_while_the_seller_accepts_leaves_exactly_one_outcome(indonesia):
    # given a new order, its buyer and its seller
    from tests.factories import DEFAULT_PASSWORD

    buyer = UserFactory()
    seller_user = UserFactory()
    shop = PartnerFactory()
    shop.users.add(seller_user)
    buyer_client = Client()
    buyer_client.login(username=buyer.email, password=DEFAULT_PASSWORD)
    basket_add(buyer_client, product_create(partner=shop, stock=5), quantity=2)
    checkout_to_preview(buyer_client)
    order_place(buyer_client)
    order = Order.objects.get()
    barrier = threading.Barrier(2)

    def act(party):
        try:
            barrier.wait(timeout=10)
            if party == Party.BUYER:
                return services.order_status_change(order=order, actor=buyer, party=party,
                                                    status=OrderStatus.CANCELLED, reason="Salah pesan")
            return services.order_status_change(order=order, actor=seller_user, party=party,
                                                status=OrderStatus.ACCEPTED)
        except services.OrderStatusError as error:
            return error
        finally:
            connection.close()

    # when both act at the same moment in parallel transactions
    with ThreadPoolExecutor(max_workers=2) as pool:
        outcomes = list(pool.map(act, [Party.BUYER, Party.SELLER]))

    # then one move took effect and the other was refused; the stock matches the winner
    refused = [o for o in outcomes if isinstance(o, services.OrderStatusError)]
    assert len(refused) == 1
    order.refresh_from_db()
    assert order.status_changes.count() == 2  # placed + the winner
    record = StockRecord.objects.get()
    assert record.num_allocated == (0 if order.status == OrderStatus.CANCELLED else 2)


def test_oscars_own_status_change_cannot_skip_the_rules(placed):
    # given a new order; when Oscar's set_status (its dashboard's way) tries to move it
    from oscar.apps.order.exceptions import InvalidOrderStatus

    with pytest.raises(InvalidOrderStatus):
        placed.set_status(OrderStatus.ACCEPTED)  # a move the pipeline allows

    # then nothing moved
    placed.refresh_from_db()
    assert placed.status == OrderStatus.NEW
