"""A buyer sets their kecamatan and reviews a received product,
in headless Chromium on a phone and on a desktop."""

import pytest
from oscar.core.loading import get_model

from buyers.models import BuyerProfile
from catalogue_ext.reviews import services
from tests.browser.conftest import DESKTOP, sign_in
from tests.factories import DEFAULT_PASSWORD, PartnerFactory, UserFactory, order_with_products, product_create

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

ProductReview = get_model("reviews", "ProductReview")


def test_buyer_sets_kecamatan_and_reviews_a_product(open_page, shots, screen):
    # given a shopper who received a cake that two other buyers reviewed
    shopper = UserFactory(email="siti@contoh.id", username="siti", first_name="Siti", last_name="Rahayu")
    kue = product_create(
        title="Kue Lapis Legit Premium Satu Loyang",
        image=True,
        partner=PartnerFactory(name="Kue Basah Bu Ningsih", kecamatan="Gubeng"),
    )
    for name, score, body in (
        ("Dewi", 5, "Legit, wangi, tidak terlalu manis. Pesan lagi."),
        ("Budi", 4, "Enak, pengiriman tepat waktu."),
    ):
        other = UserFactory(first_name=name, last_name="Santoso")
        order_with_products(user=other, products=[kue], status="Selesai")
        services.product_review_write(user=other, product=kue, score=score, body=body)
    order_with_products(user=shopper, products=[kue], status="Selesai")
    page = open_page(screen)
    sign_in(page, shopper.email, DEFAULT_PASSWORD)

    # when they set their kecamatan from their profile
    page.goto("/accounts/profile/")
    shots(page, "profile")
    page.click("#change_kecamatan")
    page.select_option("#id_kecamatan", "Gubeng")
    shots(page, "kecamatan-form")
    page.click("#save_kecamatan")
    page.wait_for_url("**/accounts/profile/")
    assert "Gubeng" in page.inner_text("main, body")
    shots(page, "profile-saved")

    # and review the cake from its page
    page.goto(kue.get_absolute_url())
    page.click("#write_review")
    page.check("#id_score_1")  # four stars (five stars is the first choice)
    page.fill("#id_body", "Lembut dan legit, pas untuk rapat RT.")
    shots(page, "review-form")
    page.click("#add_review_form button[type=submit]")
    page.wait_for_selector("text=Terima kasih atas ulasan Anda.")

    # then the profile holds Gubeng, and the product page shows three reviews averaging 4.3
    assert BuyerProfile.objects.get(user=shopper).kecamatan == "Gubeng"
    assert ProductReview.objects.count() == 3
    assert "4,3" in page.inner_text("body")
    shots(page, "product-with-reviews")
    desktop = open_page(DESKTOP)
    desktop.goto(kue.get_absolute_url())
    shots(desktop, "product-with-reviews-desktop")
    desktop.goto("/catalogue/")
    shots(desktop, "catalogue-card-rating-desktop")
