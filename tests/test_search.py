"""Search finds what people type: Indonesian words, misspellings, titles first, suggestions as you type."""

import json
from types import SimpleNamespace

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from catalogue_ext import selectors
from catalogue_ext.abstract_models import ListingStatus
from catalogue_ext.services import search_words_refresh
from tests.factories import PartnerFactory, category_create, product_create

pytestmark = pytest.mark.django_db


@pytest.fixture
def market():
    """A few of the demo city's goods: rice, cooking oil, a bamboo tray that mentions rice."""
    sembako = category_create("Sembako")
    rice = category_create("Beras", parent=sembako)
    oil = category_create("Minyak Goreng", parent=sembako)
    shop = PartnerFactory(name="Toko Sumber Rejeki")
    goods = {
        "beras": product_create(
            title="Beras Premium Pandan Wangi 5 kg",
            category=rice,
            partner=shop,
            description="Beras pulen dan wangi dari Jawa Timur.",
        ),
        "minyak": product_create(
            title="Minyak Goreng Sawit Pouch 2 liter",
            category=oil,
            partner=shop,
            description="Minyak goreng jernih untuk menggoreng.",
        ),
        "air": product_create(
            title="Air Minum Galon 19 liter",
            category=sembako,
            partner=shop,
            description="Air minum isi ulang, galon dikembalikan.",
        ),
        # newest, so newest-first or a tie on rank would list it first
        "tampah": product_create(
            title="Tampah Bambu Diameter 50 cm",
            partner=shop,
            description="Tampah bambu untuk alas tumpeng dan menampi beras.",
        ),
    }
    search_words_refresh()  # as Celery beat does
    cache.clear()
    return goods


def titles(response) -> list[str]:
    return [product.title for product in response.context["results"]]


def test_a_misspelt_word_still_finds_rice_and_offers_the_right_word(client, market):
    # given rice on sale
    # when a shopper types "berass"
    response = client.get(reverse("search:search"), {"q": "berass"})

    # then the rice is listed and the page offers the corrected search
    page = response.content.decode()
    assert "Beras Premium Pandan Wangi 5 kg" in titles(response)
    assert "Mungkin maksud Anda:" in page
    assert response.context["correction"] == "beras"
    assert f'href="{reverse("search:search")}?q=beras"' in page


def test_one_misspelt_word_of_two_is_corrected(client, market):
    # given cooking oil on sale
    # when a shopper types "minyak goreg"
    response = client.get(reverse("search:search"), {"q": "minyak goreg"})

    # then the oil is found and "minyak goreng" offered
    assert titles(response) == ["Minyak Goreng Sawit Pouch 2 liter"]
    assert response.context["correction"] == "minyak goreng"
    assert "Mungkin maksud Anda:" in response.content.decode()


def test_a_word_spelt_right_is_not_corrected(client, market):
    # given rice on sale
    # when a shopper types "beras"
    response = client.get(reverse("search:search"), {"q": "beras"})

    # then no correction is offered
    assert response.context["correction"] is None
    assert "Mungkin maksud Anda" not in response.content.decode()


def test_an_inflected_word_finds_its_stem(client, market):
    # given drinking water on sale
    # when a shopper searches "minuman" (drinks), whose stem is "minum"
    response = client.get(reverse("search:search"), {"q": "minuman"})

    # then the Indonesian stemmer finds "Air Minum Galon"
    assert titles(response) == ["Air Minum Galon 19 liter"]


def test_title_matches_come_before_description_matches(client, market):
    # given a newer tray whose long description repeats the words many times
    tray = market["tampah"]
    tray.description = "beras wangi " * 100
    tray.save()

    # when a shopper searches "beras wangi", sorted by relevance
    response = client.get(reverse("search:search"), {"q": "beras wangi"})

    # then the rice, with the words in its title, comes first
    assert titles(response) == ["Beras Premium Pandan Wangi 5 kg", "Tampah Bambu Diameter 50 cm"]


def test_a_title_starting_with_the_word_leads(client, market):
    # given a newer snack made of rice, named after it
    product_create(title="Jipang Beras 250 gram", description="Jipang beras, beras ketan, beras renyah.")

    # when a shopper searches "beras"
    found = titles(client.get(reverse("search:search"), {"q": "beras"}))

    # then rice itself comes first, the snack next, the tray that mentions rice last
    assert found[0] == "Beras Premium Pandan Wangi 5 kg"
    assert found.index("Jipang Beras 250 gram") < found.index("Tampah Bambu Diameter 50 cm")


