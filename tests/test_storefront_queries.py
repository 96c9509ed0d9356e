"""Storefront pages cost a fixed number of queries, whatever the page or catalogue size."""

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from catalogue_ext.services import recommended_listings_refresh
from tests.factories import PartnerFactory, category_create, product_create


def queries_for(client, url: str, *, shows: str = "peken-card-title", at_least: int = 8) -> int:
    client.get(url)  # warm per-process caches (site, thumbnails) as a running server has them
    cache.clear()  # but render every product card, count and menu afresh
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    assert response.status_code == 200, url
    # the page really shows products (a listing that renders none is cheap but broken)
    assert response.content.decode().count(shows) >= at_least, url
    return len(ctx.captured_queries)


def catalogue_of(size: int):
    sembako = category_create("Sembako")
    beras = category_create("Beras", parent=sembako)
    partner = PartnerFactory()
    products = [
        product_create(title=f"Beras Premium {i}", category=beras, partner=partner, image=True)
        for i in range(size)
    ]
    return sembako, products


@pytest.mark.django_db
def test_listing_queries_do_not_grow_with_page_size_or_catalogue(client):
    # given a catalogue of 30 products in a subcategory, in Rekomendasi order (the beat task's refresh)
    sembako, products = catalogue_of(30)
    recommended_listings_refresh()
    small = {
        "category": queries_for(client, sembako.get_absolute_url()),
        "search": queries_for(client, reverse("search:search") + "?q=beras"),
        "product": queries_for(client, products[0].get_absolute_url(), shows="Beras Premium 0", at_least=1),
        "catalogue": queries_for(client, reverse("catalogue:index")),
        "home": queries_for(client, reverse("home")),
    }
    category_20 = queries_for(client, sembako.get_absolute_url() + "?per_page=20")

    # when the catalogue grows fivefold and the page shows 100 products
    for i in range(120):
        product_create(title=f"Beras Merah {i}", category=products[0].categories.first(), image=True)
    large = {
        "category": queries_for(client, sembako.get_absolute_url()),
        "search": queries_for(client, reverse("search:search") + "?q=beras"),
        "product": queries_for(client, products[0].get_absolute_url(), shows="Beras Premium 0", at_least=1),
        "catalogue": queries_for(client, reverse("catalogue:index")),
        "home": queries_for(client, reverse("home")),
    }
    category_100 = queries_for(client, sembako.get_absolute_url() + "?per_page=100")

    # then every page costs the same queries as before
    assert large == small
    assert category_100 == category_20
    print("queries per page:", small, "category at 100 per page:", category_100)
    # with cold caches: the page, its count, the category menus and every card rendered
    assert small["category"] <= 10 and small["search"] <= 10 and small["product"] <= 14, small


@pytest.mark.django_db
@pytest.mark.parametrize("query", ["", " ", "!!!"])
def test_a_search_with_no_words_shows_an_empty_result(client, query):
    product_create(title="Beras Premium 5 kg")
    response = client.get(reverse("search:search"), {"q": query})
    assert response.status_code == 200
    assert "peken-card-title" not in response.content.decode()


@pytest.mark.django_db
def test_rekomendasi_for_a_signed_in_buyer_costs_the_same_queries_at_any_size(client):
    # given a shopper who lives in Gubeng, and shops in Gubeng and elsewhere
    from buyers.services import buyer_kecamatan_set
    from tests.factories import DEFAULT_PASSWORD, UserFactory

    shopper = UserFactory()
    buyer_kecamatan_set(user=shopper, kecamatan="Gubeng", actor=shopper)
    client.login(username=shopper.email, password=DEFAULT_PASSWORD)
    sembako, _products = catalogue_of(30)
    near = PartnerFactory(name="Toko Dekat", kecamatan="Gubeng")
    for i in range(5):
        product_create(title=f"Beras Dekat {i}", category=sembako, partner=near, image=True)
    recommended_listings_refresh()
    url = sembako.get_absolute_url() + "?sort_by=rekomendasi"
    small = queries_for(client, url)

    # when the catalogue grows fivefold across many more shops and the page shows 100
    for i in range(120):
        product_create(title=f"Beras Merah {i}", category=sembako, image=True)
    recommended_listings_refresh()
    large = queries_for(client, url)
    large_100 = queries_for(client, url + "&per_page=100")

    # then the ranked page costs the same queries
    assert small == large == large_100, (small, large, large_100)
