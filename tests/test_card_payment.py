"""Card payment against localstripe: intents for a basket, the check at order placement, refunds."""

import time
from datetime import timedelta
from decimal import Decimal

import pytest
from django.test import Client
from django.urls import reverse
from oscar.core.loading import get_model

from orders.selectors import order_moves
from orders.statuses import OrderStatus, Party
from payments import services
from payments.models import Payment, PaymentStatus, Refund, RefundStatus
from tests.checkout_flow import basket_add, checkout_to_preview, order_place
from tests.concurrency import run_at_once
from tests.factories import UserFactory, product_create
from tests.stripe_server import intent_event, signed_event

Basket = get_model("basket", "Basket")
Order = get_model("order", "Order")

pytestmark = pytest.mark.django_db
OK_CARD = "4242424242424242"
DECLINED_CARD = "4000000000000341"  # localstripe (like Stripe) declines it when charged


@pytest.fixture
def buyer():
    return UserFactory()


@pytest.fixture
def basket(buyer):
    return Basket.objects.create(owner=buyer)


def paid_payment(localstripe, *, basket, user, amount=Decimal("15000")) -> Payment:
    payment = services.payment_intent_for_basket(basket=basket, user=user, amount=amount)
    assert localstripe.card_confirm(payment.intent.client_secret, OK_CARD)[0] == 200
    return services.payment_for_basket_confirm(basket=basket, user=user, amount=amount)


def test_an_intent_is_made_in_hundredths_of_a_rupiah_and_reused_for_the_basket(localstripe, basket, buyer):
    # given a basket of Rp15.000
    # when the payment page asks for an intent twice, the second time after the total became Rp17.500
    first = services.payment_intent_for_basket(basket=basket, user=buyer, amount=Decimal("15000.00"))
    second = services.payment_intent_for_basket(basket=basket, user=buyer, amount=Decimal("17500"))

    # then Stripe was asked for 1500000 then 1750000 (IDR is not zero-decimal), on one intent and one payment
    assert first.intent.amount == 1_500_000 and first.intent.currency == "idr"
    assert second.intent.id == first.intent.id and second.intent.amount == 1_750_000
    assert second.pk == first.pk and Payment.objects.get().amount == Decimal("17500")
    assert first.reference.startswith("PKN-") and len(first.reference) == 10
    assert first.intent.client_secret.startswith(first.intent_id + "_secret_")


def test_another_basket_gets_its_own_reference(localstripe, buyer):
    one = services.payment_intent_for_basket(
        basket=Basket.objects.create(owner=buyer), user=buyer, amount=Decimal("1000")
    )
    two = services.payment_intent_for_basket(
        basket=Basket.objects.create(owner=buyer), user=buyer, amount=Decimal("1000")
    )
    assert one.reference != two.reference and one.intent_id != two.intent_id


def test_confirmation_refuses_a_basket_nobody_paid_for(localstripe, basket, buyer):
    # given an intent the buyer never confirmed with a card
    services.payment_intent_for_basket(basket=basket, user=buyer, amount=Decimal("15000"))
    # when the order is about to be placed, then it is refused with a message for the buyer
    with pytest.raises(services.PaymentNotCompleted, match="belum berhasil"):
        services.payment_for_basket_confirm(basket=basket, user=buyer, amount=Decimal("15000"))
    # and with no intent at all
    other = Basket.objects.create(owner=buyer)
    with pytest.raises(services.PaymentNotCompleted, match="belum dilakukan"):
        services.payment_for_basket_confirm(basket=other, user=buyer, amount=Decimal("15000"))


def test_a_declined_card_leaves_the_payment_unpaid(localstripe, basket, buyer):
    # given an intent for the basket
    payment = services.payment_intent_for_basket(basket=basket, user=buyer, amount=Decimal("15000"))
    # when the buyer's card is declined
    status, body = localstripe.card_confirm(payment.intent.client_secret, DECLINED_CARD)
    assert (status, body["error"]["code"]) == (402, "card_declined")
    # then no order may be placed on it
    with pytest.raises(services.PaymentNotCompleted):
        services.payment_for_basket_confirm(basket=basket, user=buyer, amount=Decimal("15000"))
    # and another card on the same intent then pays
    again = services.payment_intent_for_basket(basket=basket, user=buyer, amount=Decimal("15000"))
    assert again.intent_id == payment.intent_id
    assert localstripe.card_confirm(again.intent.client_secret, OK_CARD)[0] == 200
    confirmed = services.payment_for_basket_confirm(basket=basket, user=buyer, amount=Decimal("15000"))
    assert confirmed.status == PaymentStatus.SUCCEEDED


