"""The marketplace's whole story in headless Chromium, with a screenshot of every step.

A new seller registers and a verifier approves the shop and its first
listing; a shopper buys from that shop and from a demo shop in one checkout
and pays by card against localstripe; each seller sees only their own order
and fulfils it; the shopper confirms receipt and rates.
"""

import re
import time

import pytest
from django.contrib.auth import get_user_model
from oscar.core.loading import get_model

from catalogue_ext.abstract_models import ListingStatus
from orders.statuses import OrderStatus
from peken import demo
from tests.browser.conftest import sign_in
from tests.factories import DEFAULT_PASSWORD, UserFactory, _tiny_jpeg

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

Order = get_model("order", "Order")
Partner = get_model("partner", "Partner")
Product = get_model("catalogue", "Product")
SellerRating = get_model("partner", "SellerRating")


def wait_for(condition, seconds: float = 20):
    deadline = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.2)


def register_shop(page, photo) -> None:
    page.goto("/penjual/daftar/")
    page.fill("#id_name", "Kue Basah Bu Ningsih")
    page.check("input[name=kind][value=umkm]")
    page.set_input_files("#id_photo", str(photo))
    page.check("input[name=made_locally][value=True]")
    page.fill("#id_owner_name", "Ningsih Rahayu")
    page.fill("#id_ktp_number", "3578 0145 0289 0003")
    page.fill("#id_phone", "0812 3456 7890")
    page.check("input[name=low_income_household][value=False]")
    page.fill("#id_nib", "9120301234567")
    page.fill("#id_npwp", "01.234.567.4-614.000")
    page.check("input[name=is_pkp][value=False]")
    page.fill("#id_annual_sales", "350.000.000")
    page.check("input[name=has_pp55][value=False]")
    page.fill("#id_bank_name", "Bank Jatim")
    page.fill("#id_bank_account_number", "0011223344")
    page.fill("#id_bank_account_holder", "Ningsih Rahayu")
    page.fill("#id_street", "Jl. Kalibokor Selatan No. 12")
    page.select_option("#id_kecamatan", "Gubeng")
    page.select_option("#id_kelurahan", "Pucang Sewu")
    page.fill("#id_postcode", "60283")
    page.locator("form.peken-form button[type=submit]").click()
    page.wait_for_url("**/penjual/toko-saya/")


def add_product(page, photo) -> None:
    page.goto("/penjual/pusat/produk/baru/")
    page.fill("#id_title", "Klepon Pandan isi 10")
    page.fill("#id_description", "Klepon pandan gula merah, dibuat pagi hari.")
    page.select_option("#id_category", index=1)
    page.set_input_files("#id_images", str(photo))
    page.fill("#id_price", "12.000")
    page.fill("#id_stock", "30")
    page.get_by_role("button", name="Simpan produk").click()
    assert "Klepon Pandan isi 10" in page.locator("body").inner_text()


def order_page_act(page, number: str, button: str) -> None:
    page.goto(f"/penjual/pusat/pesanan/{number}/")
    page.get_by_role("button", name=button).click()
    page.wait_for_load_state()


