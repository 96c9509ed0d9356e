"""The "Rekomendasi" ordering of catalogue and category listings.

E-Peken's sellers complained that most of them never get an order and that
listings repeat the same few shops. Rekomendasi is one rule, applied to
whatever a listing holds after its filters (category, kecamatan filter):

1. **Rounds.** Number each shop's products in the listing newest first
   (0, 1, 2, ...). Product n of a shop is in round n // CAP
   (``PEKEN_RECOMMENDED_SELLER_CAP``). Every product of round 0 comes before
   any of round 1, and so on. So the first page shows at most CAP products
   of any one shop, as long as the listing has enough shops to fill it
   (page size / CAP of them); with fewer shops the page is filled from the
   next round rather than left short.
2. **Fair share.** A shop is *quiet* if it received at most
   ``PEKEN_RECOMMENDED_FEW_ORDERS`` orders in the last
   ``PEKEN_RECOMMENDED_WINDOW_DAYS`` days (counted by a Celery beat task into
   ``SellerActivity``, never per request; a shop not yet counted is quiet).
   Within a round, quiet shops' products and the others' are merged so that
   quiet ones take ``PEKEN_RECOMMENDED_QUIET_SHARE`` of the places: the k-th
   quiet product (from 0) is placed at k / SHARE, the k-th other one at
   k / (1 - SHARE), quiet first on a tie. So in any run of places from the
   start of a round, at least SHARE of them (rounded down) are quiet shops'
   goods while the round has any left; when one side runs out, the other
   fills the places.
3. **Near the buyer.** Within each side of a round, goods of shops in the
   signed-in buyer's kecamatan (buyers.selectors.buyer_kecamatan) come
   first; then each shop's first product before any shop's second; then
   shops with fewer recent orders; then newest. Anonymous visitors (whose
   pages are shared through the page cache) get the same rule without this
   step.

The order is total (the product id breaks every tie), so paging through a
listing returns every product exactly once. A product sold by several shops
is placed by its lowest-numbered on-sale shop.

Cost: one SQL statement ranks the whole listing (its shops found by one
join with the on-sale stock records, then two window functions); the order
is cached for ``PEKEN_RECOMMENDED_CACHE_SECONDS`` per listing and buyer
kecamatan, and each page fetches its products by id with what the cards
need. No order line is read per request.
"""

import hashlib
from array import array
from collections.abc import Sequence

from django.conf import settings
from django.core.cache import cache
from django.core.exceptions import ImproperlyConfigured
from django.db import connection
from django.db.models import QuerySet
from oscar.core.loading import get_model

from exposure.models import SellerActivity

Partner = get_model("partner", "Partner")


def _settings() -> tuple[int, int, float]:
    cap = settings.PEKEN_RECOMMENDED_SELLER_CAP
    few = settings.PEKEN_RECOMMENDED_FEW_ORDERS
    share = float(settings.PEKEN_RECOMMENDED_QUIET_SHARE)
    if cap < 1 or not 0 < share < 1:
        raise ImproperlyConfigured("PEKEN_RECOMMENDED_SELLER_CAP must be >= 1 and "
                                   "PEKEN_RECOMMENDED_QUIET_SHARE between 0 and 1 (exclusive).")
    return cap, few, share


RANKING_SQL = """
WITH listed AS ({listed}),
stock AS ({stock}),
shop_of AS (
    SELECT l.id, l.date_created, MIN(st.partner_id) AS seller_id
    FROM listed l JOIN stock st ON st.product_id = l.id
    GROUP BY l.id, l.date_created
),
placed AS (
    SELECT l.id, l.date_created,
           COALESCE(a.recent_orders, 0) AS orders,
           COALESCE(a.recent_orders, 0) <= %s AS quiet,
           COALESCE(s.kecamatan = %s, false) AS local,
           ROW_NUMBER() OVER (PARTITION BY l.seller_id ORDER BY l.date_created DESC, l.id DESC) - 1 AS n
    FROM shop_of l
    LEFT JOIN {partner} s ON s.id = l.seller_id
    LEFT JOIN {activity} a ON a.seller_id = l.seller_id
),
slotted AS (
    SELECT id, quiet, n / %s AS round,
           ROW_NUMBER() OVER (PARTITION BY n / %s, quiet
                              ORDER BY local DESC, n, orders, date_created DESC, id DESC) - 1 AS k
    FROM placed
)
SELECT id FROM slotted
-- k / SHARE written as k * (1 / SHARE): the same places, no division in SQL
ORDER BY round, CASE WHEN quiet THEN k * %s ELSE k * %s END, quiet DESC, id
"""


