"""Seller exposure: who the city's money and its residents' shopping reach, and how concentrated it is.

Pure reads. Every function takes keyword-only arguments, aggregates in PostgreSQL and runs a
fixed number of queries whatever the number of rows. Periods are Jakarta calendar dates, both
ends included.

Official spend is what treasurers paid: OfficialPayment rows in status PAID, their gross (the
seller's bill with the taxes it carries), dated by paid_on. Paid money is what auditors
reconcile against SP2D and bank statements; an accepted order not yet paid may still be closed
short or rejected, so it is not spend yet. The agency of a payment is its requisition's.
"""

from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from decimal import ROUND_HALF_UP, Decimal, localcontext
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db import connection
from django.db.models import (
    Count,
    Exists,
    F,
    OuterRef,
    Q,
    Subquery,
    Sum,
)
from django.db.models.functions import TruncMonth
from oscar.core.loading import get_model

from orders.statuses import OrderStatus
from procurement.models import Requisition
from procurement.selectors import seller_cap_since
from procurement.statuses import RequisitionStatus
from reports.models import PaidPayment, PersonalSpendDay, RequisitionShare
from sellers.abstract_models import SellerStatus

Order = get_model("order", "Order")
Line = get_model("order", "Line")
Partner = get_model("partner", "Partner")
ProductCategory = get_model("catalogue", "ProductCategory")

DROPPED = (OrderStatus.REJECTED, OrderStatus.CANCELLED)
HUNDREDTH = Decimal("0.01")


def period_bounds(*, start: date, end: date) -> tuple[datetime, datetime]:
    """The aware instants [start 00:00, day after end 00:00) in the city's time zone."""
    zone = ZoneInfo(settings.TIME_ZONE)
    return (
        datetime.combine(start, time.min, tzinfo=zone),
        datetime.combine(end + timedelta(days=1), time.min, tzinfo=zone),
    )


def paid_in_period(*, start: date, end: date, agency_ids=None):
    """Paid official payments dated in the period (optionally of these agencies).

    As reports.models.PaidPayment rows: each payment with its requisition's agency and its order's
    seller on the row (kept by triggers with every payment), so no payment is joined to either.
    """
    payments = PaidPayment.objects.filter(paid_on__gte=start, paid_on__lte=end)
    if agency_ids is not None:
        payments = payments.filter(agency_id__in=list(agency_ids))
    return payments


def _percent(part: Decimal, whole: Decimal) -> Decimal:
    if not whole:
        return Decimal(0)
    with localcontext() as ctx:
        ctx.prec = 50
        return (Decimal(part) * 100 / Decimal(whole)).quantize(HUNDREDTH, rounding=ROUND_HALF_UP)


def hhi_value(*, squares: Decimal, total: Decimal) -> Decimal:
    """Herfindahl-Hirschman index from the sum of squared amounts and their total: 10,000 * sum(s^2) / S^2.

    The same as the sum of squared percentage shares; 0 to 10,000, rounded to 0.01 half up.
    """
    if not total:
        return Decimal(0)
    with localcontext() as ctx:
        ctx.prec = 60
        value = Decimal(10000) * Decimal(squares) / (Decimal(total) * Decimal(total))
        return value.quantize(HUNDREDTH, rounding=ROUND_HALF_UP)


# --- Sellers reached by both channels ---


def dual_channel_sellers_count(*, start: date, end: date, agency_ids=None) -> int:
    """How many active sellers got at least one official and at least one personal order in the period.

    An official order has no user and carries a requisition's checkout reference (with
    ``agency_ids``, a requisition of those agencies); a personal order has a user. Rejected and
    cancelled orders do not count. Orders are dated by date_placed. One query.
    """
    since, until = period_bounds(start=start, end=end)
    placed = Order.objects.filter(
        seller=OuterRef("pk"), date_placed__gte=since, date_placed__lt=until
    ).exclude(status__in=DROPPED)
    requisitions = Requisition.objects.exclude(checkout_reference="")
    if agency_ids is not None:
        requisitions = requisitions.filter(agency_id__in=list(agency_ids))
    official = placed.filter(
        user__isnull=True, checkout_reference__in=requisitions.values("checkout_reference")
    )
    personal = placed.filter(user__isnull=False)
    return (
        Partner.objects.filter(status=SellerStatus.ACTIVE).filter(Exists(official), Exists(personal)).count()
    )


def active_sellers_count() -> int:
    """How many sellers are active now (the whole the both-channels count is out of). One query."""
    return Partner.objects.filter(status=SellerStatus.ACTIVE).count()


# --- Concentration of official spend ---


@dataclass(frozen=True)
class SellerSpend:
    seller_id: int
    name: str
    amount: Decimal
    share_percent: Decimal = Decimal(0)  # of all the spend in the period, 0.01 half up


