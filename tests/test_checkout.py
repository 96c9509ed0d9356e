from decimal import Decimal

import pytest
from django.core import mail
from django.urls import reverse
from oscar.core.loading import get_model

from buyers.services import buyer_kecamatan_set
from peken.phone import phone_display
from tests.checkout_flow import ADDRESS, basket_add, checkout_to_preview, order_place
from tests.factories import product_create

Order = get_model("order", "Order")
UserAddress = get_model("address", "UserAddress")


def test_pay_on_delivery_order_is_placed_and_confirmed_by_email(
    shopper_client, indonesia, django_capture_on_commit_callbacks
):
    # given a shopper with two kilos of rice in the basket
    product = product_create(title="Beras Pandan Wangi", price=Decimal("15000"), stock=10)
    basket_add(shopper_client, product, quantity=2)

    # when they check out paying on delivery
    preview = checkout_to_preview(shopper_client)
    assert "Rp30.000" in preview.content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        response = order_place(shopper_client)

    # then one order exists for Rp30.000, stock is allocated and an email went out
    assert response.status_code == 302
    assert response["Location"] == reverse("checkout:thank-you")
    order = Order.objects.get()
    assert order.total_incl_tax == Decimal("30000")
    assert order.sources.get().source_type.name == "Bayar di tempat"
    record = product.stockrecords.get()
    assert record.num_allocated == 2
    assert len(mail.outbox) == 1
    assert order.number in mail.outbox[0].body
    assert "Rp30.000" in mail.outbox[0].body
    history = shopper_client.get(reverse("customer:order-list"))
    assert order.number in history.content.decode()


def test_below_minimum_quantity_cannot_enter_the_basket(shopper_client, indonesia):
    # given catering sold by at least 20 portions
    product = product_create(title="Nasi Kotak Ayam Bakar", min_order_quantity=20, unit="porsi")
    add_url = reverse("basket:add", kwargs={"pk": product.pk})

    # when the shopper adds 5, then 20
    refused = shopper_client.post(add_url, {"quantity": 5}, follow=True)
    accepted = shopper_client.post(add_url, {"quantity": 20}, follow=True)

    # then 5 is refused naming the minimum, and 20 is in the basket
    assert "Pembelian minimal 20 porsi" in refused.content.decode()
    basket = accepted.context["basket"]
    assert [line.quantity for line in basket.all_lines()] == [20]


def test_order_confirmation_is_sent_once_however_often_the_task_runs(
    shopper_client, indonesia, django_capture_on_commit_callbacks
):
    from checkout.services import order_confirmation_send

    # given a placed order whose confirmation went out
    basket_add(shopper_client, product_create())
    checkout_to_preview(shopper_client)
    with django_capture_on_commit_callbacks(execute=True):
        order_place(shopper_client)
    order = Order.objects.get()
    assert len(mail.outbox) == 1

    # when the task is retried
    sent = order_confirmation_send(order_id=order.id)

    # then nothing more is sent
    assert sent is False
    assert len(mail.outbox) == 1


def test_the_address_form_starts_from_the_kecamatan_of_the_profile(shopper_client, shopper, indonesia):
    # given a shopper whose profile says Gubeng
    buyer_kecamatan_set(user=shopper, kecamatan="Gubeng", actor=shopper)
    basket_add(shopper_client, product_create())

    # when they open the address step
    form = shopper_client.get(reverse("checkout:shipping-address")).context["form"]

    # then the kecamatan is already chosen
    assert form["line3"].value() == "Kec. Gubeng"


def test_without_a_profile_the_address_form_takes_the_default_address_kecamatan(
    shopper_client, shopper, indonesia
):
    # given a shopper with no profile whose default address is in Tambaksari
    UserAddress.objects.create(
        user=shopper,
        first_name="Siti",
        line1="Jl. Pacar Keling 21",
        line3="Kec. Tambaksari",
        line4="Surabaya",
        country=indonesia,
        phone_number="+6281234567890",
        is_default_for_shipping=True,
    )
    basket_add(shopper_client, product_create())

    # when they open the address step
    form = shopper_client.get(reverse("checkout:shipping-address")).context["form"]

    # then Tambaksari is already chosen
    assert form["line3"].value() == "Kec. Tambaksari"