def test_a_paid_intent_for_another_amount_is_refused_and_refunded(localstripe, basket, buyer):
    # given Rp15.000 paid by card, after which the basket grew in another tab to Rp20.000
    payment = services.payment_intent_for_basket(basket=basket, user=buyer, amount=Decimal("15000"))
    assert localstripe.card_confirm(payment.intent.client_secret, OK_CARD)[0] == 200
    # when the order for Rp20.000 is about to be placed
    with pytest.raises(services.PaymentNotCompleted, match="berubah"):
        services.payment_for_basket_confirm(basket=basket, user=buyer, amount=Decimal("20000"))
    # then the Rp15.000 went back to the card through Stripe
    payment.refresh_from_db()
    assert (payment.status, payment.amount_refunded) == (PaymentStatus.REFUNDED, Decimal("15000"))
    refund = payment.refunds.get()
    assert refund.status == RefundStatus.SUCCEEDED and refund.stripe_refund_id.startswith("re_")
    # and the next attempt starts a new payment for the new total
    fresh = services.payment_intent_for_basket(basket=basket, user=buyer, amount=Decimal("20000"))
    assert fresh.pk != payment.pk and fresh.intent.amount == 2_000_000


def test_a_refund_goes_through_stripe_once_per_key_and_never_beyond_what_was_paid(localstripe, basket, buyer):
    # given a Rp15.000 card payment
    payment = paid_payment(localstripe, basket=basket, user=buyer)
    seller_user = UserFactory()

    # when Rp5.000 is refunded, twice with the same key (a retried task)
    def refund(amount, key, reason="Penjual menolak pesanan"):
        return services.payment_refund(
            reference=payment.reference,
            amount=Decimal(amount),
            idempotency_key=key,
            actor=seller_user,
            reason=reason,
        )

    first = refund("5000", "tolak-1")
    again = refund("5000", "tolak-1")

    # then Stripe refunded once, the payment is partly refunded, and who asked is recorded
    assert again.pk == first.pk and Refund.objects.count() == 1
    assert first.status == RefundStatus.SUCCEEDED and first.stripe_refund_id.startswith("re_")
    assert first.actor == seller_user
    payment.refresh_from_db()
    assert (payment.status, payment.amount_refunded) == (PaymentStatus.PARTIALLY_REFUNDED, Decimal("5000"))

    # and more than the remaining Rp10.000 is refused, in Indonesian, without asking Stripe
    with pytest.raises(services.RefundRefused, match="melebihi"):
        refund("10001", "tolak-2")
    # and the rest is refunded in full
    refund("10000", "tolak-3")
    payment.refresh_from_db()
    assert (payment.status, payment.amount_refunded) == (PaymentStatus.REFUNDED, Decimal("15000"))
    with pytest.raises(services.RefundRefused):
        refund("1", "tolak-4")
    assert list(payment.status_changes.values_list("new_status", flat=True)) == [
        "berhasil",
        "dikembalikan-sebagian",
        "dikembalikan",
    ]


def test_a_refund_is_refused_for_an_unpaid_payment_a_fraction_or_a_reused_key(localstripe, basket, buyer):
    unpaid = services.payment_intent_for_basket(basket=basket, user=buyer, amount=Decimal("15000"))
    with pytest.raises(services.RefundRefused, match="belum lunas"):
        services.payment_refund(
            reference=unpaid.reference, amount=Decimal("100"), idempotency_key="k1", actor=None, reason="x"
        )
    with pytest.raises(services.RefundRefused, match="tidak dikenal"):
        services.payment_refund(
            reference="PKN-NOPE00", amount=Decimal("100"), idempotency_key="k2", actor=None, reason="x"
        )
    paid = paid_payment(localstripe, basket=Basket.objects.create(owner=buyer), user=buyer)
    with pytest.raises(ValueError):
        services.payment_refund(
            reference=paid.reference, amount=Decimal("0.5"), idempotency_key="k3", actor=None, reason="x"
        )
    services.payment_refund(
        reference=paid.reference, amount=Decimal("100"), idempotency_key="k4", actor=None, reason="x"
    )
    with pytest.raises(services.RefundRefused, match="sudah dipakai"):
        services.payment_refund(
            reference=paid.reference, amount=Decimal("200"), idempotency_key="k4", actor=None, reason="x"
        )


