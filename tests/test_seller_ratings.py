"""A buyer rates each shop of a received order once; shop and product pages show the average."""

import pytest
from django.test import Client
from django.urls import reverse
from oscar.core.loading import get_model

from tests.checkout_flow import basket_add, checkout_to_preview, order_place, order_receive
from tests.factories import DEFAULT_PASSWORD, PartnerFactory, UserFactory, product_create

Order = get_model("order", "Order")
SellerRating = get_model("partner", "SellerRating")


@pytest.fixture
def bought(shopper_client, indonesia, django_capture_on_commit_callbacks):
    shop = PartnerFactory(name="Kue Basah Bu Ningsih")
    product = product_create(title="Kue Lapis Legit", partner=shop)
    basket_add(shopper_client, product)
    checkout_to_preview(shopper_client)
    with django_capture_on_commit_callbacks(execute=True):
        order_place(shopper_client)
    return Order.objects.get(), shop, product


def rate(client, order, shop, score="4", comment="Enak dan tepat waktu"):
    return client.post(
        reverse("sellers:rate", kwargs={"order_number": order.number}),
        {"seller": shop.pk, "score": score, "comment": comment},
        follow=True,
    )


def test_a_buyer_rates_a_received_order_once_and_the_average_shows(bought, shopper_client, shopper):
    order, shop, product = bought
    # given the order is received
    order_receive(order)
    assert (
        reverse("sellers:rate", kwargs={"order_number": order.number})
        in shopper_client.get(
            reverse("customer:order", kwargs={"order_number": order.number})
        ).content.decode()
    )

    # when the buyer gives the shop four stars
    page = rate(shopper_client, order, shop)

    # then it is recorded, and shown on the shop's page and the product's page
    assert "Terima kasih atas penilaian Anda" in page.content.decode()
    rating = SellerRating.objects.get()
    assert (rating.user, rating.score, rating.comment) == (shopper, 4, "Enak dan tepat waktu")
    shop_page = Client().get(reverse("sellers:shop", kwargs={"pk": shop.pk})).content.decode()
    assert "4,0 · 1 penilaian" in shop_page
    assert "4,0 (1)" in Client().get(product.get_absolute_url()).content.decode()

    # when they try to rate the same order again, then it is refused
    page = rate(shopper_client, order, shop, score="1")
    assert "sudah menilai toko ini" in page.content.decode()
    assert SellerRating.objects.count() == 1


def test_no_rating_before_the_order_is_received(bought, shopper_client):
    order, shop, _ = bought
    page = rate(shopper_client, order, shop)
    assert "setelah pesanan diterima" in page.content.decode()
    assert not SellerRating.objects.exists()


def test_only_the_buyer_and_only_whole_stars(bought, shopper_client):
    order, shop, _ = bought
    order_receive(order)
    other = UserFactory(email="orang.lain@contoh.id", username="lain")
    stranger = Client()
    stranger.login(username=other.email, password=DEFAULT_PASSWORD)
    assert stranger.get(reverse("sellers:rate", kwargs={"order_number": order.number})).status_code == 404
    page = rate(shopper_client, order, shop, score="9")
    assert "9 bukan salah satu dari pilihan" in page.content.decode()
    assert not SellerRating.objects.exists()
