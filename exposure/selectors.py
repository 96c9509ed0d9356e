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

Cost: one SQL statement ranks a whole listing (its shops found by one join
with the on-sale stock records, then window functions): some 100 to 300 ms
for a 14,000-product category, 0.5 to 1 s for a catalogue of 100,000
(bench/ranking.py). So no request ranks a large listing. The catalogue and
every category (each with its subcategories, as the pages filter them) are
ranked by a Celery beat task every ``PEKEN_RECOMMENDED_REFRESH_MINUTES``
into ``RecommendedRank`` (catalogue_ext.services.recommended_listings_refresh),
with the settings above as they are then; a page reads its slice of that
order from an index, a few ms, and fetches the products through the current
listing, so a product taken off sale never shows, and one put on sale shows
after the next refresh. A signed-in buyer's page is read from the same rows:
which places of the page belong to which side of which round does not depend
on the kecamatan, only which product fills them, and those are the side's
local goods in order followed by its other goods in order (``local_k``, ``k``).
A slice once read is kept for ``PEKEN_RECOMMENDED_CACHE_SECONDS`` per listing,
page and kecamatan, so a refresh shows within that much more.

A listing the table does not cover (a ``?kecamatan=`` filter, a search, a
listing not ranked yet, e.g. a new category or right after deploy; and any
listing off PostgreSQL) is ranked in the request as above if it holds at most
``PEKEN_RECOMMENDED_RANK_IN_REQUEST_MAX`` products, that order cached for
``PEKEN_RECOMMENDED_CACHE_SECONDS`` per listing and buyer kecamatan; a larger
one is shown newest first until it is covered. No order line is read per
request.
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

from exposure.models import RecommendedListingRanked, RecommendedRank, SellerActivity

Partner = get_model("partner", "Partner")


def _settings() -> tuple[int, int, float]:
    cap = settings.PEKEN_RECOMMENDED_SELLER_CAP
    few = settings.PEKEN_RECOMMENDED_FEW_ORDERS
    share = float(settings.PEKEN_RECOMMENDED_QUIET_SHARE)
    if cap < 1 or not 0 < share < 1:
        raise ImproperlyConfigured(
            "PEKEN_RECOMMENDED_SELLER_CAP must be >= 1 and "
            "PEKEN_RECOMMENDED_QUIET_SHARE between 0 and 1 (exclusive)."
        )
    return cap, few, share


# The rule's steps 1 and 2, and step 3's ordering within a side; ``slotted``
# has each product's round, side (quiet), place in its side (k) and shop's kecamatan.
RANKING_CTES = """
listed AS ({listed}),
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
           COALESCE(s.kecamatan, '') AS kecamatan,
           ROW_NUMBER() OVER (PARTITION BY l.seller_id ORDER BY l.date_created DESC, l.id DESC) - 1 AS n
    FROM shop_of l
    LEFT JOIN {partner} s ON s.id = l.seller_id
    LEFT JOIN {activity} a ON a.seller_id = l.seller_id
),
slotted AS (
    SELECT id, quiet, kecamatan, n / %s AS round,
           ROW_NUMBER() OVER (PARTITION BY n / %s, quiet
                              ORDER BY local DESC, n, orders, date_created DESC, id DESC) - 1 AS k
    FROM placed
)
"""

# The merge of a round's two sides: k / SHARE written as k * (1 / SHARE), the
# same places without a division in SQL. Its parameters: merge_params().
MERGE_ORDER = "round, CASE WHEN quiet THEN k * %s ELSE k * %s END, quiet DESC, id"

# Ranking in the request, for a listing the table does not cover: nothing when
# the listing holds more than the bound (checked by reading at most bound + 1 rows).
RANKING_SQL = (
    """
SELECT id FROM slotted
WHERE (SELECT COUNT(*) FROM (SELECT 1 FROM listed LIMIT %s) AS bounded) <= %s
ORDER BY """
    + MERGE_ORDER
)

