"""Rekomendasi: buyers' own kecamatan first, quiet shops a fair share, a cap per shop on page one.

The rule's tests run twice: with the order kept in the table the beat task
refreshes (``order_kept()`` ranks ahead, as the task does), and ranked in
the request, for listings the table does not cover.
"""

from collections import Counter
from datetime import timedelta

import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from oscar.core.loading import get_model

from buyers import services as buyer_services
from catalogue_ext import selectors
from catalogue_ext import tasks as catalogue_tasks
from exposure import tasks
from exposure.models import SellerActivity
from tests.factories import DEFAULT_PASSWORD, PartnerFactory, UserFactory, order_with_products, product_create

Product = get_model("catalogue", "Product")

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _rule(settings):
    settings.PEKEN_RECOMMENDED_SELLER_CAP = 2
    settings.PEKEN_RECOMMENDED_QUIET_SHARE = 0.5
    settings.PEKEN_RECOMMENDED_FEW_ORDERS = 2
    settings.PEKEN_RECOMMENDED_WINDOW_DAYS = 30


@pytest.fixture(params=["table", "request"])
def order_kept(request):
    """Called once the goods are in place: the beat task's refresh, or nothing (ranked per request)."""

    def keep():
        if request.param == "table":
            catalogue_tasks.recommended_listings_refresh.delay()

    return keep


def shops_with_goods(prefix: str, *, shops: int, goods: int, kecamatan: str = "Tandes", orders: int = 0):
    """``shops`` active shops with ``goods`` products each and ``orders`` recent orders counted."""
    made = []
    for s in range(shops):
        shop = PartnerFactory(name=f"{prefix} {s}", kecamatan=kecamatan)
        for g in range(goods):
            product_create(title=f"{prefix} {s} barang {g}", partner=shop)
        SellerActivity.objects.create(seller=shop, recent_orders=orders, date_refreshed=timezone.now())
        made.append(shop)
    return made


def shop_of(product) -> int:
    return product.stockrecords.all()[0].partner_id


def first_page(client, url: str | None = None, **params) -> list:
    response = client.get(url or reverse("catalogue:index"), params)
    assert response.status_code == 200
    return list(response.context["products"])


def signed_in(kecamatan: str | None) -> Client:
    user = UserFactory()
    if kecamatan:
        buyer_services.buyer_kecamatan_set(user=user, kecamatan=kecamatan, actor=user)
    client = Client()
    client.login(username=user.email, password=DEFAULT_PASSWORD)
    return client


def test_quiet_shops_get_their_share_of_page_one_and_no_shop_more_than_the_cap(client, order_kept):
    # given ten busy shops whose goods are all newer than those of ten shops without orders
    quiet = shops_with_goods("Sepi", shops=10, goods=4, orders=0)
    busy = shops_with_goods("Laris", shops=10, goods=4, orders=50)
    order_kept()
    quiet_ids = {shop.pk for shop in quiet}
    assert {shop_of(p) for p in selectors.product_list()[:20]} <= {shop.pk for shop in busy}  # newest

    # when anyone opens the catalogue (Rekomendasi is the default)
    page = first_page(client)

    # then at least half of page one is quiet shops' goods, and no shop shows more than two
    assert len(page) == 20
    assert sum(shop_of(p) in quiet_ids for p in page) >= 10
    assert max(Counter(shop_of(p) for p in page).values()) <= 2


def test_the_cap_and_share_are_settings(client, settings, order_kept):
    shops_with_goods("Sepi", shops=4, goods=5, orders=0)
    shops_with_goods("Laris", shops=6, goods=5, orders=9)
    settings.PEKEN_RECOMMENDED_SELLER_CAP = 1
    settings.PEKEN_RECOMMENDED_QUIET_SHARE = 0.25
    order_kept()

    page = first_page(client, per_page=8)

    assert max(Counter(shop_of(p) for p in page).values()) == 1
    assert sum(p.title.startswith("Sepi") for p in page) == 2  # a quarter of eight places


def test_a_buyer_sees_goods_of_their_own_kecamatan_first_and_anonymous_visitors_do_not(client, order_kept):
    # given older goods from a quiet and a busy shop in Gubeng, and newer goods elsewhere
    shops_with_goods("Gubeng sepi", shops=1, goods=2, kecamatan="Gubeng", orders=0)
    shops_with_goods("Gubeng laris", shops=1, goods=2, kecamatan="Gubeng", orders=20)
    shops_with_goods("Tandes sepi", shops=5, goods=2, kecamatan="Tandes", orders=0)
    shops_with_goods("Tandes laris", shops=5, goods=2, kecamatan="Tandes", orders=20)
    order_kept()

    # when a shopper who lives in Gubeng opens the catalogue
    page = first_page(signed_in("Gubeng"))

    # then Gubeng's four products come first
    assert all(p.title.startswith("Gubeng") for p in page[:4]), [p.title for p in page[:4]]
    # and an anonymous visitor (shared page) gets no kecamatan preference
    assert not first_page(client)[0].title.startswith("Gubeng")
    # and a shopper elsewhere gets their own kecamatan, not Gubeng
    assert all(p.title.startswith("Tandes") for p in first_page(signed_in("Tandes"))[:4])


