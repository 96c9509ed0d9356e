"""A shopper served a page another visitor opened sees their own basket and account on it,
in headless Chromium on a phone and on a desktop (peken/page_cache.py, peken/personal.py)."""

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import open_menu, sign_in
from tests.factories import DEFAULT_PASSWORD, PartnerFactory, UserFactory, category_create, product_create

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_shared_product_page_shows_each_visitor_their_own_parts(open_page, shots, screen, settings):
    settings.PEKEN_PAGE_CACHE_SECONDS = 60
    sembako = category_create("Sembako")
    beras = product_create(
        title="Beras Medium Bengawan 5 kg",
        category=sembako,
        image=True,
        price=68000,
        partner=PartnerFactory(name="Toko Bu Sri", kecamatan="Gubeng"),
    )
    shopper = UserFactory(email="siti@contoh.id", username="siti", first_name="Siti")

    # given an anonymous visitor opened the product page first
    visitor = open_page(screen)
    first = visitor.goto(beras.get_absolute_url())
    assert first.headers.get("x-page-cache") == "miss"
    expect(visitor.locator("#login_link")).to_be_visible()
    shots(visitor, "anonymous-visitor")

    # when Siti signs in, opens a page, then the same product page
    page = open_page(screen)
    sign_in(page, shopper.email, DEFAULT_PASSWORD)
    page.goto(sembako.get_absolute_url())
    response = page.goto(beras.get_absolute_url())

    # then she is served the visitor's copy, with her own account links and report form
    assert response.headers.get("x-page-cache") == "hit"
    expect(page.locator("#logout_link")).to_be_attached()
    expect(page.locator("#login_link")).to_have_count(0)
    page.locator("details.peken-report summary").click()
    expect(page.locator("details.peken-report form")).to_be_visible()
    shots(page, "shopper-shared-copy")

    # and when she adds it to her basket, the next page shows her basket's total
    page.fill("#id_quantity", "2")
    page.locator("#add_to_basket_form button[type=submit]").click()
    expect(page.locator(".alert-success").first).to_be_visible()  # rendered for her, with its message
    shared = page.goto(beras.get_absolute_url())
    assert shared.headers.get("x-page-cache") in ("hit", "miss")  # shared again, with the new total
    basket = page.locator(".btn-cart" if screen["viewport"]["width"] < 768 else ".basket-mini")
    expect(basket).to_contain_text("Rp136.000")
    open_menu(page)
    shots(page, "shopper-after-adding")

    # and the anonymous visitor still sees a signed-out page with no basket
    again = visitor.goto(beras.get_absolute_url())
    assert again.headers.get("x-page-cache") == "hit"
    expect(visitor.locator("#login_link")).to_be_visible()
    assert "Rp136.000" not in visitor.content()