def test_seller_joins_shopper_buys_from_two_sellers_by_card_and_both_fulfil(
    open_page, shots, live_server, localstripe, tmp_path, verifier, screen
):
    # given the demo marketplace, localstripe sending its signed events here, and a would-be seller
    demo.demo_load()
    localstripe.webhook_register(live_server.url + "/pembayaran/stripe/webhook/")
    photo = tmp_path / "kue.jpg"
    photo.write_bytes(_tiny_jpeg())
    owner = UserFactory(email="ningsih@contoh.id", username="ningsih")
    demo_shop = Partner.objects.get(users__email=demo.SELLER["email"])
    demo_product = (
        Product.objects.filter(stockrecords__partner=demo_shop, stockrecords__num_in_stock__gt=5)
        .order_by("pk")
        .first()
    )

    # when the owner registers a shop (on a phone, or on a desktop)
    seller = open_page(screen)
    sign_in(seller, owner.email, DEFAULT_PASSWORD)
    register_shop(seller, photo)
    shots(seller, "seller-registered")

    # and a verifier approves the shop
    desk = open_page(screen)
    sign_in(desk, verifier.email, DEFAULT_PASSWORD)
    desk.goto("/penjual/verifikasi/")
    desk.locator("a", has_text="Kue Basah Bu Ningsih").click()
    desk.check("input[name=status][value=aktif]")
    shots(desk, "verifier-approves-shop")
    desk.locator("form.card button[type=submit]").click()
    desk.wait_for_url("**/penjual/verifikasi/")
    shop = Partner.objects.get(name="Kue Basah Bu Ningsih")
    assert shop.status == "aktif"

    # and the seller lists a product, which the verifier approves
    add_product(seller, photo)
    shots(seller, "seller-product-listed")
    desk.goto("/penjual/verifikasi/produk/")
    desk.get_by_role("link", name="Klepon Pandan isi 10").click()
    desk.check("input[name=decision][value=approve]")
    shots(desk, "verifier-approves-listing")
    desk.get_by_role("button", name="Simpan keputusan").click()
    klepon = Product.objects.get(title="Klepon Pandan isi 10")
    assert klepon.listing_status == ListingStatus.APPROVED

    # when the demo shopper puts the klepon and a demo shop's product in one basket
    shopper = open_page(screen)
    sign_in(shopper, demo.SHOPPER["email"], demo.SHOPPER["password"])
    for product in (klepon, demo_product):
        shopper.goto(product.get_absolute_url())
        shopper.locator("#add_to_basket_form button[type=submit]").click()
    shopper.goto("/basket/")
    shots(shopper, "shopper-basket")

    # and checks out: saved address, each shop's own shipping, card payment
    shopper.goto("/checkout/")
    shopper.locator("button.ship-address").first.click()
    shopper.wait_for_url(re.compile(r"/checkout/shipping-method/"))
    assert shopper.locator("fieldset.peken-seller-shipping").count() == 2
    shopper.check(f"input[name=toko_{shop.pk}][value=ambil-di-toko]")
    demo_options = shopper.locator(f"input[name=toko_{demo_shop.pk}]")
    demo_options.nth(demo_options.count() - 1).check()  # the shop's delivery where it offers one
    shots(shopper, "shopper-shipping-per-shop")
    shopper.locator("#seller_shipping_submit").click()
    shopper.wait_for_url(re.compile(r"/checkout/payment-details/"))
    shopper.check("input[value=kartu]")
    shopper.locator("#view_preview").click()
    shopper.wait_for_url(re.compile(r"/checkout/preview/"))
    shopper.wait_for_selector("#card-element input")
    card = shopper.locator("#card-element")
    card.locator("input[placeholder=number]").type("4242424242424242")
    card.locator("input[placeholder=exp_month]").fill("12")
    card.locator("input[placeholder=exp_year]").fill("34")
    card.locator("input[placeholder=cvc]").type("123")
    shots(shopper, "shopper-card")
    shopper.locator("#pay-by-card").click()
    shopper.wait_for_url(re.compile(r"/checkout/thank-you/"), timeout=30_000)
    shots(shopper, "shopper-thank-you")

    # then there are two orders, one per shop, under one reference, and the webhook marks both paid
    buyer = get_user_model().objects.get(email=demo.SHOPPER["email"])
    orders = {o.seller_id: o for o in Order.objects.filter(user=buyer)}
    assert set(orders) == {shop.pk, demo_shop.pk}
    klepon_order, demo_order = orders[shop.pk], orders[demo_shop.pk]
    assert klepon_order.checkout_reference == demo_order.checkout_reference
    assert klepon_order.checkout_reference in shopper.locator("#checkout_reference").inner_text()
    wait_for(lambda: Order.objects.filter(user=buyer, date_paid__isnull=False).count() == 2)

    # when each seller opens their orders: each sees only their own
    seller.goto("/penjual/pusat/pesanan/")
    mine = seller.locator("body").inner_text()
    assert klepon_order.number in mine and demo_order.number not in mine
    shots(seller, "seller-orders")
    demo_seller = open_page(screen)
    sign_in(demo_seller, demo.SELLER["email"], demo.SELLER["password"])
    demo_seller.goto("/penjual/pusat/pesanan/")
    theirs = demo_seller.locator("body").inner_text()
    assert demo_order.number in theirs and klepon_order.number not in theirs
    assert demo_seller.goto(f"/penjual/pusat/pesanan/{klepon_order.number}/").status == 404

    # and fulfils it: the new shop has it ready for pickup, the demo shop sends it
    order_page_act(seller, klepon_order.number, "Terima pesanan")
    assert "Klepon Pandan isi 10" in seller.locator("body").inner_text()
    assert demo_product.get_title() not in seller.locator("body").inner_text()
    order_page_act(seller, klepon_order.number, "Siap diambil pembeli")
    shots(seller, "seller-order-ready")
    order_page_act(demo_seller, demo_order.number, "Terima pesanan")
    last = "Tandai sudah dikirim" if demo_order.shipping_code != "ambil-di-toko" else "Siap diambil pembeli"
    order_page_act(demo_seller, demo_order.number, last)
    shots(demo_seller, "demo-seller-order-sent")

    # when the shopper confirms receipt of both and rates the new shop
    for order in (klepon_order, demo_order):
        shopper.goto(f"/accounts/orders/{order.number}/")
        shopper.locator("#confirm_received").click()
        shopper.wait_for_load_state()
    shots(shopper, "shopper-received")
    shopper.goto(f"/penjual/nilai/{klepon_order.number}/")
    form = shopper.locator("form.peken-rating-form").first
    form.locator("input[name=score][value='5']").check()
    form.locator("textarea[name=comment]").fill("Kleponnya masih hangat, enak!")
    shots(shopper, "shopper-rates")
    form.locator("button[type=submit]").click()
    shopper.wait_for_load_state()
    shots(shopper, "shopper-rated")

    # then both orders are received and the rating shows on the shop's page
    assert {o.status for o in Order.objects.filter(user=buyer)} == {OrderStatus.RECEIVED}
    assert SellerRating.objects.get(seller=shop).score == 5
    shopper.goto(f"/penjual/toko/{shop.pk}/")
    assert "5" in shopper.locator("body").inner_text()
    shots(shopper, "shop-page-rated")
