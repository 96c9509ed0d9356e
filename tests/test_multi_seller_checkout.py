"""One checkout, one order per seller, each with its own shipping choice and fee."""

import re
from decimal import Decimal

from django.core import mail
from django.urls import reverse
from oscar.core.loading import get_model

from checkout.shipping.methods import DISTANCE, LOCAL, PICKUP
from checkout.shipping.selectors import seller_shipping_options
from tests.checkout_flow import ADDRESS, basket_add, checkout_to_preview, order_place
from tests.factories import PartnerFactory, UserFactory, product_create

Order = get_model("order", "Order")
SellerDelivery = get_model("shipping", "SellerDelivery")

GENTENG = {**ADDRESS, "line3": "Kec. Genteng"}


def _shop(name, kecamatan, **fees):
    shop = PartnerFactory(name=name, kecamatan=kecamatan)
    owner = UserFactory(email=f"{name.split()[-1].lower()}@toko.id")
    shop.users.add(owner)
    if fees:
        SellerDelivery.objects.create(seller=shop, **fees)
    return shop


def test_a_basket_from_two_sellers_becomes_two_orders_under_one_reference(
    shopper_client, shopper, indonesia, django_capture_on_commit_callbacks
):
    # given rice from a Genteng shop that delivers locally, and batik from a Rungkut shop
    genteng = _shop("Toko Genteng", "Genteng", local_fee=Decimal("5000"))
    rungkut = _shop("Batik Rungkut", "Rungkut", near_fee=Decimal("8000"), middle_fee=Decimal("12000"))
    rice = product_create(title="Beras Pandan Wangi", price=Decimal("15000"), partner=genteng)
    batik = product_create(title="Kemeja Batik Rungkut", price=Decimal("150000"), partner=rungkut)
    basket_add(shopper_client, rice, quantity=2)
    basket_add(shopper_client, batik)

    # when a shopper in Genteng has the rice delivered and picks the batik up
    preview = checkout_to_preview(
        shopper_client, address=GENTENG, shipping={genteng.pk: LOCAL, rungkut.pk: PICKUP}
    )
    assert "Rp185.000" in preview.content.decode()  # 30.000 + 5.000 + 150.000
    with django_capture_on_commit_callbacks(execute=True):
        response = order_place(shopper_client)

    # then there are two orders, one per seller, under one checkout reference
    assert response.status_code == 302
    rice_order, batik_order = Order.objects.order_by("number")
    assert rice_order.checkout_reference == batik_order.checkout_reference != ""
    assert (rice_order.seller, batik_order.seller) == (genteng, rungkut)
    assert [line.product for line in rice_order.lines.all()] == [rice]
    assert [line.product for line in batik_order.lines.all()] == [batik]
    assert (rice_order.shipping_code, rice_order.shipping_incl_tax) == (LOCAL, Decimal("5000"))
    assert (batik_order.shipping_code, batik_order.shipping_incl_tax) == (PICKUP, Decimal("0"))
    assert (rice_order.total_incl_tax, batik_order.total_incl_tax) == (Decimal("35000"), Decimal("150000"))
    assert rice_order.status == batik_order.status == "Baru"
    # and each order has its own emails: the buyer one per order, each seller one for its own
    buyer_mail = [m for m in mail.outbox if m.to == [shopper.email]]
    assert len(buyer_mail) == 2
    genteng_mail = [m for m in mail.outbox if m.to == ["genteng@toko.id"]]
    assert len(genteng_mail) == 1 and rice_order.number in genteng_mail[0].body
    assert batik_order.number not in genteng_mail[0].body
    # and the thank-you page and the checkout page show both under the reference
    thanks = shopper_client.get(reverse("checkout:thank-you")).content.decode()
    group = shopper_client.get(
        reverse("orders:checkout-group", kwargs={"reference": rice_order.checkout_reference})
    )
    for page in (thanks, group.content.decode()):
        assert rice_order.checkout_reference in page
        assert rice_order.number in page and batik_order.number in page


def test_another_buyer_cannot_open_someone_elses_checkout(shopper_client, shopper, indonesia, client):
    # given a placed checkout
    basket_add(shopper_client, product_create())
    checkout_to_preview(shopper_client)
    order_place(shopper_client)
    reference = Order.objects.get().checkout_reference

    # when another signed-in shopper opens its page
    other = UserFactory()
    client.force_login(other)
    response = client.get(reverse("orders:checkout-group", kwargs={"reference": reference}))

    # then they get 404
    assert response.status_code == 404


