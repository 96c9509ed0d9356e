"""A resident opens the city's open data from the footer: official spend by agency and month, and a
purchase's release package; on a phone and on a desktop."""

import json
from decimal import Decimal

import pytest
from django.utils import timezone

from tests.fulfilment_world import fulfilment_world
from tests.reports_world import paid

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_resident_reads_the_city_s_official_spend(
    open_page, shots, screen, django_capture_on_commit_callbacks
):
    # given an agency's purchase that was received and paid
    world = fulfilment_world()
    with django_capture_on_commit_callbacks(execute=True):
        requisition = paid(world, items=[(world.beras, 2)])
    order = next(iter(requisition.orders.values()))
    # when a resident follows the footer's link to the open data
    page = open_page(screen)
    page.goto("/")
    page.locator("footer a", has_text="Data terbuka").click()
    page.wait_for_url("**/data-terbuka/")
    # then the agency's spend of this month is shown, with the purchase's release package
    row = page.locator(f'[data-spend-row="{world.agency.code}-{timezone.localdate():%Y-%m}"]')
    assert row.count() == 1
    assert "Rp" in row.inner_text()
    shots(page, "open-data")
    # and in English the same figures read in English
    page.select_option("#peken-language", "en")
    page.locator("#language_selector button").click()
    page.wait_for_selector("h1:has-text('Open data')")
    assert page.locator("[data-total]").inner_text() == row.locator("[data-amount]").inner_text()
    assert "Total" in page.locator("tfoot").inner_text()
    shots(page, "open-data-english")
    link = page.locator(f'a[href*="{order.number}/rilis.json"]').first
    response = page.request.get(link.get_attribute("href"))
    package = json.loads(response.text())
    assert package["releases"][-1]["ocid"].endswith(order.number)
    assert Decimal(str(package["releases"][-1]["awards"][0]["value"]["amount"])) > 0
