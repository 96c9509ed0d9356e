"""Placing an order is safe to click twice, to race from two devices and to crash half-way.

The races are real concurrent requests, each in its own thread, transaction and
PostgreSQL connection (tests/concurrency.py); a "double click" is several clients
sharing one session cookie, as one browser does.
"""

import copy
import importlib
import time
from datetime import timedelta
from decimal import Decimal

import pytest
from django.db import connection
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from oscar.core.loading import get_model

from checkout import services as checkout_services
from payments.models import Payment, PaymentStatus, Refund
from payments.services import payment_unplaced_refund, payments_unplaced_refund
from procurement.models import Requisition
from procurement.services import approval_policy_default
from procurement.services import submission as procurement_services
from procurement.statuses import Role
from tests.checkout_flow import basket_add, checkout_to_preview
from tests.concurrency import run_at_once
from tests.factories import DEFAULT_PASSWORD, UserFactory, product_create
from tests.procurement_factories import AgencyFactory, BudgetLineFactory, person_with_roles

Basket = get_model("basket", "Basket")
Order = get_model("order", "Order")
StockRecord = get_model("partner", "StockRecord")

OK_CARD = "4242424242424242"
CLICKS = 4

postgres_only = pytest.mark.skipif(connection.vendor != "postgresql", reason="row locks need PostgreSQL")


def signed_in(user) -> Client:
    client = Client()
    assert client.login(username=user.email, password=DEFAULT_PASSWORD)
    return client


def same_browser(client: Client, n: int) -> list[Client]:
    """``n`` clients sending the same cookies as ``client``: one browser clicking ``n`` times."""
    clicks = []
    for _ in range(n):
        twin = Client()
        twin.cookies = copy.deepcopy(client.cookies)
        clicks.append(twin)
    return clicks


def place(client: Client, basket_id: int):
    """ "Buat pesanan" as the preview page posts it, naming the basket it shows."""
    return client.post(reverse("checkout:preview"), {"action": "place_order", "basket": basket_id})


def at_preview(client: Client, product, *, card_localstripe=None) -> int:
    """One unit in the basket, up to the preview (by card if given localstripe); returns the basket id."""
    basket_add(client, product)
    preview = checkout_to_preview(client)
    if card_localstripe is not None:
        assert client.post(reverse("checkout:preview"), {"method": "kartu"}).status_code == 302
        intent = client.post(reverse("checkout:preview"), {"action": "card_intent"}).json()
        assert card_localstripe.card_confirm(intent["client_secret"], OK_CARD)[0] == 200
        preview = client.get(reverse("checkout:preview"))
    basket_id = preview.context["basket"].id
    assert f'name="basket" value="{basket_id}"' in preview.content.decode()
    return basket_id


def landed_on_thank_you(response) -> bool:
    return (
        not isinstance(response, BaseException)
        and response.status_code == 302
        and response["Location"] == reverse("checkout:thank-you")
    )


# --- a double click on "Buat pesanan" ---


@postgres_only
@pytest.mark.django_db(transaction=True)
def test_a_double_click_places_one_checkout_every_click_lands_on_its_thank_you_page_and_the_shopper_shops_on(
    indonesia,
):
    # given a shopper at the preview with one bag of rice, paying on delivery
    shopper = UserFactory()
    client = signed_in(shopper)
    product = product_create(title="Beras Pandan Wangi", stock=10)
    basket_id = at_preview(client, product)

    # when "Buat pesanan" is clicked four times at once
    responses = run_at_once([lambda c=c: place(c, basket_id) for c in same_browser(client, CLICKS)])

    # then one order exists, the basket is submitted (never thawed), every click lands on its thank-you page
    assert all(landed_on_thank_you(r) for r in responses), responses
    order = Order.objects.get()
    assert Basket.objects.get(pk=basket_id).status == Basket.SUBMITTED
    assert StockRecord.objects.get(product=product).num_allocated == 1
    thank_you = client.get(reverse("checkout:thank-you"))
    assert thank_you.status_code == 200 and order.number in thank_you.content.decode()

    # and a click arriving after the order was placed lands there too
    assert landed_on_thank_you(place(client, basket_id))

    # and the shopper shops and checks out again, in a new basket with a new order number
    next_basket = at_preview(client, product_create(title="Gula Pasir 1 kg"))
    assert next_basket != basket_id
    assert landed_on_thank_you(place(client, next_basket))
    assert Order.objects.count() == 2