def test_delivery_options_follow_the_seller_terms_and_the_distance(db):
    # given a Gubeng shop: local Rp5.000, near Rp10.000, middle Rp15.000, no far delivery
    shop = PartnerFactory(kecamatan="Gubeng")
    terms = SellerDelivery(
        seller=shop,
        local_fee=Decimal("5000"),
        near_fee=Decimal("10000"),
        middle_fee=Decimal("15000"),
        far_fee=None,
    )

    def offered(kecamatan):
        return {
            o.code: o.fee
            for o in seller_shipping_options(seller=shop, delivery=terms, buyer_kecamatan=kecamatan)
        }

    # then Gubeng buyers get local delivery, Tegalsari (about 2 km) the near fee,
    # Rungkut (about 6 km) the middle fee, Benowo (about 14 km) pickup only,
    # and a buyer whose address names no kecamatan pickup only
    assert offered("Gubeng") == {PICKUP: 0, LOCAL: Decimal("5000")}
    assert offered("Tegalsari") == {PICKUP: 0, DISTANCE: Decimal("10000")}
    assert offered("Rungkut") == {PICKUP: 0, DISTANCE: Decimal("15000")}
    assert offered("Benowo") == {PICKUP: 0}
    assert offered("") == {PICKUP: 0}


def test_a_delivery_the_seller_does_not_offer_is_refused(shopper_client, indonesia):
    # given a Rungkut shop that delivers nowhere, and a shopper in Genteng
    shop = _shop("Toko Rungkut", "Rungkut")
    basket_add(shopper_client, product_create(partner=shop))
    shopper_client.post(reverse("checkout:shipping-address"), GENTENG)

    # when the shopper asks for delivery anyway
    response = shopper_client.post(reverse("checkout:shipping-method"), {f"toko_{shop.pk}": DISTANCE})

    # then the page says so and the checkout does not move on
    assert response.status_code == 200
    assert "Cara pengiriman ini tidak tersedia untuk toko ini." in response.content.decode()


def _checked(page: str) -> dict[str, str]:
    return dict(re.findall(r'name="(toko_\d+)" value="([^"]+)"[^>]*checked', page))


def test_delivery_is_preselected_where_the_shop_delivers_and_every_option_shows_its_fee(
    shopper_client, indonesia
):
    # given a Genteng shop delivering locally for Rp5.000 and a Rungkut shop that only has pickup
    genteng = _shop("Toko Genteng", "Genteng", local_fee=Decimal("5000"))
    rungkut = _shop("Toko Rungkut", "Rungkut")
    basket_add(shopper_client, product_create(partner=genteng))
    basket_add(shopper_client, product_create(partner=rungkut))
    shopper_client.post(reverse("checkout:shipping-address"), GENTENG)

    # when a shopper in Genteng opens the shipping step
    page = shopper_client.get(reverse("checkout:shipping-method")).content.decode()

    # then the Genteng shop's delivery is ticked, the Rungkut shop's pickup, and each fee is shown
    assert _checked(page) == {f"toko_{genteng.pk}": LOCAL, f"toko_{rungkut.pk}": PICKUP}
    assert "Diantar penjual (dalam Kec. Genteng)" in page and "Rp5.000" in page
    assert page.count("gratis") == 2  # both pickups


def test_a_shop_added_after_the_shipping_step_is_asked_for_not_defaulted_to_pickup(shopper_client, indonesia):
    # given a shopper who chose delivery from a Genteng shop and reached the payment step
    genteng = _shop("Toko Genteng", "Genteng", local_fee=Decimal("5000"))
    basket_add(shopper_client, product_create(partner=genteng))
    checkout_to_preview(shopper_client, address=GENTENG)

    # when they add goods from another shop that delivers to Genteng and go back to the preview
    other = _shop("Toko Genteng Kidul", "Genteng", local_fee=Decimal("4000"))
    basket_add(shopper_client, product_create(partner=other))
    response = shopper_client.get(reverse("checkout:preview"))

    # then they are sent back to choose for that shop, with its delivery preselected
    assert response.status_code == 302 and response["Location"] == reverse("checkout:shipping-method")
    page = shopper_client.get(response["Location"]).content.decode()
    assert _checked(page) == {f"toko_{genteng.pk}": LOCAL, f"toko_{other.pk}": LOCAL}
    assert order_place(shopper_client).status_code == 302 and not Order.objects.exists()
