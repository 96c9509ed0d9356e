"""The key pages on the narrowest common phone (360 px): nothing scrolls sideways, axe finds nothing serious.

Every page is visited and its problems gathered, so one run names them all.
"""

import re

import pytest
from django.contrib.auth import get_user_model
from oscar.core.loading import get_model

from peken import demo
from tests.browser.conftest import NARROW_PHONE, Shots, open_menu, page_problems, sign_in
from tests.browser.test_procurement_story import decide, office, official_basket_submitted  # noqa: F401
from tests.factories import DEFAULT_PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

Category = get_model("catalogue", "Category")
Product = get_model("catalogue", "Product")


class Survey(Shots):
    """Screenshots every page like Shots, but gathers the problems instead of failing at the first."""

    def __init__(self, name: str):
        super().__init__(name)
        self.problems: list[str] = []

    def __call__(self, page, step: str, *, check: bool = True, axe: bool = True):
        path = super().__call__(page, step, check=False)
        if check:
            self.problems += page_problems(page, axe=axe)
        return path


@pytest.fixture
def survey(request):
    return Survey(request.node.name)


def test_key_pages_fit_a_360px_phone_and_pass_axe(open_page, survey, office, settings):  # noqa: F811
    # given the demo marketplace and an agency with a requester, approvers and an auditor
    # (the agency admin's username would clash with the demo's admin)
    get_user_model().objects.filter(username="admin").update(username="admin-dinkes")
    demo.demo_load()
    seller_category = Category.objects.filter(depth=2).order_by("path").first()
    product = Product.objects.filter(stockrecords__num_in_stock__gt=5).order_by("pk").first()

    # when a visitor on a 360 px phone browses, searches and fills a basket
    page = open_page(NARROW_PHONE)
    page.goto("/")
    survey(page, "home")
    # (one menu button; the first Tab reaches the skip link, which leads into the one <main>)
    assert page.locator(".navbar-toggler:visible").count() == 1
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.className") == "peken-skip-link"
    page.keyboard.press("Enter")
    assert page.evaluate("document.activeElement.tagName + '#' + document.activeElement.id") == "MAIN#main"
    assert page.locator("main").count() == 1
    open_menu(page)
    survey(page, "home-menu-open")
    page.goto(seller_category.get_absolute_url())
    # (a subcategory can be reached without the desktop sidebar)
    assert page.locator(".peken-chips a", has_text=seller_category.name).is_visible()
    survey(page, "subcategory")
    page.goto("/search/?q=beras")
    survey(page, "search")
    page.goto(product.get_absolute_url())
    survey(page, "product")
    page.locator("#add_to_basket_form button[type=submit]").click()
    page.goto("/basket/")
    survey(page, "basket")
    page.goto("/accounts/login/")
    survey(page, "login")

    # and the demo shopper checks out and opens the shop registration form
    shopper = open_page(NARROW_PHONE)
    sign_in(shopper, demo.SHOPPER["email"], demo.SHOPPER["password"])
    shopper.goto(product.get_absolute_url())
    shopper.locator("#add_to_basket_form button[type=submit]").click()
    shopper.goto("/checkout/")
    shopper.wait_for_url(re.compile(r"/checkout/shipping-address/"))
    survey(shopper, "checkout-address")
    shopper.locator("button.ship-address").first.click()
    shopper.wait_for_url(re.compile(r"/checkout/(shipping-method|payment-details)/"))
    survey(shopper, "checkout-next")
    shopper.goto("/penjual/daftar/")
    survey(shopper, "shop-registration")

    # and the demo seller opens the seller centre
    seller = open_page(NARROW_PHONE)
    sign_in(seller, demo.SELLER["email"], demo.SELLER["password"])
    for path, step in (
        ("/penjual/pusat/", "centre"),
        ("/penjual/pusat/produk/", "centre-products"),
        ("/penjual/pusat/pesanan/", "centre-orders"),
        ("/penjual/pusat/penjualan/", "centre-sales"),
    ):
        seller.goto(path)
        survey(seller, step)

    # and a requester submits an official basket, which the Pejabat Pengadaan opens and an auditor reads
    requester = open_page(NARROW_PHONE)
    sign_in(requester, office["requester"].email, DEFAULT_PASSWORD)
    requisition = official_basket_submitted(requester, office, survey, air=2, nasi=3, purpose="Rapat kader")
    approver = open_page(NARROW_PHONE)
    sign_in(approver, office["pp"].email, DEFAULT_PASSWORD)
    approver.goto("/pengadaan/persetujuan/")
    survey(approver, "approval-inbox")
    decide(approver, requisition, survey, decision="setuju", shot="approval-decision")
    auditor = open_page(NARROW_PHONE)
    sign_in(auditor, office["auditor"].email, DEFAULT_PASSWORD)
    for path, step in (
        ("/pengadaan/audit/", "audit-list"),
        (f"/pengadaan/audit/{requisition.reference}/", "audit-detail"),
        ("/pengadaan/audit/jejak/", "audit-trail"),
    ):
        auditor.goto(path)
        survey(auditor, step)

    # then no page scrolls sideways or has a critical or serious axe violation
    assert not survey.problems, "\n".join(survey.problems)