@dataclass(frozen=True)
class TopSellersShare:
    """The largest sellers of official spend and their share of it (percent, 0.01 half up)."""

    total: Decimal
    top_total: Decimal
    share_percent: Decimal
    sellers: list[SellerSpend]


def top_sellers_share(*, start: date, end: date, agency_ids=None, top: int = 10) -> TopSellersShare:
    """The ``top`` sellers by paid official spend in the period and their share of all of it.

    Ties are broken by seller id (lowest first). Two queries.
    """
    payments = paid_in_period(start=start, end=end, agency_ids=agency_ids)
    total = payments.aggregate(total=Sum("gross"))["total"] or Decimal(0)
    rows = list(
        payments.values("seller_id", "seller__name")
        .annotate(amount=Sum("gross"))
        .order_by("-amount", "seller_id")[:top]
    )
    sellers = [
        SellerSpend(r["seller_id"], r["seller__name"], r["amount"], _percent(r["amount"], total))
        for r in rows
    ]
    top_total = sum((s.amount for s in sellers), Decimal(0))
    return TopSellersShare(
        total=total, top_total=top_total, share_percent=_percent(top_total, total), sellers=sellers
    )


@dataclass(frozen=True)
class Concentration:
    """Herfindahl-Hirschman index of paid official spend over sellers: city-wide and per agency.

    ``agencies`` is each agency's index, ``agency_totals`` its paid gross and ``agency_sellers``
    how many sellers it paid; an agency that paid nothing in the period is in none of them.
    """

    city: Decimal
    city_total: Decimal
    city_sellers: int
    agencies: dict[int, Decimal]
    agency_totals: dict[int, Decimal] = field(default_factory=dict)
    agency_sellers: dict[int, int] = field(default_factory=dict)


def herfindahl(*, start: date, end: date, agency_ids=None) -> Concentration:
    """The HHI (sum of squared percentage shares, 0-10,000) of official spend per agency and city-wide.

    A seller's share is of the paid gross in the period; within an agency, of that agency's
    spend; city-wide (or over ``agency_ids`` together), of all of it. The sums of squares are
    computed in PostgreSQL, the division exactly in Python. One query.
    """
    payments = paid_in_period(start=start, end=end, agency_ids=agency_ids).values(
        agency_key=F("agency_id"), seller_key=F("seller_id")
    )
    inner = payments.annotate(amount=Sum("gross")).values("agency_key", "seller_key", "amount")
    inner_sql, params = inner.query.sql_with_params()
    sql = f"""
        WITH spend AS ({inner_sql}),
        city AS (SELECT seller_key, SUM(amount) AS amount FROM spend GROUP BY seller_key)
        SELECT agency_key, SUM(amount * amount), SUM(amount), COUNT(*) FROM spend GROUP BY agency_key
        UNION ALL
        SELECT NULL, SUM(amount * amount), SUM(amount), COUNT(*) FROM city
    """
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        rows = cursor.fetchall()
    agencies, totals, sellers = {}, {}, {}
    city, city_total, city_sellers = Decimal(0), Decimal(0), 0
    for agency, squares, total, count in rows:
        if agency is None:
            city, city_total, city_sellers = (
                hhi_value(squares=squares or 0, total=total or 0),
                total or 0,
                count,
            )
        else:
            agencies[agency] = hhi_value(squares=squares, total=total)
            totals[agency], sellers[agency] = total, count
    return Concentration(
        city=city,
        city_total=Decimal(city_total),
        city_sellers=city_sellers,
        agencies=agencies,
        agency_totals=totals,
        agency_sellers=sellers,
    )


# --- Sellers at or near the official cap ---


def near_cap_percent() -> int:
    """How near the cap is "near": PEKEN_SELLER_CAP_NEAR_PERCENT of it."""
    return settings.PEKEN_SELLER_CAP_NEAR_PERCENT


@dataclass(frozen=True)
class SellerNearCap:
    seller_id: int
    name: str
    received: Decimal
    cap: Decimal
    at_cap: bool