class RecommendedListing(Sequence):
    """A listing in Rekomendasi order that Django's paginator slices like a queryset.

    ``queryset`` is the filtered listing (its own ordering is ignored); it is
    also what the page's products are fetched with, prefetches included.
    ``stock`` is the on-sale stock records, which say each product's shop.
    """

    def __init__(self, queryset: QuerySet, *, stock: QuerySet, buyer_kecamatan: str | None):
        self.queryset = queryset.order_by()
        self.stock = stock.order_by()
        self.buyer_kecamatan = buyer_kecamatan or None

    def count(self) -> int:
        return self.queryset.count()

    def __len__(self) -> int:
        return self.count()

    def __getitem__(self, item):
        if isinstance(item, int):
            found = self[item:item + 1]
            if not found:
                raise IndexError(item)
            return found[0]
        if item.step not in (None, 1) or (item.start or 0) < 0 or (item.stop is not None and item.stop < 0):
            raise ValueError("RecommendedListing takes forward slices only.")
        start = item.start or 0
        limit = None if item.stop is None else max(item.stop - start, 0)
        if limit == 0:
            return []
        ids = self.ranked_ids(offset=start, limit=limit)
        if not ids:
            return []
        products = {p.pk: p for p in self.queryset.filter(pk__in=ids)}
        return [products[pk] for pk in ids if pk in products]

    def ranked_ids(self, *, offset: int = 0, limit: int | None = None) -> list[int]:
        """Ids of the listing's products in Rekomendasi order, from the cached ranking."""
        ranking = self._ranking()
        return list(ranking[offset:None if limit is None else offset + limit])

    def _ranking(self) -> array:
        # Ranking a large listing takes one to a few hundred ms of SQL, and the
        # same listing is paged through by many shoppers of one kecamatan, so the
        # whole order is kept for a minute (4 bytes a product). A product added
        # meanwhile shows after that; one taken off sale is left out of its page.
        cap, few, share = _settings()
        listed_sql, listed_params = self.queryset.values("id", "date_created").query.sql_with_params()
        stock_sql, stock_params = self.stock.values("product_id", "partner_id").query.sql_with_params()
        sql = RANKING_SQL.format(listed=listed_sql, stock=stock_sql,
                                 partner=connection.ops.quote_name(Partner._meta.db_table),
                                 activity=connection.ops.quote_name(SellerActivity._meta.db_table))
        params = (*listed_params, *stock_params, few, self.buyer_kecamatan, cap, cap,
                  1 / share, 1 / (1 - share))
        key = f"peken:rekomendasi:{hashlib.sha256(repr((sql, params)).encode()).hexdigest()}"
        blob = cache.get(key)
        if blob is None:
            with connection.cursor() as cursor:
                cursor.execute(sql, params)
                blob = array("I", (row[0] for row in cursor.fetchall())).tobytes()
            cache.set(key, blob, settings.PEKEN_RECOMMENDED_CACHE_SECONDS)
        ranking = array("I")
        ranking.frombytes(blob)
        return ranking


def recommended_listing(queryset: QuerySet, *, stock: QuerySet,
                        buyer_kecamatan: str | None = None) -> RecommendedListing:
    """``queryset`` in Rekomendasi order (this module's docstring); ``stock``: the on-sale stock records."""
    return RecommendedListing(queryset, stock=stock, buyer_kecamatan=buyer_kecamatan)