def test_without_postgresql_title_matches_still_come_first(market, monkeypatch):
    # given the zero-setup run's substring search (SQLite), here forced on
    monkeypatch.setattr(selectors, "connection", SimpleNamespace(vendor="sqlite"))

    # when "beras" is searched by relevance
    found = [p.title for p in selectors.product_search(query="beras")]

    # then the rice comes before the newer tray that only mentions rice
    assert found == ["Beras Premium Pandan Wangi 5 kg", "Tampah Bambu Diameter 50 cm"]


def test_corrections_only_offer_words_of_goods_on_sale(client, market, settings):
    # given a listing held off sale whose title has a word no other title has
    product_create(title="Emas Batangan 10 gram", listing_status=ListingStatus.HELD)
    product_create(title="Kerupuk Udang 250 gram")

    # when the vocabulary is rebuilt and a shopper misspells both
    assert search_words_refresh() > 0
    emas = client.get(reverse("search:search"), {"q": "emass"})
    kerupuk = client.get(reverse("search:search"), {"q": "kerupukk"})

    # then only the word on sale is offered, and the rebuild is scheduled
    assert emas.context["correction"] is None
    assert kerupuk.context["correction"] == "kerupuk"
    assert settings.CELERY_BEAT_SCHEDULE["catalogue-search-words"]["task"] == (
        "catalogue_ext.tasks.search_words_refresh"
    )


def test_the_header_box_keeps_the_query(client, market):
    # given a search made from the header box
    # when its results show
    page = client.get(reverse("search:search"), {"q": "minyak goreng"}).content.decode()

    # then the header box holds what was typed, ready to be changed
    assert 'name="q" id="id_q" value="minyak goreng"' in page
    assert 'data-suggest-url="/search/saran/"' in page


def test_suggestions_are_json_cached_and_cost_fixed_queries(client, market):
    # given nothing cached yet
    url = reverse("search:suggestions")

    # when a shopper has typed "ber"
    with CaptureQueriesContext(connection) as first:
        response = client.get(url, {"q": "ber"})

    # then a few titles and categories come back as JSON in at most two queries
    assert response["Content-Type"] == "application/json"
    assert json.loads(response.content) == {
        "products": ["Beras Premium Pandan Wangi 5 kg"],
        "categories": ["Beras"],
    }
    assert len(first.captured_queries) <= 2

    # and the same prefix, typed differently, is answered from the cache
    with CaptureQueriesContext(connection) as again:
        cached = client.get(url, {"q": "  BER "})
    assert json.loads(cached.content) == json.loads(response.content)
    assert len(again.captured_queries) == 0


def test_suggestions_cost_the_same_queries_for_a_larger_catalogue(client, market):
    # given the query count for a prefix on a small catalogue
    url = reverse("search:suggestions")
    with CaptureQueriesContext(connection) as small:
        client.get(url, {"q": "beras"})

    # when the catalogue grows and the cache is cold
    for i in range(30):
        product_create(title=f"Beras Merah {i}")
    cache.clear()
    with CaptureQueriesContext(connection) as large:
        response = client.get(url, {"q": "beras"})

    # then the count is unchanged and only a few titles come back
    assert len(large.captured_queries) == len(small.captured_queries)
    assert len(json.loads(response.content)["products"]) == selectors.SUGGESTED_PRODUCTS


def test_a_single_character_asks_nothing(client, market):
    # given a shopper who has typed one letter
    # when the box asks for suggestions
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(reverse("search:suggestions"), {"q": "b"})

    # then none are given and the database is not asked
    assert json.loads(response.content) == {"products": [], "categories": []}
    assert len(ctx.captured_queries) == 0


def test_a_misspelt_search_costs_the_same_queries_at_any_size(client, market):
    # given the queries of a misspelt search on a small catalogue
    url = reverse("search:search")
    client.get(url, {"q": "berass"})  # warm per-process caches
    cache.clear()
    with CaptureQueriesContext(connection) as small:
        client.get(url, {"q": "minyak goreg"})

    # when the catalogue grows
    for i in range(30):
        product_create(title=f"Minyak Kelapa {i}")
    cache.clear()
    with CaptureQueriesContext(connection) as large:
        response = client.get(url, {"q": "minyak goreg"})

    # then the search, its correction included, costs the same
    assert response.context["correction"] == "minyak goreng"
    assert len(large.captured_queries) == len(small.captured_queries)
