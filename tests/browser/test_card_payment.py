"""A shopper pays by card in headless Chromium, against localstripe and its Stripe.js stand-in."""

import re
import time

import pytest
from django.contrib.auth import get_user_model
from oscar.core.loading import get_model

from payments.models import Payment, PaymentStatus, StripeEvent
from peken import demo
from tests.browser.conftest import DESKTOP, PHONE, sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

Order = get_model("order", "Order")
Basket = get_model("basket", "Basket")


def checkout_to_card_form(page, shots, screen: str):
    """Signed in: a product into the basket, then checkout up to the preview with "Kartu" chosen."""
    page.goto("/")
    page.locator(".peken-card-title a").first.click()
    title = page.locator(".product_main h1").inner_text().strip()
    page.locator("#add_to_basket_form button[type=submit]").click()
    page.goto("/checkout/")
    page.wait_for_url(re.compile(r"/checkout/shipping-address/"))
    page.locator("button.ship-address").first.click()
    page.wait_for_url(re.compile(r"/checkout/(shipping-method|payment-details)/"))
    if "shipping-method" in page.url:
        page.locator("#seller_shipping_submit").click()
        page.wait_for_url(re.compile(r"/checkout/payment-details/"))
    page.check("input[value=kartu]")
    shots(page, f"payment-method-{screen}")
    page.locator("#view_preview").click()
    page.wait_for_url(re.compile(r"/checkout/preview/"))
    page.wait_for_selector("#card-element input")
    return title


def card_type(page, number: str) -> None:
    card = page.locator("#card-element")
    card.locator("input[placeholder=number]").type(number)
    card.locator("input[placeholder=exp_month]").fill("12")
    card.locator("input[placeholder=exp_year]").fill("34")
    card.locator("input[placeholder=cvc]").type("123")


def wait_for(condition, seconds: float = 15):
    deadline = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.2)


def test_shopper_pays_by_card_and_stripe_confirms_by_webhook(open_page, shots, live_server, localstripe):
    # given the demo marketplace, and localstripe delivering its signed events to this server
    demo.demo_load()
    localstripe.webhook_register(live_server.url + "/pembayaran/stripe/webhook/")
    page = open_page(PHONE)
    sign_in(page, demo.SHOPPER["email"], demo.SHOPPER["password"])

    # when the shopper checks out choosing "Kartu" and types the test card into the card form
    checkout_to_card_form(page, shots, "phone")
    assert "Bayar Rp" in page.locator("#pay-by-card").inner_text()
    shots(page, "card-form-phone")
    card_type(page, "4242424242424242")
    shots(page, "card-typed-phone")
    page.locator("#pay-by-card").click()

    # then the order is placed
    page.wait_for_url(re.compile(r"/checkout/thank-you/"), timeout=30_000)
    shots(page, "thank-you-phone")
    shopper = get_user_model().objects.get(email=demo.SHOPPER["email"])
    order = Order.objects.get(user=shopper)
    payment = Payment.objects.get(user=shopper)
    assert order.sources.get().source_type.code == "kartu"
    # one product from one shop: one order, and the card paid exactly its total
    assert Order.objects.filter(checkout_reference=order.checkout_reference).count() == 1
    assert order.checkout_reference and payment.amount == order.total_incl_tax

    # and localstripe's signed payment_intent.succeeded webhook reached the server and was applied
    wait_for(
        lambda: StripeEvent.objects.filter(
            type="payment_intent.succeeded", payload__data__object__id=payment.intent_id
        ).exists()
    )
    payment.refresh_from_db()
    assert payment.status == PaymentStatus.SUCCEEDED
    event = StripeEvent.objects.get(
        type="payment_intent.succeeded", payload__data__object__id=payment.intent_id
    )
    assert event.processed_at is not None
    # and the order is marked paid
    order.refresh_from_db()
    assert order.date_paid is not None
    assert order.sources.get().amount_debited == order.total_incl_tax


def test_a_declined_card_shows_why_and_leaves_the_basket(open_page, shots, live_server, localstripe):
    # given the demo marketplace and a signed-in shopper at the card form, on a desktop screen
    demo.demo_load()
    page = open_page(DESKTOP)
    sign_in(page, demo.SHOPPER["email"], demo.SHOPPER["password"])
    title = checkout_to_card_form(page, shots, "desktop")
    shots(page, "card-form-desktop")

    # when the card is declined by the bank
    card_type(page, "4000000000000341")
    page.locator("#pay-by-card").click()

    # then the page says so in Indonesian, the buyer stays on it, and no order exists
    errors = page.locator("#card-errors")
    errors.filter(has_text="ditolak").wait_for()
    assert "Kartu ditolak oleh bank penerbit" in errors.inner_text()
    assert page.locator("#pay-by-card").is_enabled()
    assert "/checkout/preview/" in page.url
    shots(page, "card-declined-desktop")
    shopper = get_user_model().objects.get(email=demo.SHOPPER["email"])
    assert not Order.objects.filter(user=shopper).exists()
    basket = Basket.objects.filter(owner=shopper, status="Open").get()
    assert [line.product.get_title() for line in basket.all_lines()] == [title]
    assert Payment.objects.get(basket=basket).status in (PaymentStatus.CREATED, PaymentStatus.FAILED)
