"""A big stock upload being applied by a worker: the page's progress bar moves, then the result shows,
in headless Chromium (peken/import-progress.js polling the job's status endpoint)."""

import pytest
from django.core.cache import cache
from django.utils import timezone
from oscar.core.loading import get_model
from playwright.sync_api import expect

from peken.models import ImportJob, ImportJobStatus, ImportKind
from sellers.abstract_models import StockUpdateSource
from tests.browser.conftest import DESKTOP, sign_in
from tests.factories import DEFAULT_PASSWORD, seller_create

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

StockUpdate = get_model("partner", "StockUpdate")


def test_the_progress_bar_follows_a_running_job_and_the_page_shows_its_result(open_page, shots):
    # given a shop whose 600-row upload a worker is applying, 150 rows done so far
    shop = seller_create(name="Warung Bu Tini", email="tini@contoh.id")
    job = ImportJob.objects.create(
        kind=ImportKind.STOCK_CSV,
        owner=shop,
        actor=shop.users.get(),
        file_name="stok-besar.csv",
        rows_total=600,
        status=ImportJobStatus.RUNNING,
        date_started=timezone.now(),
    )
    cache.set(f"peken:import-job:{job.pk}:rows", 150, 60)
    page = open_page(DESKTOP)
    sign_in(page, "tini@contoh.id", DEFAULT_PASSWORD)

    # when the seller is on the job's page
    page.goto(f"/penjual/pusat/stok/impor/{job.pk}/")
    bar = page.locator("progress[data-import-progress]")
    assert bar.get_attribute("value") == "150"
    assert "Sedang diterapkan" in page.locator(".peken-import-job").inner_text()
    shots(page, "job-running")

    # then the bar moves as the worker reports more rows, without reloading
    cache.set(f"peken:import-job:{job.pk}:rows", 450, 60)
    # (expect polls from Playwright's side: a string predicate would be eval'd, which the CSP forbids)
    expect(page.locator(".peken-import-job")).to_contain_text("450 dari 600 baris")
    expect(page.locator("progress[data-import-progress]")).to_have_attribute("value", "450")

    # and when the job finishes, the page reloads itself and shows what changed
    update = StockUpdate.objects.create(
        seller=shop,
        actor=shop.users.get(),
        source=StockUpdateSource.CSV,
        file_name="stok-besar.csv",
        rows_applied=600,
        changes=[],
    )
    ImportJob.objects.filter(pk=job.pk).update(
        status=ImportJobStatus.DONE,
        rows_done=600,
        date_finished=timezone.now(),
        result={"rows_applied": 600, "stock_update": update.pk},
    )
    page.locator(".peken-import-done").wait_for()
    assert "600 baris diubah dari stok-besar.csv." in page.locator(".peken-import-done").inner_text()
    assert page.locator("progress[data-import-progress]").get_attribute("value") == "600"
    shots(page, "job-done")