def test_the_refund_task_takes_plain_values(localstripe, basket, buyer):
    from payments.tasks import payment_refund_task

    payment = paid_payment(localstripe, basket=basket, user=buyer)
    payment_refund_task.delay(payment.reference, "15000", "tugas-1", buyer.pk, "Penjual menolak pesanan")
    payment.refresh_from_db()
    assert payment.status == PaymentStatus.REFUNDED


def test_a_shopper_pays_by_card_and_the_order_is_placed(localstripe, shopper_client, shopper, indonesia):
    # given a shopper at the preview with Rp30.000 of rice, having chosen card
    product = product_create(title="Beras Pandan Wangi", price=Decimal("15000"), stock=10)
    basket_add(shopper_client, product, quantity=2)
    checkout_to_preview(shopper_client)
    assert shopper_client.post(reverse("checkout:preview"), {"method": "kartu"}).status_code == 302
    preview = shopper_client.get(reverse("checkout:preview")).content.decode()
    assert 'id="card-element"' in preview and "Bayar Rp30.000" in preview

    # when the page asks for an intent, then placing the order before paying is refused, basket intact
    intent = shopper_client.post(reverse("checkout:preview"), {"action": "card_intent"}).json()
    assert intent["amount"] == "Rp30.000" and intent["status"] == "requires_payment_method"
    refused = order_place(shopper_client)
    assert refused.status_code == 200 and not Order.objects.exists()
    assert "Pembayaran kartu belum berhasil" in refused.content.decode()

    # and when Stripe.js confirms the card and the page places the order
    assert localstripe.card_confirm(intent["client_secret"], OK_CARD)[0] == 200
    response = order_place(shopper_client)

    # then the order exists under the payment's reference, and the payment is paid
    assert response.status_code == 302 and response["Location"] == reverse("checkout:thank-you")
    payment = Payment.objects.get(reference=intent["reference"])
    assert payment.status == PaymentStatus.SUCCEEDED and payment.amount == Decimal("30000")
    order = Order.objects.get()
    assert order.sources.get().source_type.code == "kartu"
    assert payment.reference in {order.sources.get().reference, getattr(order, "checkout_reference", None)}


def test_card_intent_needs_the_card_method(localstripe, shopper_client, indonesia):
    product = product_create(price=Decimal("15000"))
    basket_add(shopper_client, product)
    checkout_to_preview(shopper_client)  # pay on delivery
    response = shopper_client.post(reverse("checkout:preview"), {"action": "card_intent"})
    assert response.status_code == 400 and "kartu" in response.json()["error"]
    assert not Payment.objects.exists()


def test_a_payment_that_never_became_an_order_is_refunded_once_and_cannot_be_used(
    localstripe, basket, buyer, settings
):
    # given a Rp15.000 card payment whose buyer closed the page before the order was placed
    settings.PEKEN_UNPLACED_PAYMENT_REFUND_MINUTES = 60
    payment = paid_payment(localstripe, basket=basket, user=buyer)
    later = payment.updated_at + timedelta(minutes=61)

    # when the sweep runs too early, then an hour later, then again
    early = services.payments_unplaced_refund(now=payment.updated_at + timedelta(minutes=30))
    due = services.payments_unplaced_refund(now=later)
    again = services.payments_unplaced_refund(now=later)

    # then it is refunded in full exactly once
    assert (early, due, again) == (0, 1, 0)
    payment.refresh_from_db()
    assert (payment.status, payment.amount_refunded) == (PaymentStatus.REFUNDED, Decimal("15000"))
    assert Refund.objects.get().status == RefundStatus.SUCCEEDED
    # and it can no longer pay for an order
    with pytest.raises(services.PaymentNotCompleted):
        services.payment_for_basket_confirm(basket=basket, user=buyer, amount=Decimal("15000"))