# A page of a covered listing for a visitor without a kecamatan. No row when the
# listing is not covered.
TABLE_PAGE_SQL = """
SELECT ARRAY(SELECT r.product_id FROM {rank} r
             WHERE r.listing = c.listing AND r.position >= %(start)s AND r.position < %(stop)s
             ORDER BY r.position)
FROM {covered} c WHERE c.listing = %(listing)s
"""

# The same page for a buyer in %(kecamatan)s: the page's places (round, side, k) as
# ranked, each filled by the k-th product of that side with local goods first. Of
# a side with ``locals`` local goods, place k < locals is the local good with
# local_k = k, and place k >= locals the other good k - locals in k order.
TABLE_LOCAL_PAGE_SQL = """
SELECT ARRAY(
    WITH slot AS (
        SELECT position, round, quiet, k FROM {rank}
        WHERE listing = %(listing)s AND position >= %(start)s AND position < %(stop)s
    ),
    side AS (
        SELECT round, quiet, MIN(k) AS first_k, MAX(k) AS last_k,
               (SELECT COUNT(*) FROM {rank} r
                WHERE r.listing = %(listing)s AND r.round = slot.round AND r.quiet = slot.quiet
                  AND r.seller_kecamatan = %(kecamatan)s) AS locals
        FROM slot GROUP BY round, quiet
    ),
    filled AS (
        SELECT s.round, s.quiet, r.local_k AS k, r.product_id
        FROM side s JOIN {rank} r
          ON r.listing = %(listing)s AND r.round = s.round AND r.quiet = s.quiet
         AND r.seller_kecamatan = %(kecamatan)s AND r.local_k BETWEEN s.first_k AND s.last_k
        UNION ALL
        SELECT s.round, s.quiet, s.locals + GREATEST(s.first_k - s.locals, 0) + o.m - 1, o.product_id
        FROM side s CROSS JOIN LATERAL unnest(ARRAY(
            SELECT r.product_id FROM {rank} r
            WHERE r.listing = %(listing)s AND r.round = s.round AND r.quiet = s.quiet
              AND r.seller_kecamatan <> %(kecamatan)s
            ORDER BY r.k
            OFFSET GREATEST(s.first_k - s.locals, 0)
            LIMIT GREATEST(s.last_k - GREATEST(s.first_k, s.locals) + 1, 0)
        )) WITH ORDINALITY AS o(product_id, m)
    )
    SELECT f.product_id FROM slot JOIN filled f USING (round, quiet, k) ORDER BY slot.position
)
FROM {covered} c WHERE c.listing = %(listing)s
"""

# A listing's place in RecommendedRank.listing: a category's id, 0 for the catalogue.
CATALOGUE_LISTING = 0


def merge_params() -> tuple[float, float]:
    """MERGE_ORDER's parameters: 1 / SHARE and 1 / (1 - SHARE)."""
    _cap, _few, share = _settings()
    return 1 / share, 1 / (1 - share)


def ranking_ctes(queryset: QuerySet, *, stock: QuerySet, buyer_kecamatan: str | None) -> tuple[str, tuple]:
    """RANKING_CTES for ``queryset`` (its products) and ``stock`` (the on-sale stock records), with params."""
    cap, few, _share = _settings()
    listed_sql, listed_params = queryset.order_by().values("id", "date_created").query.sql_with_params()
    stock_sql, stock_params = stock.order_by().values("product_id", "partner_id").query.sql_with_params()
    sql = RANKING_CTES.format(
        listed=listed_sql,
        stock=stock_sql,
        partner=connection.ops.quote_name(Partner._meta.db_table),
        activity=connection.ops.quote_name(SellerActivity._meta.db_table),
    )
    return sql, (*listed_params, *stock_params, few, buyer_kecamatan, cap, cap)


def _table_sql(template: str) -> str:
    return template.format(
        rank=connection.ops.quote_name(RecommendedRank._meta.db_table),
        covered=connection.ops.quote_name(RecommendedListingRanked._meta.db_table),
    )