@postgres_only
@pytest.mark.django_db(transaction=True)
def test_a_double_click_with_a_card_on_the_last_unit_never_refunds_the_payment_of_the_order(
    localstripe,
    indonesia,
):
    # given a shopper who paid the last bottle of oil by card and is at the preview
    shopper = UserFactory()
    client = signed_in(shopper)
    product = product_create(title="Minyak Goreng 2 liter", price=Decimal("38000"), stock=1)
    basket_id = at_preview(client, product, card_localstripe=localstripe)

    # when "Buat pesanan" is clicked four times at once
    responses = run_at_once([lambda c=c: place(c, basket_id) for c in same_browser(client, CLICKS)])

    # then one order stands on the payment, which is paid and was never refunded
    order = Order.objects.get()
    payment = Payment.objects.get()
    assert not Refund.objects.exists()
    assert payment.status == PaymentStatus.SUCCEEDED and payment.amount_refunded == 0
    assert order.checkout_reference == payment.reference and order.date_paid is not None
    # and every click lands on the order's thank-you page
    assert all(landed_on_thank_you(r) for r in responses), responses
    # and the unplaced-payment sweep leaves it alone too
    assert payments_unplaced_refund(now=timezone.now() + timedelta(days=1)) == 0


@pytest.mark.django_db
def test_a_failed_placement_refunds_a_payment_no_order_uses_and_spares_one_an_order_uses(
    localstripe,
    indonesia,
):
    # given two card payments: one whose order was placed, one whose goods ran out
    placed_client, unplaced_client = signed_in(UserFactory()), signed_in(UserFactory())
    placed_basket = at_preview(placed_client, product_create(), card_localstripe=localstripe)
    assert landed_on_thank_you(place(placed_client, placed_basket))
    at_preview(unplaced_client, product_create(), card_localstripe=localstripe)
    placed = Payment.objects.get(basket_id=placed_basket)
    unplaced = Payment.objects.exclude(basket_id=placed_basket).get()

    # when a failed placement asks to refund each
    spared = payment_unplaced_refund(reference=placed.reference, actor=None, reason="Stok habis")
    refunded = payment_unplaced_refund(reference=unplaced.reference, actor=None, reason="Stok habis")

    # then only the unused one goes back, in full
    assert (spared, refunded) == (False, True)
    placed.refresh_from_db()
    unplaced.refresh_from_db()
    assert placed.status == PaymentStatus.SUCCEEDED and not placed.refunds.exists()
    assert unplaced.status == PaymentStatus.REFUNDED and unplaced.amount_refunded == unplaced.amount


# --- one basket, two devices: a requisition and a personal checkout ---


def one_requester_two_devices():
    """A requester with one basket open on two devices: one buying for the agency, one personally.

    Returns the personal client, the official client, the requisition form and the basket id.
    """
    agency = AgencyFactory()
    approval_policy_default(agency=agency, actor=person_with_roles(agency=agency, roles=[Role.AGENCY_ADMIN]))
    line = BudgetLineFactory(agency=agency)
    requester = person_with_roles(agency=agency, roles=[Role.REQUESTER])
    personal = signed_in(requester)
    basket_id = at_preview(personal, product_create(title="Kertas HVS A4"))
    official = signed_in(requester)
    assert official.post(reverse("procurement:mode"), {"agency": agency.pk, "next": "/"}).status_code == 302
    form = {
        "budget_line": line.pk,
        "kode_rup": "",
        "purpose": "Kertas untuk ujian sekolah",
        "delivery_address": agency.address,
        "contact_name": "Rina Wulandari",
        "contact_phone": "0812-3456-7890",
        "needed_by": (timezone.localdate() + timedelta(days=7)).isoformat(),
    }
    return personal, official, form, basket_id


@pytest.fixture
def requester_two_devices(indonesia, settings):
    settings.PEKEN_OFFICIAL_SELLER_CAP = 10**12
    return one_requester_two_devices()


def slowed(monkeypatch, module, name: str, seconds: float) -> None:
    """Make ``module.name`` wait ``seconds`` before doing its work: the other device comes in meanwhile."""
    original = getattr(module, name)

    def slow(*args, **kwargs):
        time.sleep(seconds)
        return original(*args, **kwargs)

    monkeypatch.setattr(module, name, slow)


@postgres_only
@pytest.mark.django_db(transaction=True)
def test_a_checkout_started_while_the_basket_is_being_submitted_as_a_requisition_is_refused(
    requester_two_devices,
    monkeypatch,
):
    personal, official, form, basket_id = requester_two_devices
    # given the requisition is being submitted (its transaction holds the basket, and takes a second)
    slowed(monkeypatch, procurement_services, "_available_check", 1.5)

    # when the other device places the order personally in that second
    submitted, placed = run_at_once(
        [lambda: official.post(reverse("procurement:submit"), form), lambda: place(personal, basket_id)],
        delays=[0, 0.5],
    )

    # then the basket became the requisition only, and the personal checkout was told why
    requisition = Requisition.objects.get()
    assert submitted.status_code == 302 and submitted["Location"].endswith(requisition.reference + "/")
    assert not Order.objects.exists()
    assert placed.status_code == 302 and placed["Location"] == reverse("basket:summary")
    assert "sudah diajukan dari tab atau perangkat lain" in personal.get(placed["Location"]).content.decode()
    assert Basket.objects.get(pk=basket_id).status == Basket.SUBMITTED


