"""Reads about sellers for the verification pages."""

from django.db.models import Avg, Count, QuerySet
from oscar.core.loading import get_model

from sellers.abstract_models import SellerStatus

Partner = get_model("partner", "Partner")
SellerRating = get_model("partner", "SellerRating")


def seller_rating_summary(seller_ids) -> dict[int, tuple[float, int]]:
    """Average score and number of ratings of each shop, in one query."""
    rows = (SellerRating.objects.filter(seller_id__in=seller_ids).values("seller_id")
            .annotate(average=Avg("score"), count=Count("id")))
    return {row["seller_id"]: (round(float(row["average"]), 1), row["count"]) for row in rows}


def order_sellers_queryset(*, order) -> QuerySet:
    """The shops that sold something in one order."""
    return Partner.objects.filter(pk__in=order.lines.values("partner_id")).order_by("name")


def order_sellers_to_rate(*, order) -> list:
    """The shops of one order, each with the buyer's rating of it for that order if any."""
    rated = {r.seller_id: r for r in SellerRating.objects.filter(order=order)}
    sellers = order_sellers_queryset(order=order)
    for seller in sellers:
        seller.order_rating = rated.get(seller.pk)
    return list(sellers)


def sellers_for_verification() -> QuerySet:
    return Partner.objects.prefetch_related("users", "addresses", "decisions__actor")


def sellers_pending() -> QuerySet:
    """Shops waiting for verification, the longest-waiting first."""
    return Partner.objects.filter(status=SellerStatus.PENDING).order_by("date_registered", "id")


def sellers_with_status(status: str) -> QuerySet:
    return Partner.objects.filter(status=status).order_by("name")