class RecommendedListing(Sequence):
    """A listing in Rekomendasi order that Django's paginator slices like a queryset.

    ``queryset`` is the filtered listing (its own ordering is ignored); it is
    also what the page's products are fetched with, prefetches included.
    ``stock`` is the on-sale stock records, which say each product's shop.
    ``listing`` names the listing in RecommendedRank when ``queryset`` is
    exactly what the refresh ranks under that name (a category or the
    catalogue, unfiltered); None for any other listing. ``covered`` says
    whether its pages come from the table: None until the first read.
    """

    def __init__(
        self, queryset: QuerySet, *, stock: QuerySet, buyer_kecamatan: str | None, listing: int | None = None
    ):
        self.queryset = queryset.order_by()
        self.stock = stock.order_by()
        self.buyer_kecamatan = buyer_kecamatan or None
        self.listing = listing
        self.covered = None if listing is not None and connection.vendor == "postgresql" else False

    def count(self) -> int:
        return self.queryset.count()

    def __len__(self) -> int:
        return self.count()

    def __getitem__(self, item):
        if isinstance(item, int):
            found = self[item : item + 1]
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
        """Ids of the listing's products in Rekomendasi order: from the table, or ranked in the request."""
        if self.covered is not False:
            ids = self._table_ids(offset=offset, limit=limit)
            self.covered = ids is not None
            if ids is not None:
                return ids
        ranking = self._ranking()
        if not ranking:
            # Too large to rank in the request (or empty): newest first until covered.
            newest = self.queryset.order_by("-date_created", "-id").values_list("id", flat=True)
            return list(newest[offset : None if limit is None else offset + limit])
        return list(ranking[offset : None if limit is None else offset + limit])

    def _table_ids(self, *, offset: int, limit: int | None) -> list[int] | None:
        """The slice as the last refresh ranked it; None if the listing is not covered."""
        params = {
            "listing": self.listing,
            "start": offset,
            "stop": 2**31 - 1 if limit is None else offset + limit,
            "kecamatan": self.buyer_kecamatan,
        }
        # a page of a listing is read by many shoppers between two refreshes: kept as long as a ranking
        key = f"peken:rekomendasi-page:{hashlib.sha256(repr(sorted(params.items())).encode()).hexdigest()}"
        ids = cache.get(key)
        if ids is not None:
            return ids
        template = TABLE_LOCAL_PAGE_SQL if self.buyer_kecamatan else TABLE_PAGE_SQL
        with connection.cursor() as cursor:
            cursor.execute(_table_sql(template), params)
            row = cursor.fetchone()
        if row is not None:
            cache.set(key, row[0], settings.PEKEN_RECOMMENDED_CACHE_SECONDS)
        return None if row is None else row[0]

    def _ranking(self) -> array:
        # Ranking a listing of a few thousand products takes tens of ms of SQL,
        # and the same listing is paged through by many shoppers of one
        # kecamatan, so the whole order is kept for a minute (4 bytes a
        # product). A product added meanwhile shows after that; one taken off
        # sale is left out of its page. Empty for a listing above the bound:
        # the statement then stops after reading bound + 1 of its rows.
        bound = settings.PEKEN_RECOMMENDED_RANK_IN_REQUEST_MAX
        ctes, params = ranking_ctes(self.queryset, stock=self.stock, buyer_kecamatan=self.buyer_kecamatan)
        sql = f"WITH {ctes} {RANKING_SQL}"
        params = (*params, bound + 1, bound, *merge_params())
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


def recommended_listing(
    queryset: QuerySet, *, stock: QuerySet, buyer_kecamatan: str | None = None, listing: int | None = None
) -> RecommendedListing:
    """``queryset`` in Rekomendasi order (this module's docstring); ``stock``: the on-sale stock records.

    ``listing``: its name in RecommendedRank, for a listing the refresh ranks (RecommendedListing).
    """
    return RecommendedListing(queryset, stock=stock, buyer_kecamatan=buyer_kecamatan, listing=listing)
