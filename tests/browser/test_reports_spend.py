"""An auditor reads the spend report on a phone and on a desktop: the headline, the bars per
kecamatan, the sellers, one seller's paid orders with their trail, and one category."""

import pytest

from tests.browser.conftest import sign_in
from tests.factories import DEFAULT_PASSWORD
from tests.test_reports_spend import _build, world  # noqa: F401 (the fixture)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_the_spend_report_reads_on_every_screen(world, open_page, screen, shots):  # noqa: F811
    _build(world, large=True)
    page = open_page(screen)
    sign_in(page, world.auditor.email, DEFAULT_PASSWORD)
    # the city's spend: headline figures and the bars per kecamatan, per agency by default
    page.goto("/laporan/belanja/")
    page.locator("[data-spend-summary]").wait_for()
    assert page.locator("[data-amount-chart] svg g").count() == 4
    shots(page, "belanja-per-opd")
    # per seller, then one seller's paid orders, each linked to its trail
    page.locator('[data-per="penjual"]').click()
    page.locator('[data-spend-table="penjual"]').wait_for()
    shots(page, "belanja-per-penjual")
    page.locator("[data-spend-row] [data-row-purchases]", has_text=world.koperasi.name).click()
    page.locator("[data-spend-purchases]").wait_for()
    assert page.locator("[data-trail]").count() == 4
    shots(page, "pembelian-penjual")
    # one category, broken down below it
    page.goto(f"/laporan/belanja/?per=kategori&kategori={world.sembako.pk}")
    page.locator("[data-category-note]").wait_for()
    assert page.locator("[data-spend-row]").count() == 2
    shots(page, "belanja-kategori")
