"""A seller's order from placement to receipt, through one transition table."""

import threading
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta
from decimal import Decimal

import pytest
from django.conf import settings
from django.core import mail
from django.db import connection
from django.template.defaultfilters import date as date_filter
from django.test import Client
from django.urls import reverse
from django.utils import timezone, translation
from oscar.core.loading import get_model

from buyers.models import BuyerProfile
from checkout.shipping.methods import LOCAL
from orders import services
from orders.statuses import OrderStatus, Party
from peken.phone import phone_display
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
    checkout_to_preview(
        shopper_client, address={**ADDRESS, "line3": "Kec. Genteng"}, shipping={shop.pk: LOCAL}
    )
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
    moves = [
        (c.old_status, c.new_status, c.party, c.actor)
        for c in placed.status_changes.order_by("date_created", "pk")
    ]
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


@pytest.mark.parametrize(
    "party, status, message",
    [
        (Party.BUYER, OrderStatus.ACCEPTED, "tidak bisa diubah ke Diproses penjual"),
        (Party.SELLER, OrderStatus.RECEIVED, "tidak bisa diubah ke Selesai"),
        (Party.SELLER, OrderStatus.REJECTED, "Tuliskan alasannya."),
    ],
)
def test_an_illegal_move_is_refused_with_a_clear_message(
    placed, shopper, seller_user, party, status, message
):
    # given a new order; when someone makes a move the table or the rules forbid
    actor = shopper if party == Party.BUYER else seller_user
    with pytest.raises(services.OrderStatusError, match=message):
        services.order_status_change(order=placed, actor=actor, party=party, status=status)

    # then nothing changed
    placed.refresh_from_db()
    assert placed.status == OrderStatus.NEW


def test_a_delivered_order_cannot_be_marked_ready_for_pickup(placed, seller_user):
    services.order_status_change(
        order=placed, actor=seller_user, party=Party.SELLER, status=OrderStatus.ACCEPTED
    )
    with pytest.raises(services.OrderStatusError, match="tandai sebagai dikirim"):
        services.order_status_change(
            order=placed, actor=seller_user, party=Party.SELLER, status=OrderStatus.READY
        )


def test_rejection_with_a_reason_puts_the_stock_back_and_tells_the_buyer(
    placed, shopper, seller_user, django_capture_on_commit_callbacks
):
    # when the seller rejects the order, saying why
    with django_capture_on_commit_callbacks(execute=True):
        services.order_status_change(
            order=placed,
            actor=seller_user,
            party=Party.SELLER,
            status=OrderStatus.REJECTED,
            reason="Stok beras habis dimakan tikus",
        )

    # then the allocation is released and the buyer reads the reason
    record = StockRecord.objects.get()
    assert (record.num_in_stock, record.num_allocated) == (10, 0)
    assert mail.outbox[-1].to == [shopper.email]
    assert "dimakan tikus" in mail.outbox[-1].body


def test_a_stranger_gets_404_on_the_status_page_and_nothing_moves(placed, client):
    client.force_login(UserFactory())
    response = client.post(
        reverse("orders:transition", kwargs={"number": placed.number}),
        {"status": OrderStatus.CANCELLED, "reason": "iseng"},
    )
    assert response.status_code == 404
    placed.refresh_from_db()
    assert placed.status == OrderStatus.NEW


def test_orders_sent_long_ago_are_confirmed_automatically(placed, seller_user, settings):
    # given an order sent four days ago and PEKEN_AUTO_CONFIRM_DAYS = 3
    settings.PEKEN_AUTO_CONFIRM_DAYS = 3
    services.order_status_change(
        order=placed, actor=seller_user, party=Party.SELLER, status=OrderStatus.ACCEPTED
    )
    services.order_status_change(order=placed, actor=seller_user, party=Party.SELLER, status=OrderStatus.SENT)

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
    first = services.order_group_payment_confirm(
        reference=placed.checkout_reference, amount=amount, intent_id="pi_123"
    )
    second = services.order_group_payment_confirm(
        reference=placed.checkout_reference, amount=amount, intent_id="pi_123"
    )
    wrong = services.order_group_payment_confirm(
        reference=placed.checkout_reference, amount=amount + 1, intent_id="pi_123"
    )

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
                return services.order_status_change(
                    order=order, actor=buyer, party=party, status=OrderStatus.CANCELLED, reason="Salah pesan"
                )
            return services.order_status_change(
                order=order, actor=seller_user, party=party, status=OrderStatus.ACCEPTED
            )
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