def sellers_near_cap(*, near_percent: int | None = None) -> list[SellerNearCap]:
    """Sellers whose approved official purchases reach ``near_percent`` (default
    PEKEN_SELLER_CAP_NEAR_PERCENT) of PEKEN_OFFICIAL_SELLER_CAP.

    Counted as procurement.selectors.sellers_at_cap counts the cap: approved requisition lines
    whose order was not rejected or cancelled, decided in the last PEKEN_OFFICIAL_SELLER_CAP_DAYS
    days (a rolling window ending now, not the report's period). ``at_cap`` marks those at or
    above the cap itself. Largest first; one query.
    """
    if near_percent is None:
        near_percent = near_cap_percent()
    cap = Decimal(settings.PEKEN_OFFICIAL_SELLER_CAP)
    threshold = cap * Decimal(near_percent) / 100
    # official_lines_kept's lines, summed per requisition and seller already (RequisitionShare): a
    # seller's share is kept unless its order of that requisition was rejected or cancelled
    dropped = Order.objects.filter(
        checkout_reference=OuterRef("requisition__reference"), seller=OuterRef("seller"), status__in=DROPPED
    )
    rows = (
        RequisitionShare.objects.filter(
            requisition__status=RequisitionStatus.APPROVED, requisition__date_decided__gte=seller_cap_since()
        )
        .exclude(Exists(dropped))
        .values("seller_id", "seller__name")
        .annotate(received=Sum("amount"))
        .filter(received__gte=threshold)
        .order_by("-received", "seller_id")
    )
    return [
        SellerNearCap(r["seller_id"], r["seller__name"], r["received"], cap, r["received"] >= cap)
        for r in rows
    ]


# --- Kecamatan nobody ordered from ---


@dataclass(frozen=True)
class IdleKecamatan:
    kecamatan: str
    active_sellers: int


def idle_kecamatan(*, start: date, end: date) -> list[IdleKecamatan]:
    """Kecamatan with active sellers none of whom got an order (official or personal) in the period.

    Rejected and cancelled orders do not count; sellers without a kecamatan are left out.
    By name; one query.
    """
    since, until = period_bounds(start=start, end=end)
    ordered = Order.objects.filter(
        seller=OuterRef("pk"), date_placed__gte=since, date_placed__lt=until
    ).exclude(status__in=DROPPED)
    rows = (
        Partner.objects.filter(status=SellerStatus.ACTIVE)
        .exclude(kecamatan="")
        .values("kecamatan")
        .annotate(sellers=Count("pk"), busy=Count("pk", filter=Q(Exists(ordered))))
        .filter(busy=0)
        .order_by("kecamatan")
    )
    return [IdleKecamatan(r["kecamatan"], r["sellers"]) for r in rows]


# --- Personal shopping, in aggregate only ---


def first_category_name(product: str = "product_id") -> Subquery:
    """The name of the first category (by tree path) of the product ``product`` names; NULL for none."""
    first = ProductCategory.objects.filter(product_id=OuterRef(product)).order_by("category__path")
    return Subquery(first.values("category__name")[:1])


@dataclass(frozen=True)
class PersonalSpend:
    kecamatan: str
    category: str
    month: date
    orders: int
    amount: Decimal


def personal_spend(*, start: date, end: date) -> list[PersonalSpend]:
    """Residents' own shopping per kecamatan of the seller, product category and month; never per person.

    Lines of orders with a user (not official), not rejected or cancelled, placed in the period;
    the amount is the line price with tax; ``orders`` counts distinct orders. A product's
    category is its first category in the tree (by path), blank for none. Months are Jakarta
    calendar months. One query.

    On PostgreSQL read from the daily summary (reports.models.PersonalSpendDay, a materialized
    view): as the orders were at its last refresh, at most PEKEN_REPORTS_VIEW_REFRESH_MINUTES ago
    (README, "Reports: what can lag"). Elsewhere summed from the order lines.
    """
    if connection.vendor != "postgresql":
        return _personal_spend_from_lines(start=start, end=end)
    rows = (
        PersonalSpendDay.objects.filter(day__gte=start, day__lte=end)
        .annotate(month=TruncMonth("day"))
        .values("kecamatan", "category", "month")
        .annotate(orders=Sum("orders"), amount=Sum("amount"))
        .order_by("month", "kecamatan", "category")
    )
    return [PersonalSpend(r["kecamatan"], r["category"], r["month"], r["orders"], r["amount"]) for r in rows]


def _personal_spend_from_lines(*, start: date, end: date) -> list[PersonalSpend]:
    # the lines summed as the summary sums them (a database without the materialized view)
    since, until = period_bounds(start=start, end=end)
    rows = (
        Line.objects.filter(
            order__user__isnull=False, order__date_placed__gte=since, order__date_placed__lt=until
        )
        .exclude(order__status__in=DROPPED)
        .annotate(
            category=first_category_name(),
            month=TruncMonth("order__date_placed", tzinfo=ZoneInfo(settings.TIME_ZONE)),
        )
        .values("order__seller__kecamatan", "category", "month")
        .annotate(orders=Count("order_id", distinct=True), amount=Sum("line_price_incl_tax"))
        .order_by("month", "order__seller__kecamatan", "category")
    )
    return [
        PersonalSpend(
            r["order__seller__kecamatan"] or "",
            r["category"] or "",
            r["month"].date() if isinstance(r["month"], datetime) else r["month"],
            r["orders"],
            r["amount"],
        )
        for r in rows
    ]