@postgres_only
@pytest.mark.django_db(transaction=True)
def test_a_requisition_of_a_basket_being_checked_out_is_refused_naming_the_order(
    requester_two_devices,
    monkeypatch,
):
    personal, official, form, basket_id = requester_two_devices
    # given the personal checkout is placing the order (its transaction holds the basket, and takes a second)
    slowed(monkeypatch, checkout_services, "stock_lock_for_basket", 1.5)

    # when the other device submits the basket as a requisition in that second
    placed, submitted = run_at_once(
        [lambda: place(personal, basket_id), lambda: official.post(reverse("procurement:submit"), form)],
        delays=[0, 0.5],
    )

    # then the basket became the personal order only, and the requisition form names it
    assert landed_on_thank_you(placed)
    order = Order.objects.get()
    assert not Requisition.objects.exists()
    assert submitted.status_code == 200
    page = submitted.content.decode()
    assert f"Keranjang ini sudah dipesan dengan nomor {order.checkout_reference}" in page
    assert Basket.objects.get(pk=basket_id).status == Basket.SUBMITTED


# --- a worker killed in the middle of placing an order ---


def killed_when_submitting(monkeypatch) -> None:
    """The worker dies right after the orders are written, before the basket is marked submitted.

    gunicorn's worker timeout aborts a worker with SystemExit: no exception handler of
    the view runs, as when the worker is killed outright.
    """

    def die(self):
        raise SystemExit(1)

    monkeypatch.setattr(Basket, "submit", die)


def test_a_worker_killed_mid_placement_leaves_the_basket_as_it_was_and_the_retry_places_the_order(
    shopper_client,
    indonesia,
    monkeypatch,
):
    # given a shopper at the preview with one bag of rice, paying on delivery
    product = product_create(title="Beras Pandan Wangi", stock=10)
    basket_id = at_preview(shopper_client, product)

    # when the worker dies in the middle of placing the order
    with monkeypatch.context() as patch:
        killed_when_submitting(patch)
        with pytest.raises(SystemExit):
            place(shopper_client, basket_id)

    # then the basket is open with its rice, nothing was ordered and no stock is held
    basket = Basket.objects.get(pk=basket_id)
    assert basket.status == Basket.OPEN and basket.lines.get().product == product
    assert not Order.objects.exists()
    assert not StockRecord.objects.get(product=product).num_allocated
    assert shopper_client.get(reverse("basket:summary")).context["basket"].id == basket_id

    # and clicking again places the order
    assert landed_on_thank_you(place(shopper_client, basket_id))
    assert Order.objects.get().basket_id == basket_id
    assert Basket.objects.get(pk=basket_id).status == Basket.SUBMITTED


def test_a_worker_killed_after_a_card_payment_leaves_the_payment_for_the_retry(
    localstripe,
    shopper_client,
    indonesia,
    monkeypatch,
):
    # given a shopper who paid by card and is at the preview
    product = product_create(price=Decimal("15000"))
    basket_id = at_preview(shopper_client, product, card_localstripe=localstripe)

    # when the worker dies in the middle of placing the order
    with monkeypatch.context() as patch:
        killed_when_submitting(patch)
        with pytest.raises(SystemExit):
            place(shopper_client, basket_id)
    assert Basket.objects.get(pk=basket_id).status == Basket.OPEN and not Order.objects.exists()

    # then clicking again places the order on the same payment, which stays paid and unrefunded
    assert landed_on_thank_you(place(shopper_client, basket_id))
    payment = Payment.objects.get()
    assert Order.objects.get().checkout_reference == payment.reference
    assert payment.status == PaymentStatus.SUCCEEDED and not Refund.objects.exists()


def test_baskets_left_frozen_by_a_crash_before_this_fix_are_reopened_unless_ordered(indonesia):
    from django.apps import apps

    thaw = importlib.import_module("checkout.basket.migrations.0013_thaw_baskets_frozen_without_orders").thaw
    # given a basket a dead placement left frozen, and one frozen whose order went through
    shopper = UserFactory()
    stranded = Basket.objects.create(owner=shopper, status=Basket.FROZEN)
    ordered = Basket.objects.create(owner=shopper, status=Basket.FROZEN)
    client = signed_in(UserFactory())
    ordered_id = at_preview(client, product_create())
    assert landed_on_thank_you(place(client, ordered_id))
    Order.objects.update(basket=ordered)

    # when the migration runs
    thaw(apps, None)

    # then the stranded basket is open again and the ordered one stays as it was
    assert Basket.objects.get(pk=stranded.pk).status == Basket.OPEN
    assert Basket.objects.get(pk=ordered.pk).status == Basket.FROZEN
