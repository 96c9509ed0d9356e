"""Shoppers report listings; verifiers dismiss the report or take the product down at once."""

import pytest
from django.test import Client
from django.urls import reverse
from oscar.core.loading import get_model

from catalogue_ext.abstract_models import ReportStatus
from tests.factories import category_create, product_create

ListingReport = get_model("catalogue", "ListingReport")


@pytest.fixture
def gold(db):
    sembako = category_create("Sembako")
    return sembako, product_create(title="Emas Batangan Antam 5 gram", category=sembako)


def report(client, product, reason="bukan-umkm", details="Ini bukan barang UMKM"):
    return client.post(
        reverse("catalogue:report", kwargs={"pk": product.pk}),
        {"reason": reason, "details": details},
        follow=True,
    )


def test_a_shopper_reports_a_listing_once(gold, shopper_client, shopper):
    _, product = gold
    # when a shopper reports the listing, then it is recorded and they are thanked
    page = report(shopper_client, product)
    assert "Laporan Anda akan diperiksa" in page.content.decode()
    saved = ListingReport.objects.get()
    assert (saved.reporter, saved.reason, saved.status) == (shopper, "bukan-umkm", ReportStatus.OPEN)
    # when they report it again while it is open, then nothing is added
    page = report(shopper_client, product)
    assert "sudah melaporkan" in page.content.decode()
    assert ListingReport.objects.count() == 1


@pytest.mark.django_db
def test_reporting_needs_an_account_and_a_reason(gold, shopper_client):
    _, product = gold
    response = Client().post(reverse("catalogue:report", kwargs={"pk": product.pk}), {"reason": "harga"})
    assert response.status_code == 302 and reverse("customer:login") in response["Location"]
    page = report(shopper_client, product, reason="")
    assert "Pilih alasan laporan" in page.content.decode()
    assert not ListingReport.objects.exists()


def test_a_verifier_takes_the_listing_down_at_once(
    gold, shopper_client, verifier_client, settings, django_capture_on_commit_callbacks
):
    settings.PEKEN_PAGE_CACHE_SECONDS = 60
    sembako, product = gold
    report(shopper_client, product)
    Client().get(sembako.get_absolute_url())  # a shared copy of the page exists
    # only verifiers see the reports
    assert shopper_client.get(reverse("sellers:verification-reports")).status_code == 403
    queue = verifier_client.get(reverse("sellers:verification-reports")).content.decode()
    assert "Emas Batangan Antam 5 gram" in queue and "Ini bukan barang UMKM" in queue

    # when the verifier takes the product down
    with django_capture_on_commit_callbacks(execute=True):
        verifier_client.post(
            reverse("sellers:verification-reports"),
            {"report": ListingReport.objects.get().pk, "action": "remove", "note": "Emas"},
        )

    # then the report is settled and the product is gone, shared pages included
    settled = ListingReport.objects.get()
    assert settled.status == ReportStatus.REMOVED and settled.handling_note == "Emas"
    assert "Emas Batangan" not in Client().get(sembako.get_absolute_url()).content.decode()
    assert Client().get(product.get_absolute_url()).status_code == 404


def test_a_dismissed_report_leaves_the_listing_on_sale(gold, shopper_client, verifier_client):
    sembako, product = gold
    report(shopper_client, product, reason="harga", details="kemahalan")
    verifier_client.post(
        reverse("sellers:verification-reports"),
        {"report": ListingReport.objects.get().pk, "action": "dismiss"},
    )
    assert ListingReport.objects.get().status == ReportStatus.DISMISSED
    assert "Emas Batangan" in Client().get(sembako.get_absolute_url()).content.decode()
    # a settled report cannot be settled again
    page = verifier_client.post(
        reverse("sellers:verification-reports"),
        {"report": ListingReport.objects.get().pk, "action": "remove"},
    )
    assert page.status_code == 404
