"""Writes of what the Rekomendasi ordering reads: the shops' recent-order counters and the ranked listings."""

from datetime import datetime, timedelta

from django.conf import settings
from django.db import connection, transaction
from django.db.models import Count, QuerySet
from django.utils import timezone
from oscar.core.loading import get_model

from exposure.models import RecommendedListingRanked, RecommendedRank, SellerActivity
from exposure.selectors import MERGE_ORDER, merge_params, ranking_ctes
from orders.statuses import OrderStatus

Line = get_model("order", "Line")
Partner = get_model("partner", "Partner")


def seller_activity_refresh(*, now: datetime | None = None) -> int:
    """Recount every shop's orders placed in the last PEKEN_RECOMMENDED_WINDOW_DAYS days.

    An order counts once per shop that sold something in it, cancelled orders
    not at all. One grouped query over the window's order lines and one upsert,
    so it is cheap enough to run every few minutes; running it twice has the
    effect of running it once. Returns the number of shops written.
    """
    now = now or timezone.now()
    since = now - timedelta(days=settings.PEKEN_RECOMMENDED_WINDOW_DAYS)
    counts = dict(
        Line.objects.filter(order__date_placed__gte=since, partner__isnull=False)
        .exclude(order__status=OrderStatus.CANCELLED)
        .values_list("partner_id")
        .annotate(n=Count("order_id", distinct=True))
        .order_by()
    )
    rows = [
        SellerActivity(seller_id=pk, recent_orders=counts.get(pk, 0), date_refreshed=now)
        for pk in Partner.objects.values_list("pk", flat=True).order_by("pk")
    ]
    with transaction.atomic():
        SellerActivity.objects.bulk_create(
            rows,
            batch_size=5_000,
            update_conflicts=True,
            unique_fields=["seller"],
            update_fields=["recent_orders", "date_refreshed"],
        )
    return len(rows)


# The rule's order for a visitor without a kecamatan, numbered from 0, with each
# product's place among its side's goods of shops in the same kecamatan.
RANK_INSERT_SQL = """
INSERT INTO {rank} (listing, position, product_id, round, quiet, k, seller_kecamatan, local_k)
WITH {ctes},
localised AS (
    SELECT slotted.*, ROW_NUMBER() OVER (PARTITION BY round, quiet, kecamatan ORDER BY k) - 1 AS local_k
    FROM slotted
)
SELECT %s, ROW_NUMBER() OVER (ORDER BY {order}) - 1, id, round, quiet, k, kecamatan, local_k
FROM localised
"""


def recommended_rank_write(
    *, listing: int, queryset: QuerySet, stock: QuerySet, now: datetime | None = None
) -> int:
    """Rank ``queryset`` (the products of listing ``listing``) into RecommendedRank, replacing its rows.

    The order is exposure.selectors' rule for a visitor without a kecamatan,
    written by one INSERT ... SELECT; pages read it until the next call.
    ``stock`` is the on-sale stock records. The listing's marker row is locked
    first, so two refreshes of one listing at once write it one after the
    other, and readers see the old rows until the new ones are committed.
    PostgreSQL only (elsewhere every listing is ranked in the request);
    returns the number of products ranked.
    """
    if connection.vendor != "postgresql":
        return 0
    now = now or timezone.now()
    ctes, params = ranking_ctes(queryset, stock=stock, buyer_kecamatan=None)
    sql = RANK_INSERT_SQL.format(
        rank=connection.ops.quote_name(RecommendedRank._meta.db_table), ctes=ctes, order=MERGE_ORDER
    )
    with transaction.atomic():
        marker = RecommendedListingRanked(listing=listing, size=0, date_refreshed=now)
        RecommendedListingRanked.objects.bulk_create(
            [marker], update_conflicts=True, unique_fields=["listing"], update_fields=["date_refreshed"]
        )
        RecommendedRank.objects.filter(listing=listing).delete()
        with connection.cursor() as cursor:
            cursor.execute(sql, (*params, listing, *merge_params()))
            size = cursor.rowcount
        RecommendedListingRanked.objects.filter(listing=listing).update(size=size)
    return size


def recommended_rank_prune(*, keep: set[int]) -> int:
    """Drop the ranked rows of listings not in ``keep`` (a category deleted); returns the listings dropped."""
    gone = set(RecommendedListingRanked.objects.exclude(listing__in=keep).values_list("listing", flat=True))
    if gone:
        with transaction.atomic():
            RecommendedRank.objects.filter(listing__in=gone).delete()
            RecommendedListingRanked.objects.filter(listing__in=gone).delete()
    return len(gone)
