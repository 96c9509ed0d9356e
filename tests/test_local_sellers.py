"""Buyers find shops near them: a kecamatan filter on listings and a page per shop."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from sellers.abstract_models import SellerStatus
from tests.factories import PartnerFactory, category_create, product_create


@pytest.fixture
def two_shops(db):
    sembako = category_create("Sembako")
    gubeng = PartnerFactory(name="Toko Pucang", kecamatan="Gubeng", kelurahan="Pucang Sewu")
    genteng = PartnerFactory(name="Toko Tunjungan", kecamatan="Genteng", kelurahan="Genteng")
    product_create(title="Beras Pucang 5 kg", partner=gubeng, category=sembako)
    product_create(title="Beras Tunjungan 5 kg", partner=genteng, category=sembako)
    return sembako, gubeng, genteng


def test_listings_and_search_narrow_to_one_kecamatan(client, two_shops):
    sembako, _, _ = two_shops
    # when a buyer picks Gubeng on the category page and in search
    for url, params in ((sembako.get_absolute_url(), {}), (reverse("search:search"), {"q": "beras"})):
        page = client.get(url, {**params, "kecamatan": "Gubeng"}).content.decode()
        # then only Gubeng's shop's goods are listed
        assert "Beras Pucang" in page and "Beras Tunjungan" not in page
        # and without the filter both are
        page = client.get(url, params).content.decode()
        assert "Beras Pucang" in page and "Beras Tunjungan" in page


def test_a_shop_page_lists_only_its_goods_in_fixed_queries(client, two_shops):
    _, gubeng, _ = two_shops
    url = reverse("sellers:shop", kwargs={"pk": gubeng.pk})
    page = client.get(url).content.decode()
    assert "Toko Pucang" in page and "Pucang Sewu" in page
    assert "Beras Pucang" in page and "Beras Tunjungan" not in page

    def queries() -> int:
        client.get(url)
        with CaptureQueriesContext(connection) as ctx:
            client.get(url)
        return len(ctx.captured_queries)

    few = queries()
    for i in range(20):
        product_create(title=f"Gula Pucang {i}", partner=gubeng)
    assert queries() == few


def test_a_product_page_links_to_its_shop_and_an_inactive_shop_has_no_page(client, two_shops):
    _, gubeng, genteng = two_shops
    product = gubeng.stockrecords.get().product
    shop_url = reverse("sellers:shop", kwargs={"pk": gubeng.pk})
    assert shop_url in client.get(product.get_absolute_url()).content.decode()
    genteng.status = SellerStatus.SUSPENDED
    genteng.save()
    assert client.get(reverse("sellers:shop", kwargs={"pk": genteng.pk})).status_code == 404
