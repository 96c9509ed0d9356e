"""Rekomendasi's order kept in a table by the beat task: what a request reads, and what it falls back to."""

import pytest
from django.conf import settings
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from oscar.core.loading import get_model

from buyers import services as buyer_services
from catalogue_ext import selectors
from catalogue_ext import tasks as catalogue_tasks
from catalogue_ext.services import recommended_listings_refresh
from exposure.models import RecommendedListingRanked, RecommendedRank, SellerActivity
from exposure.selectors import CATALOGUE_LISTING, recommended_listing
from sellers.abstract_models import SellerStatus
from tests.factories import DEFAULT_PASSWORD, PartnerFactory, UserFactory, category_create, product_create

Product = get_model("catalogue", "Product")

pytestmark = pytest.mark.django_db

RECOMMENDED = selectors.ProductSort.RECOMMENDED
# The ranking's window functions: no page request of a covered listing runs them.
RANKING_MARKS = ("ROW_NUMBER()", "PARTITION BY")


@pytest.fixture(autouse=True)
def _rule(settings):
    settings.PEKEN_RECOMMENDED_SELLER_CAP = 2
    settings.PEKEN_RECOMMENDED_QUIET_SHARE = 0.5
    settings.PEKEN_RECOMMENDED_FEW_ORDERS = 2


def shops(prefix: str, *, count: int, goods: int, kecamatan: str, orders: int, category=None) -> list:
    made = []
    for s in range(count):
        shop = PartnerFactory(name=f"{prefix} {s}", kecamatan=kecamatan)
        for g in range(goods):
            made.append(product_create(title=f"{prefix} {s} barang {g}", partner=shop, category=category))
        SellerActivity.objects.create(seller=shop, recent_orders=orders, date_refreshed=timezone.now())
    return made


def mixed_city(category=None) -> None:
    """Quiet and busy shops in three kecamatan, with uneven numbers of goods."""
    shops("Gubeng sepi", count=2, goods=5, kecamatan="Gubeng", orders=0, category=category)
    shops("Gubeng laris", count=1, goods=7, kecamatan="Gubeng", orders=9, category=category)
    shops("Tandes sepi", count=3, goods=3, kecamatan="Tandes", orders=1, category=category)
    shops("Tandes laris", count=2, goods=6, kecamatan="Tandes", orders=30, category=category)
    shops("Rungkut", count=2, goods=4, kecamatan="Rungkut", orders=0, category=category)
    shops("Tanpa kecamatan", count=1, goods=3, kecamatan="", orders=5, category=category)


def signed_in(kecamatan: str) -> Client:
    user = UserFactory()
    buyer_services.buyer_kecamatan_set(user=user, kecamatan=kecamatan, actor=user)
    client = Client()
    client.login(username=user.email, password=DEFAULT_PASSWORD)
    return client


def page_ids(client, url: str, **params) -> list[int]:
    response = client.get(url, params)
    assert response.status_code == 200
    return [p.pk for p in response.context["products"]]


def in_request(listing) -> list[int]:
    """The same listing ranked in the request, as for a listing the table does not cover."""
    return recommended_listing(
        listing.queryset, stock=listing.stock, buyer_kecamatan=listing.buyer_kecamatan
    ).ranked_ids()


@pytest.mark.parametrize("buyer", [None, "Gubeng", "Tandes", "Rungkut", "Benowo"])
def test_the_table_holds_the_rule_s_order_for_every_buyer_page_by_page(buyer):
    # given a mixed city in a category, ranked by the refresh
    sembako = category_create("Sembako")
    mixed_city(category=sembako)
    recommended_listings_refresh()

    for category in (None, sembako):
        listing = selectors.product_list(category=category, sort=RECOMMENDED, buyer_kecamatan=buyer)
        assert listing.listing == (CATALOGUE_LISTING if category is None else category.pk)
        # when the order is read from the table in pages of five
        pages = [listing.ranked_ids(offset=offset, limit=5) for offset in range(0, 60, 5)]

        # then joined up they are exactly the order ranked in the request
        assert [pk for page in pages for pk in page] == in_request(listing)
        assert listing.covered


def test_a_page_request_never_ranks_a_listing_the_table_covers(client):
    # given a catalogue and a category ranked by the beat task
    sembako = category_create("Sembako")
    mixed_city(category=sembako)
    catalogue_tasks.recommended_listings_refresh.delay()

    for shopper in (client, signed_in("Gubeng")):
        for url in (reverse("catalogue:index"), sembako.get_absolute_url()):
            # when a visitor or a buyer opens the page (and the next one)
            with CaptureQueriesContext(connection) as ctx:
                assert len(page_ids(shopper, url)) == 20
                assert page_ids(shopper, url, page=2)

            # then no query ranks the listing
            ranking = [q["sql"] for q in ctx.captured_queries if any(m in q["sql"] for m in RANKING_MARKS)]
            assert not ranking, ranking[0]


