"""The auditor's month, in headless Chromium on a phone and a desktop: from the city's budget
realisation to the agency below the UMKM target, down its budget line to a purchase, into the red
flags and a flag's trail; the UMKM report downloaded as XLSX and PDF and read back (openpyxl,
``pdftotext``, ``pdftoppm`` pages kept beside the screenshots); and a PA/KPA who sees only their
own agency.
"""

import io
import subprocess
from decimal import Decimal

import openpyxl
import pytest
from playwright.sync_api import expect

from peken.money import rupiah_format
from procurement.models import OfficialPayment
from procurement.statuses import OfficialPaymentStatus
from sellers.abstract_models import UmkmScale
from tests.browser.conftest import open_menu, sign_in
from tests.factories import DEFAULT_PASSWORD
from tests.reports_world import paid, shop
from tests.test_reports_flags_pages import _flags_world
from tests.test_reports_flags_pages import world as world  # noqa: F401 (the fixture)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _scales(world):  # noqa: F811
    """Ani is a medium business (not counted), Darto micro, the Rungkut cake shop small."""
    world.rungkut, world.kue = shop(name="Kue Rungkut", kecamatan="Rungkut", price=Decimal(20000))
    for seller, scale in (
        (world.ani, UmkmScale.MEDIUM),
        (world.darto, UmkmScale.MICRO),
        (world.rungkut, UmkmScale.SMALL),
    ):
        seller.umkm_scale = scale
        seller.save(update_fields=["umkm_scale"])


def _shares(agency):
    payments = OfficialPayment.objects.filter(status=OfficialPaymentStatus.PAID, requisition__agency=agency)
    total = sum(p.gross for p in payments)
    umkm = sum(p.gross for p in payments if p.order.seller.umkm_scale != UmkmScale.MEDIUM)
    return umkm, total


def _pdf_text(path, folder) -> str:
    folder.mkdir(parents=True, exist_ok=True)
    subprocess.run(["pdftoppm", "-png", "-r", "60", str(path), str(folder / "umkm-pdf")], check=True)
    return subprocess.run(
        ["pdftotext", "-layout", str(path), "-"], check=True, capture_output=True, text=True
    ).stdout


def test_an_auditor_drills_to_the_agency_below_the_umkm_target_and_a_pa_sees_only_theirs(
    world,  # noqa: F811
    open_page,
    screen,
    shots,
):
    # given agency A (Dinas Kesehatan) paying mostly a medium business, B paying small ones,
    # and purchases behind every kind of red flag
    _scales(world)
    paid(world, items=[(world.beras, 30), (world.minyak, 10)])
    paid(world, items=[(world.nasi, 20)])
    paid(world.b, items=[(world.kue, 10)])
    flags = _flags_world(world)
    a_umkm, a_total = _shares(world.agency)
    b_umkm, b_total = _shares(world.b.agency)
    assert a_umkm * 100 < 40 * a_total and b_umkm * 100 >= 40 * b_total
    page = open_page(screen)

    # when the city auditor opens "Laporan" from the menu
    sign_in(page, world.auditor.email, DEFAULT_PASSWORD)
    open_menu(page)
    page.locator("[data-nav-reports]").click()
    # then the city's budget realisation lists both agencies, with the months' bars
    expect(page.locator(f'[data-agency-row="{world.agency.code}"]')).to_be_visible()
    expect(page.locator(f'[data-agency-row="{world.b.agency.code}"]')).to_be_visible()
    shots(page, "city-realisation")

    # when they open the UMKM share, then the agency below 40% comes first, marked
    page.locator('[data-tab="umkm"]').click()
    first = page.locator("[data-share-row]").first
    expect(first).to_have_attribute("data-share-row", world.agency.code)
    expect(first).to_have_attribute("data-below-target", "")
    expect(page.locator(f'[data-share-row="{world.b.agency.code}"]')).not_to_have_attribute(
        "data-below-target", ""
    )
    shots(page, "umkm-share")

    # when they drill down to that agency: its share, then its budget lines and a line's purchases
    first.locator("[data-agency-share]").click()
    expect(page.locator("[data-share-row]")).to_have_count(1)
    expect(page.locator("[data-city-share]")).to_contain_text(rupiah_format(a_total))
    shots(page, "umkm-agency")
    page.locator('[data-tab="realisation"]').click()
    page.locator(f'[data-agency-row="{world.agency.code}"] a').click()
    page.locator(f'[data-line-row="{world.line.pk}"] a').first.click()
    expect(page.locator("[data-purchase-row]").first).to_be_visible()
    shots(page, "budget-line")

    # when they open the red flags of that agency (the filter follows the tabs)
    page.locator('[data-tab="red-flags"]').click()
    expect(page.locator('[data-kind-count="pecah"]')).to_have_text("1")
    shots(page, "red-flags")
    # and follow a split purchase to its trail
    reference = flags.expected["pecah"][0][0]
    page.locator(f'[data-trail="{reference}"]').first.click()
    assert f"/pengadaan/audit/{reference}/" in page.url
    expect(page.locator("body")).to_contain_text(reference)
    shots(page, "trail")

    # when they download the city's UMKM share as XLSX
    page.goto("/laporan/umkm/")
    with page.expect_download() as download:
        page.locator('[data-export="xlsx"]').click()
    assert download.value.suggested_filename.endswith(".xlsx")
    sheet = openpyxl.load_workbook(io.BytesIO(download.value.path().read_bytes())).active
    rows = {row[0]: row for row in sheet.iter_rows(values_only=True) if row and row[0]}
    # then each agency's figures are those of the payments, A marked below the target
    a_row, b_row = rows[world.agency.name], rows[world.b.agency.name]
    assert (Decimal(a_row[3]), Decimal(a_row[4])) == (a_umkm, a_total)
    assert (Decimal(b_row[3]), Decimal(b_row[4])) == (b_umkm, b_total)
    assert a_row[6] == "ya" and not b_row[6]

    # and as PDF, with the filter in words and A's figures written the Indonesian way
    with page.expect_download() as download:
        page.locator('[data-export="pdf"]').click()
    text = _pdf_text(download.value.path(), shots.folder)
    assert world.agency.name in text and world.b.agency.name in text
    assert f"{int(a_total):,}".replace(",", ".") in text
    assert "Halaman 1 dari 1" in text

    # when B's PA/KPA opens the reports, then they see only their own agency
    page.context.clear_cookies()
    sign_in(page, world.b.pa.email, DEFAULT_PASSWORD)
    page.goto("/laporan/umkm/")
    expect(page.locator("[data-share-row]")).to_have_count(1)
    expect(page.locator(f'[data-share-row="{world.b.agency.code}"]')).to_be_visible()
    expect(page.locator("body")).not_to_contain_text(world.agency.name)
    shots(page, "pa-umkm")
    page.goto("/laporan/tanda-bahaya/")
    expect(page.locator("body")).not_to_contain_text(world.agency.name)
    for reference in flags.a_refs:
        expect(page.locator(f'[data-trail="{reference}"]')).to_have_count(0)
    response = page.goto(f"/laporan/realisasi/opd/{world.agency.code}/")
    assert response.status == 404