# --- what the buyer's and the seller's order pages say


def buyer_page(client, order) -> str:
    return client.get(reverse("customer:order", kwargs={"order_number": order.number})).content.decode()


def test_the_buyer_sees_shop_payment_at_the_door_timeline_and_no_tax_columns(
    placed, shopper, shopper_client, seller_user
):
    # given a delivered order paid on delivery (3 × Rp15.000 of rice + Rp5.000 delivery),
    # which the buyer cancels
    services.order_status_change(
        order=placed,
        actor=shopper,
        party=Party.BUYER,
        status=OrderStatus.CANCELLED,
        reason="Salah pilih beras",
    )
    placed.refresh_from_db()

    # when the buyer opens the order page and the order history
    page = buyer_page(shopper_client, placed)
    history = shopper_client.get(reverse("customer:order-list")).content.decode()

    # then the page names the shop, the way of paying, each move with its time, and why it was cancelled
    assert "Toko Bu Sri" in page and "Bayar di tempat" in page
    timeline = page[page.index("peken-order-timeline") :]
    for change in placed.status_changes.all():
        with translation.override(settings.LANGUAGE_CODE):
            assert date_filter(timezone.localtime(change.date_created), "j M Y H:i") in timeline
    assert "Baru" in timeline and "Dibatalkan pembeli" in timeline and "Salah pilih beras" in timeline
    assert "Alasan: Salah pilih beras" in page[: page.index("peken-order-timeline")]
    # and none of Oscar's tax columns
    assert "excl. tax" not in page and "incl. tax" not in page and "Line price" not in page
    # and the history lists the shop, the status, the payment and the total
    row = history[history.index(placed.number) :]
    row = row[: row.index("</tr>")]
    assert "Toko Bu Sri" in row and "Dibatalkan pembeli" in row and "Bayar di tempat" in row
    assert "Rp50.000" in row


def test_the_buyer_sees_what_to_pay_at_the_door_including_the_delivery_fee(placed, shopper_client):
    # given a new delivered order paid on delivery; when the buyer opens it
    page = buyer_page(shopper_client, placed)
    # then the amount due at the door includes the Rp5.000 delivery fee
    payment = page[page.index("peken-order-payment") :]
    assert "Bayar di tempat" in payment and "Rp50.000" in payment[: payment.index("</dl>")]


def test_the_seller_sees_how_the_buyer_pays_what_to_collect_the_address_and_phone(placed, seller_user):
    # given a new delivered order paid on delivery, and the seller's new-order email
    assert services.order_seller_notify(order_id=placed.pk)
    email = mail.outbox[-1].body
    seller_client = Client()
    seller_client.force_login(seller_user)

    # when the seller opens the order in the seller centre
    page = seller_client.get(
        reverse("sellers:centre-order-detail", kwargs={"number": placed.number})
    ).content.decode()

    # then it says the buyer pays on delivery and what to collect, delivery fee included, as the email does
    payment = page[page.index("peken-centre-payment") :]
    payment = payment[: payment.index("</dl>")]
    assert "Bayar di tempat" in payment and "Rp50.000" in payment and "Rp5.000" in payment
    assert "Tagih Rp50.000" in email
    # and where to deliver and how to reach the buyer
    buyer = page[page.index("peken-centre-buyer") :]
    assert ADDRESS["line1"] in buyer and "Kec. Genteng" in buyer
    phone = placed.shipping_address.phone_number
    assert phone_display(phone) in buyer and f'href="tel:{phone.as_e164}"' in buyer
    assert phone_display(phone).startswith("08")