def test_the_refresh_puts_a_new_listing_and_new_goods_into_the_order_and_off_sale_goods_never_show(client):
    # given a new category not ranked yet: its page is ranked in the request
    buah = category_create("Buah")
    goods = shops("Buah", count=3, goods=2, kecamatan="Tandes", orders=0, category=buah)
    assert not RecommendedListingRanked.objects.filter(listing=buah.pk).exists()
    assert set(page_ids(client, buah.get_absolute_url())) == {p.pk for p in goods}

    # when the beat task runs
    catalogue_tasks.recommended_listings_refresh.delay()

    # then the category is in the table, in the rule's order
    assert RecommendedListingRanked.objects.get(listing=buah.pk).size == 6
    listing = selectors.product_list(category=buah, sort=RECOMMENDED)
    assert [
        r.product_id for r in RecommendedRank.objects.filter(listing=buah.pk).order_by("position")
    ] == in_request(listing)

    # and a product put on sale shows after the next refresh, not before
    new = product_create(title="Buah naga", partner=PartnerFactory(name="Toko Baru"), category=buah)
    assert new.pk not in page_ids(client, buah.get_absolute_url())
    recommended_listings_refresh()
    assert new.pk in page_ids(client, buah.get_absolute_url())

    # and a product taken off sale leaves its page at once, before any refresh
    gone = goods[0]
    gone.stockrecords.update(partner=PartnerFactory(name="Toko Dibekukan", status=SellerStatus.SUSPENDED))
    assert gone.pk not in page_ids(client, buah.get_absolute_url(), per_page=50)


def test_refreshing_twice_writes_the_same_rows_and_a_deleted_category_s_rows_go():
    sembako = category_create("Sembako")
    mixed_city(category=sembako)
    recommended_listings_refresh()
    first = list(RecommendedRank.objects.order_by("listing", "position").values_list("listing", "product_id"))

    recommended_listings_refresh()
    assert (
        list(RecommendedRank.objects.order_by("listing", "position").values_list("listing", "product_id"))
        == first
    )

    sembako.delete()
    recommended_listings_refresh()
    assert set(RecommendedRank.objects.values_list("listing", flat=True)) == {CATALOGUE_LISTING}
    assert set(RecommendedListingRanked.objects.values_list("listing", flat=True)) == {CATALOGUE_LISTING}


def test_a_kecamatan_filter_is_ranked_in_the_request_while_small_and_newest_first_when_large(
    client, settings
):
    # given goods in Gubeng and elsewhere, the table filled
    mixed_city()
    recommended_listings_refresh()
    url = reverse("catalogue:index")

    # when a shopper filters by kecamatan, a listing the table does not cover
    filtered = selectors.product_list(sort=RECOMMENDED, kecamatan="Gubeng")
    assert filtered.listing is None
    # then a small one is ranked in the request by the rule
    ranked = in_request(filtered)
    assert page_ids(client, url, kecamatan="Gubeng", per_page=50) == ranked

    # and one above the bound is shown newest first, without ranking it
    settings.PEKEN_RECOMMENDED_RANK_IN_REQUEST_MAX = 5
    newest = list(filtered.queryset.order_by("-date_created", "-id").values_list("id", flat=True))
    assert page_ids(client, url, kecamatan="Gubeng", per_page=50) == newest != ranked


def test_a_large_listing_not_ranked_yet_is_newest_first_until_the_refresh(client, settings):
    # given a catalogue larger than the in-request bound, not ranked yet (as right after deploy)
    settings.PEKEN_RECOMMENDED_RANK_IN_REQUEST_MAX = 10
    mixed_city()
    newest = list(Product.objects.order_by("-date_created", "-id").values_list("id", flat=True)[:20])
    assert page_ids(client, reverse("catalogue:index")) == newest

    # when the beat task has ranked it, then the page is in Rekomendasi order
    recommended_listings_refresh()
    page = page_ids(client, reverse("catalogue:index"))
    settings.PEKEN_RECOMMENDED_RANK_IN_REQUEST_MAX = 1000
    assert page == in_request(selectors.product_list(sort=RECOMMENDED))[:20] != newest


def test_the_beat_schedule_refreshes_the_order_every_refresh_interval():
    entry = settings.CELERY_BEAT_SCHEDULE["catalogue-recommended-order"]
    assert entry["task"] == "catalogue_ext.tasks.recommended_listings_refresh"
    assert entry["schedule"] == 60.0 * settings.PEKEN_RECOMMENDED_REFRESH_MINUTES
    assert catalogue_tasks.recommended_listings_refresh.name == entry["task"]