def test_paging_through_returns_every_product_exactly_once(client, order_kept):
    shops_with_goods("Sepi", shops=3, goods=7, orders=0)
    shops_with_goods("Laris", shops=4, goods=5, orders=30)
    shops_with_goods("Dekat", shops=2, goods=3, kecamatan="Gubeng", orders=1)
    order_kept()
    shopper = signed_in("Gubeng")

    seen = []
    for number in range(1, 10):
        response = shopper.get(reverse("catalogue:index"), {"per_page": 6, "page": number})
        if response.status_code != 200:
            break
        seen += [p.pk for p in response.context["products"]]
        if not response.context["page_obj"].has_next():
            break

    assert len(seen) == len(set(seen)) == Product.objects.count() == 21 + 20 + 6


def test_a_category_listing_keeps_its_filter_and_a_shop_page_stays_newest_first(client, order_kept):
    from tests.factories import category_create

    sembako = category_create("Sembako")
    shop = PartnerFactory(name="Toko Beras", kecamatan="Gubeng")
    in_category = [product_create(title=f"Beras {i}", partner=shop, category=sembako) for i in range(3)]
    product_create(title="Sabun", partner=shop)
    order_kept()

    listed = first_page(client, sembako.get_absolute_url())
    assert {p.pk for p in listed} == {p.pk for p in in_category}
    shop_page = first_page(client, reverse("sellers:shop", kwargs={"pk": shop.pk}))
    assert [p.title for p in shop_page] == ["Sabun", "Beras 2", "Beras 1", "Beras 0"]


def test_search_keeps_relevance_first_and_offers_rekomendasi(client):
    shops_with_goods("Beras", shops=3, goods=3, orders=0)
    response = client.get(reverse("search:search"), {"q": "beras"})
    assert response.context["search_form"].sort() == "relevansi"
    ranked = client.get(reverse("search:search"), {"q": "beras", "sort_by": "rekomendasi"})
    assert max(Counter(shop_of(p) for p in ranked.context["results"][:6]).values()) <= 2


def test_recent_orders_are_counted_by_the_beat_task_not_per_request(django_assert_max_num_queries):
    # given a shop with two orders this month, one cancelled, and one order two months ago
    shop = PartnerFactory(name="Toko Ramai")
    quiet = PartnerFactory(name="Toko Sepi")
    product = product_create(title="Gula 1 kg", partner=shop)
    buyer = UserFactory()
    order_with_products(user=buyer, products=[product, product])  # one order, counted once
    order_with_products(user=buyer, products=[product], status="Dibatalkan")
    order_with_products(user=buyer, products=[product], date_placed=timezone.now() - timedelta(days=60))

    # when the scheduled task runs (twice: the same result)
    tasks.seller_activity_refresh.delay()
    tasks.seller_activity_refresh.delay()

    # then the shop has one recent order and the quiet shop none
    assert SellerActivity.objects.get(seller=shop).recent_orders == 1
    assert SellerActivity.objects.get(seller=quiet).recent_orders == 0
    schedule = settings.CELERY_BEAT_SCHEDULE["exposure-seller-activity"]
    assert schedule["task"] == "exposure.tasks.seller_activity_refresh"


def test_the_listing_costs_the_same_queries_for_few_and_many_shops(django_assert_max_num_queries, order_kept):
    shopper = signed_in("Gubeng")
    shops_with_goods("Sepi", shops=2, goods=3, orders=0)
    order_kept()
    shopper.get(reverse("catalogue:index"))
    with django_assert_max_num_queries(30) as few:
        first_page(shopper)

    shops_with_goods("Laris", shops=30, goods=4, orders=10)
    order_kept()
    with django_assert_max_num_queries(len(few.captured_queries)):
        page = first_page(shopper)
    assert len(page) == 20


def test_a_listing_is_ranked_once_and_reused_while_the_cache_lasts(
    client, settings, django_assert_max_num_queries
):
    # given the ranking cache on, and a catalogue ranked once
    settings.PEKEN_RECOMMENDED_CACHE_SECONDS = 60
    shops_with_goods("Sepi", shops=3, goods=3, orders=0)
    listing = selectors.product_list(sort="rekomendasi")
    first = listing.ranked_ids()

    # when the next page is read, then no ranking query runs and the order is the same
    with django_assert_max_num_queries(0):
        assert listing.ranked_ids(offset=3, limit=3) == first[3:6]
    # and a new product shows once the cached ranking has expired
    product_create(title="Baru", partner=PartnerFactory(name="Toko Baru"))
    assert len(listing.ranked_ids()) == 9
    settings.PEKEN_RECOMMENDED_CACHE_SECONDS = 0
    from django.core.cache import cache

    cache.clear()
    assert len(listing.ranked_ids()) == 10