@pytest.fixture
def card_placed(localstripe, shopper_client, seller_user, indonesia):
    """A Genteng shop's pickup order of 2 packs of rice for Rp30.000, paid by card."""
    shop = PartnerFactory(name="Toko Bu Sri", kecamatan="Genteng")
    shop.users.add(seller_user)
    basket_add(shopper_client, product_create(title="Beras Setra Ramos", partner=shop, stock=10), quantity=2)
    checkout_to_preview(shopper_client)
    assert shopper_client.post(reverse("checkout:preview"), {"method": "kartu"}).status_code == 302
    intent = shopper_client.post(reverse("checkout:preview"), {"action": "card_intent"}).json()
    assert localstripe.card_confirm(intent["client_secret"], "4242424242424242")[0] == 200
    assert order_place(shopper_client).status_code == 302
    mail.outbox.clear()
    order = Order.objects.get()
    assert order.date_paid is not None
    return order


@pytest.mark.parametrize(
    "party, status, reason",
    [
        (Party.SELLER, OrderStatus.REJECTED, "Beras habis dimakan tikus"),
        (Party.BUYER, OrderStatus.CANCELLED, "Salah pilih beras"),
    ],
)
def test_a_refunded_card_order_says_so_on_the_buyers_page_and_in_the_email(
    card_placed,
    shopper,
    shopper_client,
    seller_user,
    django_capture_on_commit_callbacks,
    party,
    status,
    reason,
):
    # given a Rp30.000 card order, paid
    page_before = shopper_client.get(reverse("customer:order", kwargs={"order_number": card_placed.number}))
    assert "Lunas" in page_before.content.decode()

    # when the seller rejects it (or the buyer cancels it), saying why, on the order page
    actor = Client()
    actor.force_login(seller_user if party == Party.SELLER else shopper)
    with django_capture_on_commit_callbacks(execute=True):
        response = actor.post(
            reverse("orders:transition", kwargs={"number": card_placed.number}),
            {"status": status, "reason": reason},
        )
    assert response.status_code == 302

    # then the money went back to the card, and the order records it
    card_placed.refresh_from_db()
    refund = card_placed.payment_events.get(event_type__name="Dikembalikan")
    assert refund.amount == Decimal("30000")
    assert card_placed.sources.get().amount_refunded == Decimal("30000")
    # and the buyer's page says "Dikembalikan" with the amount, the date and the reason, not "Lunas"
    page = buyer_page(shopper_client, card_placed)
    payment = page[page.index("peken-order-payment") :]
    payment = payment[: payment.index("</dl>")]
    assert "Dikembalikan" in payment and "Lunas" not in payment
    with translation.override(settings.LANGUAGE_CODE):
        refunded_on = date_filter(timezone.localtime(refund.date_created), "j M Y H:i")
    refund_line = payment[payment.index("peken-payment-refund") :]
    assert "Rp30.000" in refund_line and refunded_on in refund_line
    assert f"Alasan: {reason}" in page
    # and the email says the money was refunded
    body = mail.outbox[-1].body
    assert reason in body and "Rp30.000 dikembalikan ke kart" in body
    # and, in the buyer's history, the payment reads "Dikembalikan"
    history = shopper_client.get(reverse("customer:order-list")).content.decode()
    row = history[history.index(card_placed.number) :]
    assert "Dikembalikan" in row[: row.index("</tr>")]


def test_each_side_is_emailed_in_the_language_they_picked(
    placed, shopper, seller_user, django_capture_on_commit_callbacks
):
    # given a shopper who switched the site to English and a seller who never chose (Indonesian)
    BuyerProfile.objects.create(user=shopper, language="en")
    # when, with the site speaking English all along, the seller accepts and the buyer confirms receipt
    with translation.override("en"), django_capture_on_commit_callbacks(execute=True):
        for party, actor, status in [
            (Party.SELLER, seller_user, OrderStatus.ACCEPTED),
            (Party.SELLER, seller_user, OrderStatus.SENT),
            (Party.BUYER, shopper, OrderStatus.RECEIVED),
        ]:
            services.order_status_change(order=placed, actor=actor, party=party, status=status)
    # then the buyer read English and the seller Indonesian
    to_buyer = [m.subject for m in mail.outbox if m.to == [shopper.email]]
    to_seller = [m.subject for m in mail.outbox if m.to == [seller_user.email]]
    assert to_buyer and all(s.startswith(f"Order {placed.number}: ") for s in to_buyer)
    assert to_seller == [f"Pesanan {placed.number}: {OrderStatus.RECEIVED.label}"]