@pytest.mark.parametrize("typed", ["0812 3456 7890", "+62 812-3456-7890", "6281234567890", "0812-3456-7890"])
def test_a_phone_number_typed_any_indonesian_way_is_stored_in_e164_and_shown_locally(
    shopper_client, indonesia, typed
):
    # given a shopper at checkout
    basket_add(shopper_client, product_create())

    # when they give their phone number as people write it and place the order
    preview = checkout_to_preview(shopper_client, address={**ADDRESS, "phone_number": typed})
    order_place(shopper_client)

    # then the preview shows 0812-3456-7890 and the order keeps +6281234567890
    assert "0812-3456-7890" in preview.content.decode()
    assert str(Order.objects.get().shipping_address.phone_number) == "+6281234567890"


@pytest.mark.parametrize(
    ("typed", "message"),
    [
        ("", "Nomor HP wajib diisi"),
        ("12345", "Nomor HP tidak valid"),
        ("0812", "Nomor HP tidak valid"),
    ],
)
def test_a_missing_or_impossible_phone_number_stops_the_address_step(
    shopper_client, indonesia, typed, message
):
    # given a shopper at checkout
    basket_add(shopper_client, product_create())

    # when they send the address without a real phone number
    response = shopper_client.post(reverse("checkout:shipping-address"), {**ADDRESS, "phone_number": typed})

    # then the form comes back naming the phone field
    assert response.status_code == 200
    assert any(message in error for error in response.context["form"].errors["phone_number"])


def test_a_saved_address_without_a_phone_is_completed_before_shipping_to_it(
    shopper_client, shopper, indonesia
):
    # given a saved address from before phone numbers were required
    address = UserAddress.objects.create(
        user=shopper,
        first_name="Siti",
        line1="Jl. Tunjungan 10",
        line3="Kec. Genteng",
        line4="Surabaya",
        country=indonesia,
    )
    basket_add(shopper_client, product_create())

    # when the shopper ships to it
    response = shopper_client.post(
        reverse("checkout:shipping-address"), {"address_id": address.pk, "action": "ship_to"}
    )

    # then they are sent to add its number, and that page needs one
    assert response["Location"] == reverse("checkout:user-address-update", kwargs={"pk": address.pk})
    edit = shopper_client.post(
        response["Location"],
        {"first_name": "Siti", "line1": "Jl. Tunjungan 10", "line4": "Surabaya", "country": "ID"},
    )
    assert "Nomor HP wajib diisi" in str(edit.context["form"].errors["phone_number"])


@pytest.mark.parametrize(
    ("stored", "shown"),
    [
        ("+6281234567890", "0812-3456-7890"),
        ("081234567890", "0812-3456-7890"),
        ("+62315678901", "(031) 5678901"),
        ("+6561234567", "+65 6123 4567"),
        ("bukan nomor", "bukan nomor"),
        ("", ""),
    ],
)
def test_phone_numbers_are_shown_the_way_indonesians_write_them(stored, shown):
    assert phone_display(stored) == shown


def _placement_queries(client, products, capture) -> int:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    for product in products:
        basket_add(client, product)
    checkout_to_preview(client)
    with CaptureQueriesContext(connection) as ctx, capture():
        response = order_place(client)
    assert response.status_code == 302
    return len(ctx.captured_queries)


def test_placing_an_order_takes_at_most_42_queries_5_more_per_line_and_8_more_per_seller(
    indonesia, django_capture_on_commit_callbacks
):
    from django.test import Client

    from tests.factories import DEFAULT_PASSWORD, PartnerFactory, UserFactory

    def shopper():
        client = Client()
        client.login(username=UserFactory().email, password=DEFAULT_PASSWORD)
        return client

    # given a warm shop (payment source type exists) and three shoppers at checkout
    _placement_queries(shopper(), [product_create()], django_capture_on_commit_callbacks)
    shop = PartnerFactory()

    # when one buys one product, one four products of one shop, one four products of four shops
    one = _placement_queries(shopper(), [product_create()], django_capture_on_commit_callbacks)
    four_lines = _placement_queries(
        shopper(), [product_create(partner=shop) for _ in range(4)], django_capture_on_commit_callbacks
    )
    four_sellers = _placement_queries(
        shopper(), [product_create() for _ in range(4)], django_capture_on_commit_callbacks
    )

    # then the request (the emails are background tasks) stays within bounds (two of them lock
    # the basket and the sellers before the stock, in the order of peken/locks.py)
    assert one <= 42, one
    assert four_lines - one <= 3 * 5, (one, four_lines)
    assert four_sellers - four_lines <= 3 * 8, (four_lines, four_sellers)
