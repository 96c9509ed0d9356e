"""Reads about sellers for the verification pages."""

from django.db.models import Avg, Count, Exists, OuterRef, Prefetch, QuerySet, Subquery, Sum
from django.db.models.functions import TruncMonth
from oscar.core.loading import get_model

from orders.statuses import SOLD, OrderStatus
from sellers.abstract_models import SellerStatus

Partner = get_model("partner", "Partner")
SellerRating = get_model("partner", "SellerRating")
SellerDataChange = get_model("partner", "SellerDataChange")


def seller_rating_summary(seller_ids) -> dict[int, tuple[float, int]]:
    """Average score and number of ratings of each shop, in one query."""
    rows = (
        SellerRating.objects.filter(seller_id__in=seller_ids)
        .values("seller_id")
        .annotate(average=Avg("score"), count=Count("id"))
    )
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
    """Shops waiting for verification, the longest-waiting first, each marked ``nik_shared``
    when its owner's NIK is on another shop too."""
    shared = Partner.objects.filter(ktp_number=OuterRef("ktp_number")).exclude(pk=OuterRef("pk"))
    return (
        Partner.objects.filter(status=SellerStatus.PENDING)
        .annotate(nik_shared=Exists(shared.exclude(ktp_number="")))
        .order_by("date_registered", "id")
    )


def sellers_sharing_nik(*, seller) -> QuerySet:
    """Other shops registered with the same owner's NIK, oldest first.

    One person may run more than one shop, so a second registration is not
    refused; the verifier sees the others and decides whether it is the same
    owner or someone else's KTP.
    """
    if not seller.ktp_number:
        return Partner.objects.none()
    return Partner.objects.filter(ktp_number=seller.ktp_number).exclude(pk=seller.pk).order_by("pk")


def sellers_with_status(status: str) -> QuerySet:
    return Partner.objects.filter(status=status).order_by("name")


# The seller centre: every read below is limited to one shop's own rows.

StockRecord = get_model("partner", "StockRecord")
StockUpdate = get_model("partner", "StockUpdate")
Product = get_model("catalogue", "Product")
Order = get_model("order", "Order")
Line = get_model("order", "Line")

BEST_SELLERS = 10


def centre_shops(*, user) -> QuerySet:
    """The shops a user works for, oldest first; the first is the one shown by default."""
    if not user.is_authenticated:
        return Partner.objects.none()
    return user.partners.order_by("pk")


def works_for_a_shop(*, user) -> bool:
    """Whether ``user`` works for any shop; asked once per user object (the menu and the reports
    menu both ask on every page)."""
    if not user.is_authenticated:
        return False
    if not hasattr(user, "_peken_works_for_a_shop"):
        user._peken_works_for_a_shop = user.partners.exists()
    return user._peken_works_for_a_shop


def centre_products(*, seller) -> QuerySet:
    """The shop's products with its own stock record and pictures, the latest changed first."""
    return (
        Product.objects.filter(stockrecords__partner=seller)
        .defer("description", "search_vector")
        .prefetch_related(
            "images",
            Prefetch(
                "stockrecords", queryset=StockRecord.objects.filter(partner=seller), to_attr="own_records"
            ),
        )
        .order_by("-date_updated", "-id")
    )


def centre_stock_records(*, seller) -> QuerySet:
    records = StockRecord.objects.filter(partner=seller).select_related("product")
    return records.order_by("product__title", "pk")


def centre_stock_updates(*, seller) -> QuerySet:
    return StockUpdate.objects.filter(seller=seller).select_related("actor").order_by("-date_created", "-id")


def _own_lines(seller) -> QuerySet:
    return Line.objects.filter(partner=seller)


def centre_data_changes(*, seller) -> QuerySet:
    """The recorded changes of this shop's data, newest first."""
    return SellerDataChange.objects.filter(seller=seller).order_by("-date_created", "-id")


def centre_orders(*, seller) -> QuerySet:
    """Orders with at least one of the shop's lines, each with the shop's own total and quantity."""
    own = _own_lines(seller).filter(order=OuterRef("pk")).values("order")
    return (
        Order.objects.filter(Exists(own))
        .annotate(
            seller_total=Subquery(own.annotate(t=Sum("line_price_incl_tax")).values("t")[:1]),
            seller_items=Subquery(own.annotate(q=Sum("quantity")).values("q")[:1]),
        )
        .select_related("user")
        .order_by("-date_placed", "-pk")
    )


def centre_order_lines(*, seller, order) -> QuerySet:
    """Only this shop's lines of an order (never another shop's: django-oscar #2240)."""
    return _own_lines(seller).filter(order=order).select_related("product").order_by("pk")


def centre_sales(*, seller) -> dict:
    """The shop's sales by month and by order status, and its best sellers: aggregated in the database.

    A sale is an order the shop accepted (orders.statuses.SOLD): a new order
    may still be rejected, and a rejected or cancelled one sold nothing.
    """
    lines = _own_lines(seller)
    sold = lines.filter(order__status__in=SOLD)
    return {
        "by_month": list(
            sold.annotate(month=TruncMonth("order__date_placed"))
            .values("month")
            .annotate(
                total=Sum("line_price_incl_tax"), orders=Count("order", distinct=True), items=Sum("quantity")
            )
            .order_by("-month")
        ),
        "by_status": [
            {**row, "label": OrderStatus(row["order__status"]).label}
            for row in lines.values("order__status")
            .annotate(total=Sum("line_price_incl_tax"), orders=Count("order", distinct=True))
            .order_by("-total")
        ],
        "best_sellers": list(
            sold.values("product_id", "title")
            .annotate(items=Sum("quantity"), total=Sum("line_price_incl_tax"))
            .order_by("-items", "title")[:BEST_SELLERS]
        ),
        "totals": centre_sales_totals(seller=seller),
    }


def centre_sales_totals(*, seller) -> dict:
    """The shop's total sales and the number of orders it accepted, in one query."""
    return (
        _own_lines(seller)
        .filter(order__status__in=SOLD)
        .aggregate(total=Sum("line_price_incl_tax"), orders=Count("order", distinct=True))
    )
