"""An auditor reads the seller exposure and red flag reports and follows a flag to its trail,
in headless Chromium on a phone and on a desktop; the printed page drops the filter and menus."""

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import sign_in
from tests.factories import DEFAULT_PASSWORD
from tests.test_reports_flags_pages import _exposure_world, _flags_world, world  # noqa: F401 (fixture)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_an_auditor_reads_exposure_and_follows_a_red_flag_to_its_trail(world, open_page, screen, shots):  # noqa: F811
    # given purchases behind every kind of flag, and two agencies' payments to sellers
    _exposure_world(world)
    flags = _flags_world(world)
    page = open_page(screen)
    sign_in(page, world.auditor.email, DEFAULT_PASSWORD)

    # when the auditor opens the seller exposure report
    page.goto("/laporan/paparan/")
    expect(page.locator("[data-dual]")).to_have_text("2")
    # then both charts are drawn, one bar per top seller, and the page fits the screen
    sellers = page.locator("[data-top-row]").count()
    assert sellers >= 2
    expect(page.locator('[data-chart="top"] svg g')).to_have_count(sellers)
    expect(page.locator('[data-chart="hhi"] svg')).to_be_visible()
    shots(page, "exposure")

    # when they open the red flags and the price tab
    page.goto("/laporan/tanda-bahaya/")
    expect(page.locator('[data-kind-count="pecah"]')).to_have_text("1")
    shots(page, "red-flags-split")
    page.locator('[data-kind="harga"]').click()
    expect(page.locator('[data-kind-rule="harga"]')).to_contain_text("1,5 kali median")
    shots(page, "red-flags-price")

    # and follow the flagged purchase to its trail
    reference = flags.expected["harga"][0][0]
    page.locator(f'[data-trail="{reference}"]').click()
    expect(page.locator("body")).to_contain_text(reference)
    assert f"/pengadaan/audit/{reference}/" in page.url
    shots(page, "trail")

    # and the printed report leaves out the menus, the filter bar and the pager, keeping the tables
    page.goto("/laporan/paparan/")
    page.emulate_media(media="print")
    expect(page.locator("[data-report-filter]")).to_be_hidden()
    expect(page.locator("[data-hhi-table]")).to_be_visible()
    # (Bootstrap prints at least 992px wide, so the print shot is not checked for a phone's width)
    shots(page, "exposure-print", check=False)
