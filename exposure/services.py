"""Writes of the shops' recent-order counters that the Rekomendasi ordering reads."""

from datetime import datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import Count
from django.utils import timezone
from oscar.core.loading import get_model

from exposure.models import SellerActivity
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
        .values_list("partner_id").annotate(n=Count("order_id", distinct=True)).order_by()
    )
    rows = [SellerActivity(seller_id=pk, recent_orders=counts.get(pk, 0), date_refreshed=now)
            for pk in Partner.objects.values_list("pk", flat=True).order_by("pk")]
    with transaction.atomic():
        SellerActivity.objects.bulk_create(rows, batch_size=5_000, update_conflicts=True,
                                           unique_fields=["seller"],
                                           update_fields=["recent_orders", "date_refreshed"])
    return len(rows)