def test_a_payment_that_became_an_order_is_not_swept(localstripe, shopper_client, shopper, indonesia):
    # given a shopper who paid by card and whose order was placed
    basket_add(shopper_client, product_create(price=Decimal("15000")))
    checkout_to_preview(shopper_client)
    assert shopper_client.post(reverse("checkout:preview"), {"method": "kartu"}).status_code == 302
    intent = shopper_client.post(reverse("checkout:preview"), {"action": "card_intent"}).json()
    assert localstripe.card_confirm(intent["client_secret"], OK_CARD)[0] == 200
    assert order_place(shopper_client).status_code == 302
    payment = Payment.objects.get()

    # when the sweep runs long after
    swept = services.payments_unplaced_refund(now=payment.updated_at + timedelta(days=1))

    # then nothing is refunded
    assert swept == 0 and not Refund.objects.exists()


def test_a_webhook_that_arrives_before_placement_still_leaves_the_order_paid(
    localstripe, shopper_client, shopper, indonesia
):
    # given a shopper who paid Rp15.000 by card, and Stripe's succeeded webhook handled
    # before the page placed the order (it found no orders then)
    basket_add(shopper_client, product_create(price=Decimal("15000")))
    checkout_to_preview(shopper_client)
    assert shopper_client.post(reverse("checkout:preview"), {"method": "kartu"}).status_code == 302
    intent = shopper_client.post(reverse("checkout:preview"), {"action": "card_intent"}).json()
    assert localstripe.card_confirm(intent["client_secret"], OK_CARD)[0] == 200
    payment = Payment.objects.get(reference=intent["reference"])
    event = intent_event(
        "evt_first", "payment_intent.succeeded", intent_id=payment.intent_id, amount_minor=1_500_000
    )
    body, signature = signed_event(event)
    assert (
        Client()
        .post(
            "/pembayaran/stripe/webhook/",
            body,
            content_type="application/json",
            HTTP_STRIPE_SIGNATURE=signature,
        )
        .status_code
        == 200
    )
    payment.refresh_from_db()
    assert payment.status == PaymentStatus.SUCCEEDED and not Order.objects.exists()

    # when the page then places the order
    assert order_place(shopper_client).status_code == 302

    # then the order is paid, so its seller may accept it, and the unplaced-payment sweep leaves it alone
    order = Order.objects.get()
    assert order.date_paid is not None
    assert order.payment_events.get().amount == Decimal("15000")
    assert OrderStatus.ACCEPTED in order_moves(order=order, party=Party.SELLER)
    assert services.payments_unplaced_refund(now=payment.updated_at + timedelta(days=1)) == 0


@pytest.mark.django_db(transaction=True)
def test_simultaneous_bayar_requests_all_get_the_same_payment_intent(localstripe, basket, buyer, monkeypatch):
    # given a basket of Rp15.000 with no payment yet, and a server slow between looking for the
    # basket's payment and making one (the window in which parallel requests all find none)
    find = services.selectors.payment_usable_for_basket

    def slow_find(**kwargs):
        found = find(**kwargs)
        time.sleep(0.3)
        return found

    monkeypatch.setattr(services.selectors, "payment_usable_for_basket", slow_find)
    # when the buyer's "Bayar" reaches the server six times at once (double clicks, two tabs)
    results = run_at_once(
        [
            lambda: services.payment_intent_for_basket(basket=basket, user=buyer, amount=Decimal("15000"))
            for _ in range(6)
        ]
    )
    # then none failed, and all got the basket's one payment and one intent
    assert not [r for r in results if isinstance(r, Exception)], results
    assert Payment.objects.filter(basket=basket).count() == 1
    assert {r.pk for r in results} == {Payment.objects.get().pk}
    assert len({r.intent.id for r in results}) == 1
    assert {r.intent.client_secret for r in results} == {results[0].intent.client_secret}
