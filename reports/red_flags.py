"""Red flags for auditors: purchases whose pattern deserves a look, each with the purchases behind it.

Pure reads. Every function takes keyword-only arguments, works in PostgreSQL and runs a fixed
number of queries whatever the number of rows. Periods are Jakarta calendar dates, both ends
included. A purchase is a requisition; a seller's "share" of one is the sum of its lines of that
seller (the package the seller's order carries), the figure the value bands (PEKEN_VALUE_BANDS)
and the split-purchase warning are about. A flag is a pointer for a human, never a finding.

The shares are read from reports.models.RequisitionShare, which statement triggers on the lines
keep in the same transaction as every change to them (one row per requisition and seller, not a
million lines); only the price flag reads the lines themselves.
"""

from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

from django.conf import settings
from django.db import connection
from django.db.models import Count, Q
from django.utils import timezone
from oscar.core.loading import get_model

from procurement.models import GoodsReceipt, OfficialPayment, Requisition, RequisitionLine
from procurement.statuses import OfficialPaymentStatus, RequisitionStatus
from reports.exposure import period_bounds
from reports.models import ProductPriceRange, RequisitionShare

ProductCategory = get_model("catalogue", "ProductCategory")
Order = get_model("order", "Order")
Category = get_model("catalogue", "Category")

# What the split-purchase warning counts: requisitions waiting for approval or approved.
LIVE = (RequisitionStatus.SUBMITTED, RequisitionStatus.APPROVED)


@dataclass(frozen=True)
class FlagSettings:
    """How far is "far" for each flag: the PEKEN_FLAG_* settings (and the split window) now in force."""

    price_factor: Decimal
    price_by: str
    pair_factor: Decimal
    pair_minimum: int
    band_within_percent: Decimal
    spike_weeks: int
    spike_factor: Decimal
    split_window_days: int


def flag_settings() -> FlagSettings:
    """The thresholds the flags use when a caller names none; the report page shows them."""
    return FlagSettings(
        price_factor=Decimal(str(settings.PEKEN_FLAG_PRICE_FACTOR)),
        price_by=settings.PEKEN_FLAG_PRICE_BY,
        pair_factor=Decimal(str(settings.PEKEN_FLAG_PAIR_FACTOR)),
        pair_minimum=int(settings.PEKEN_FLAG_PAIR_MINIMUM),
        band_within_percent=Decimal(str(settings.PEKEN_FLAG_BAND_WITHIN_PERCENT)),
        spike_weeks=int(settings.PEKEN_FLAG_SPIKE_WEEKS),
        spike_factor=Decimal(str(settings.PEKEN_FLAG_SPIKE_FACTOR)),
        split_window_days=int(settings.PEKEN_SPLIT_WINDOW_DAYS),
    )


@dataclass(frozen=True)
class Purchase:
    """One requisition behind a flag, linked to its trail; ``decided_on`` where the flag is about when."""

    requisition_id: int
    reference: str
    decided_on: date | None = None


def _purchases(ids, references, known: dict | None = None) -> tuple[Purchase, ...]:
    # ``known``: the Purchase of each requisition already made, shared by the flags it is behind
    if known is None:
        known = {}
    pairs = sorted(zip(ids, references, strict=True))
    return tuple(known.get(i) or known.setdefault(i, Purchase(i, r)) for i, r in pairs)


def _agency_clause(agency_ids, column: str) -> tuple[str, list]:
    if agency_ids is None:
        return "", []
    return f" AND {column} = ANY(%s)", [list(agency_ids)]


def _fetch(sql: str, params: list) -> list[tuple]:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()


# --- Purchases split to stay under a value band ---


@dataclass(frozen=True)
class SplitFlag:
    """An agency's purchases from one seller within the split window passing ``band`` together."""

    agency_id: int
    seller_id: int
    band: int
    total: Decimal
    purchases: tuple[Purchase, ...]


def split_purchases(
    *, start: date, end: date, agency_ids=None, window_days: int | None = None
) -> list[SplitFlag]:
    """Every place, city-wide and over the period, where the split-purchase warning would have fired.

    The rule is procurement.selectors' (split_purchase_bands): an agency's submitted or approved
    requisitions with one seller, submitted within ``window_days`` (default
    PEKEN_SPLIT_WINDOW_DAYS) before one submitted in the period, whose shares together pass a
    value band that each share alone stays within. PostgreSQL finds the windows (a window
    function over each agency and seller) with their purchases, and leaves out a window contained
    in a larger flagged one (same agency, seller, band). One query.
    """
    days = settings.PEKEN_SPLIT_WINDOW_DAYS if window_days is None else window_days
    window = timedelta(days=days)
    since, until = period_bounds(start=start, end=end)
    agency_sql, agency_params = _agency_clause(agency_ids, "r.agency_id")
    shares, req = RequisitionShare._meta.db_table, Requisition._meta.db_table
    # Each window is the frame of its last purchase: the shares of the window_days before it. Its
    # bands are split_purchase_bands' (largest <= band < total, two shares or more). As windows end
    # later they start no earlier, so a flagged window lies inside another flagged for the same
    # band only if that one starts on the same day and ends later: of the windows flagged for a
    # band that start on one day the last is kept (of equal ones, the first).
    sql = f"""
        WITH share AS (
            SELECT r.agency_id, s.seller_id, r.id, r.reference, r.date_submitted, s.amount
            FROM {shares} s JOIN {req} r ON r.id = s.requisition_id
            WHERE r.status = ANY(%s) AND r.date_submitted >= %s AND r.date_submitted < %s{agency_sql}
        ), windowed AS (
            SELECT agency_id, seller_id, id, date_submitted,
                   SUM(amount) OVER w AS total, MAX(amount) OVER w AS largest, COUNT(*) OVER w AS n,
                   MIN(date_submitted) OVER w AS first_submitted,
                   array_agg(id) OVER w AS ids, array_agg(reference) OVER w AS refs
            FROM share
            WINDOW w AS (PARTITION BY agency_id, seller_id ORDER BY date_submitted
                         RANGE BETWEEN %s PRECEDING AND CURRENT ROW)
        ), flagged AS (
            SELECT w.*, band,
                   row_number() OVER (PARTITION BY agency_id, seller_id, band, first_submitted
                                      ORDER BY date_submitted DESC, id) AS later
            FROM windowed w JOIN unnest(%s::numeric[]) AS band ON w.largest <= band AND band < w.total
            WHERE w.n >= 2 AND w.date_submitted >= %s
        )
        SELECT agency_id, seller_id, band, total, ids, refs
        FROM flagged WHERE later = 1
        ORDER BY agency_id, seller_id, date_submitted, id, band
    """
    bands = sorted(settings.PEKEN_VALUE_BANDS)
    as_set = {Decimal(band): band for band in bands}
    params = [list(LIVE), since - window, until, *agency_params, window, bands, since]
    known: dict[int, Purchase] = {}
    return [
        SplitFlag(agency_id, seller_id, as_set[band], total, _purchases(ids, refs, known))
        for agency_id, seller_id, band, total, ids, refs in _fetch(sql, params)
    ]


# --- Unit prices far above the city's median ---


@dataclass(frozen=True)
class PriceFlag:
    """A line priced far above the city's median for its product (or category: ``key_id``)."""

    requisition_id: int
    reference: str
    agency_id: int
    seller_id: int
    product_id: int
    key_id: int
    title: str
    unit_price: Decimal
    median: Decimal


def price_outliers(
    *, start: date, end: date, agency_ids=None, factor: Decimal | None = None, by: str | None = None
) -> list[PriceFlag]:
    """Lines of approved requisitions priced above ``factor`` times the city's median unit price.

    ``factor`` and ``by`` default to PEKEN_FLAG_PRICE_FACTOR and PEKEN_FLAG_PRICE_BY.

    ``by`` "product" compares a line with the other lines of the same product; "category" with
    those of the same category (a product's first category in the tree, by path; products
    without one are left out). The median (percentile_cont 0.5 over lines, not weighted by
    quantity; exact for rupiah amounts) is over every agency's approved requisitions decided in
    the period; ``agency_ids`` only narrows which lines are flagged. Only the lines of products
    whose prices ever varied by more than ``factor`` are read (ProductPriceRange). By product two
    queries, the first finding those products (none, and it stops there); by category one.
    """
    defaults = flag_settings()
    factor = defaults.price_factor if factor is None else factor
    by = defaults.price_by if by is None else by
    if by not in ("product", "category"):
        raise ValueError(by)
    since, until = period_bounds(start=start, end=end)
    agency_sql, agency_params = _agency_clause(agency_ids, "r.agency_id")
    line, req, ranges = (
        RequisitionLine._meta.db_table,
        Requisition._meta.db_table,
        ProductPriceRange._meta.db_table,
    )
    factor = Decimal(factor)
    # The products worth reading: a line can only be above factor x its median where the product's
    # (or category's) highest price ever is above factor x its lowest ever (ProductPriceRange).
    few, few_params = "", []
    if by == "product":
        varied = _fetch(f"SELECT product_id FROM {ranges} WHERE highest > %s * lowest", [factor])
        if not varied:
            return []
        # the products named, so the planner knows how many (usually few: looked up by product)
        few_params = [[product_id for (product_id,) in varied]]
        keys, key_params = "SELECT p AS product_id, p AS key_id FROM unnest(%s::bigint[]) AS p", few_params
        few = "l.product_id = ANY(%s::bigint[]) AND "
    else:
        link, category = ProductCategory._meta.db_table, Category._meta.db_table
        keys = f"""
            WITH first_category AS MATERIALIZED (  -- a product's first category in the tree, by path
                SELECT DISTINCT ON (pc.product_id) pc.product_id, pc.category_id
                FROM {link} pc JOIN {category} c ON c.id = pc.category_id ORDER BY pc.product_id, c.path
            )
            SELECT product_id, category_id AS key_id FROM first_category WHERE category_id IN (
                SELECT f.category_id FROM first_category f JOIN {ranges} p USING (product_id)
                GROUP BY f.category_id HAVING MAX(p.highest) > %s * MIN(p.lowest)
            )"""
        key_params = [factor]
    # Their lines are counted per key and price, and the median found from the counts:
    # percentile_cont(0.5) is the mean of the values at (0-based) positions floor((n - 1) / 2) and
    # ceil((n - 1) / 2) of the n sorted prices, and a price's lines hold positions
    # [below, below + n). Only the lines of prices above factor x the median are read again.
    sql = f"""
        WITH candidates AS MATERIALIZED ({keys}
        ), priced AS (
            SELECT c.key_id, l.unit_price, COUNT(*) AS n
            FROM candidates c JOIN {line} l ON l.product_id = c.product_id
            JOIN {req} r ON r.id = l.requisition_id
            WHERE {few}r.status = %s AND r.date_decided >= %s AND r.date_decided < %s
            GROUP BY c.key_id, l.unit_price
        ), ranked AS (
            SELECT key_id, unit_price, n,
                   SUM(n) OVER (PARTITION BY key_id ORDER BY unit_price) - n AS below,
                   SUM(n) OVER (PARTITION BY key_id) AS total
            FROM priced
        ), medians AS (
            SELECT key_id,
                   (MIN(unit_price) FILTER (WHERE below <= floor((total - 1) / 2.0)
                                              AND floor((total - 1) / 2.0) < below + n)
                    + MIN(unit_price) FILTER (WHERE below <= ceil((total - 1) / 2.0)
                                                AND ceil((total - 1) / 2.0) < below + n)) / 2 AS median
            FROM ranked GROUP BY key_id
        ), outlying AS MATERIALIZED (
            SELECT p.key_id, p.unit_price, m.median
            FROM priced p JOIN medians m USING (key_id)
            WHERE p.unit_price > %s * m.median
        )
        SELECT l.requisition_id, r.reference, r.agency_id, l.seller_id, l.product_id, o.key_id, l.title,
               l.unit_price, o.median::float8
        FROM outlying o JOIN candidates c ON c.key_id = o.key_id
        JOIN {line} l ON l.product_id = c.product_id AND l.unit_price = o.unit_price
        JOIN {req} r ON r.id = l.requisition_id
        WHERE {few}r.status = %s AND r.date_decided >= %s AND r.date_decided < %s{agency_sql}
        ORDER BY l.requisition_id, l.product_id
    """
    approved = [RequisitionStatus.APPROVED, since, until]
    rows = _fetch(sql, [*key_params, *few_params, *approved, factor, *few_params, *approved, *agency_params])
    return [PriceFlag(*row[:-1], Decimal(str(row[-1]))) for row in rows]


# --- The same requester and seller far more often than the agency's other pairs ---


@dataclass(frozen=True)
class PairFlag:
    agency_id: int
    requester_id: int
    seller_id: int
    count: int
    agency_median: Decimal
    purchases: tuple[Purchase, ...]


def frequent_pairs(
    *, start: date, end: date, agency_ids=None, factor: Decimal | None = None, minimum: int | None = None
) -> list[PairFlag]:
    """Requester and seller pairs of an agency with more than ``factor`` times its median pair count.

    A pair's count is the approved requisitions decided in the period in which that requester
    bought from that seller; the median (percentile_cont 0.5) is over all the agency's pairs in
    the period. A pair needs at least ``minimum`` purchases. ``factor`` and ``minimum`` default to
    PEKEN_FLAG_PAIR_FACTOR and PEKEN_FLAG_PAIR_MINIMUM. One query.
    """
    defaults = flag_settings()
    factor = defaults.pair_factor if factor is None else factor
    minimum = defaults.pair_minimum if minimum is None else minimum
    since, until = period_bounds(start=start, end=end)
    agency_sql, agency_params = _agency_clause(agency_ids, "r.agency_id")
    shares, req = RequisitionShare._meta.db_table, Requisition._meta.db_table
    sql = f"""
        WITH bought AS (
            SELECT r.agency_id, r.requester_id, s.seller_id, r.id, r.reference
            FROM {shares} s JOIN {req} r ON r.id = s.requisition_id
            WHERE r.status = %s AND r.date_decided >= %s AND r.date_decided < %s{agency_sql}
        ), pairs AS (
            SELECT agency_id, requester_id, seller_id, COUNT(*) AS n,
                   array_agg(id ORDER BY id) AS ids, array_agg(reference ORDER BY id) AS refs
            FROM bought GROUP BY agency_id, requester_id, seller_id
        ), medians AS (
            SELECT agency_id, percentile_cont(0.5) WITHIN GROUP (ORDER BY n) AS median
            FROM pairs GROUP BY agency_id
        )
        SELECT p.agency_id, p.requester_id, p.seller_id, p.n, m.median, p.ids, p.refs
        FROM pairs p JOIN medians m USING (agency_id)
        WHERE p.n >= %s AND p.n > %s * m.median
        ORDER BY p.agency_id, p.n DESC, p.requester_id, p.seller_id
    """
    params = [RequisitionStatus.APPROVED, since, until, *agency_params, minimum, Decimal(factor)]
    return [
        PairFlag(agency, requester, seller, n, Decimal(str(median)), _purchases(ids, refs))
        for agency, requester, seller, n, median, ids, refs in _fetch(sql, params)
    ]


# --- Purchases just under a band threshold ---


@dataclass(frozen=True)
class BandFlag:
    requisition_id: int
    reference: str
    agency_id: int
    seller_id: int
    amount: Decimal
    band: int


def just_under_band(
    *, start: date, end: date, agency_ids=None, within_percent: Decimal | None = None
) -> list[BandFlag]:
    """Sellers' shares of submitted or approved requisitions within ``within_percent`` below a value band.

    A share is flagged for a band of PEKEN_VALUE_BANDS when band * (100 - within_percent) / 100
    <= share <= band (a share equal to the band still stays within it, as the split-purchase
    rule reads it). ``within_percent`` defaults to PEKEN_FLAG_BAND_WITHIN_PERCENT. Requisitions
    submitted in the period; one query.
    """
    if within_percent is None:
        within_percent = flag_settings().band_within_percent
    since, until = period_bounds(start=start, end=end)
    bands = sorted(settings.PEKEN_VALUE_BANDS)
    near = Q()
    for band in bands:
        near |= Q(amount__gte=Decimal(band) * (100 - Decimal(within_percent)) / 100, amount__lte=band)
    shares = RequisitionShare.objects.filter(
        requisition__status__in=LIVE,
        requisition__date_submitted__gte=since,
        requisition__date_submitted__lt=until,
    )
    if agency_ids is not None:
        shares = shares.filter(requisition__agency_id__in=list(agency_ids))
    rows = (
        shares.filter(near)
        .values("requisition_id", "requisition__reference", "requisition__agency_id", "seller_id", "amount")
        .order_by("requisition_id", "seller_id")
    )
    return [
        BandFlag(
            r["requisition_id"],
            r["requisition__reference"],
            r["requisition__agency_id"],
            r["seller_id"],
            r["amount"],
            next(band for band in bands if r["amount"] <= band),
        )
        for r in rows
    ]


# --- A spike of purchases in the last weeks of the fiscal year ---


@dataclass(frozen=True)
class SpikeFlag:
    agency_id: int
    year_count: int
    last_weeks_count: int
    weekly_average: Decimal
    last_weeks_weekly: Decimal
    purchases: tuple[Purchase, ...]


def year_end_spike(
    *, fiscal_year: int, agency_ids=None, weeks: int | None = None, factor: Decimal | None = None
) -> list[SpikeFlag]:
    """Agencies whose approved purchases per week in the year's last ``weeks`` weeks exceed ``factor``
    times their weekly average over the whole fiscal year (January to December).

    Purchases are approved requisitions of that fiscal year's budget lines, dated by their
    approval (date_decided). The weekly average is the year's count * 7 / days in the year; the
    last weeks' rate is their count / ``weeks``. ``weeks`` and ``factor`` default to
    PEKEN_FLAG_SPIKE_WEEKS and PEKEN_FLAG_SPIKE_FACTOR. Each purchase carries the (Jakarta) day it
    was approved. Two queries (the counts, then the purchases of the flagged agencies' last weeks).
    """
    defaults = flag_settings()
    weeks = defaults.spike_weeks if weeks is None else weeks
    factor = defaults.spike_factor if factor is None else factor
    start, end = date(fiscal_year, 1, 1), date(fiscal_year, 12, 31)
    tail_start = end - timedelta(days=7 * weeks - 1)
    since, until = period_bounds(start=start, end=end)
    tail_since, _ = period_bounds(start=tail_start, end=end)
    requisitions = Requisition.objects.filter(
        status=RequisitionStatus.APPROVED,
        budget_line__fiscal_year=fiscal_year,
        date_decided__gte=since,
        date_decided__lt=until,
    )
    if agency_ids is not None:
        requisitions = requisitions.filter(agency_id__in=list(agency_ids))
    days = Decimal((end - start).days + 1)
    counts = (
        requisitions.values("agency_id")
        .annotate(year=Count("pk"), tail=Count("pk", filter=Q(date_decided__gte=tail_since)))
        .order_by("agency_id")
    )
    flagged = {}
    for row in counts:
        average = Decimal(row["year"]) * 7 / days
        rate = Decimal(row["tail"]) / weeks
        if row["tail"] and rate > Decimal(factor) * average:
            flagged[row["agency_id"]] = (row["year"], row["tail"], average, rate)
    if not flagged:
        return []
    behind: dict[int, list[Purchase]] = {}
    tail = requisitions.filter(agency_id__in=list(flagged), date_decided__gte=tail_since)
    rows = tail.order_by("pk").values_list("agency_id", "pk", "reference", "date_decided")
    for agency_id, pk, reference, decided in rows:
        behind.setdefault(agency_id, []).append(Purchase(pk, reference, timezone.localdate(decided)))
    return [
        SpikeFlag(agency_id, year, tail_count, average, rate, tuple(behind.get(agency_id, ())))
        for agency_id, (year, tail_count, average, rate) in sorted(flagged.items())
    ]


# --- Orders paid before their receipt ---


@dataclass(frozen=True)
class PaidEarlyFlag:
    requisition_id: int
    reference: str
    order_id: int
    order_number: str
    paid_on: date
    last_received_on: date | None
    agency_id: int
    seller_id: int


def paid_before_receipt(*, start: date, end: date, agency_ids=None) -> list[PaidEarlyFlag]:
    """Paid official payments dated in the period before the order's last handover (BAST), or with none.

    The services refuse both; a flag here means data that came in some other way (an import, a
    correction in the database) and must be explained. One query.
    """
    payment, req, receipt = (
        OfficialPayment._meta.db_table,
        Requisition._meta.db_table,
        GoodsReceipt._meta.db_table,
    )
    order = Order._meta.db_table
    agency_sql, agency_params = _agency_clause(agency_ids, "agency_id")
    if agency_sql:
        agency_sql = f" AND p.requisition_id IN (SELECT id FROM {req} WHERE true{agency_sql})"
    # each order's last handover found once for all (one grouped pass), not once per payment
    sql = f"""
        WITH early AS MATERIALIZED (
            SELECT p.id, p.requisition_id, p.order_id, p.paid_on, g.last
            FROM {payment} p
            LEFT JOIN (SELECT order_id, MAX(received_on) AS last FROM {receipt} GROUP BY order_id) g
              ON g.order_id = p.order_id
            WHERE p.status = %s AND p.paid_on >= %s AND p.paid_on <= %s
              AND (g.last IS NULL OR p.paid_on < g.last){agency_sql}
        )
        SELECT e.requisition_id, r.reference, e.order_id, o.number, e.paid_on, e.last, r.agency_id,
               o.seller_id
        FROM early e JOIN {req} r ON r.id = e.requisition_id JOIN {order} o ON o.id = e.order_id
        ORDER BY e.paid_on, e.id
    """
    rows = _fetch(sql, [OfficialPaymentStatus.PAID, start, end, *agency_params])
    return [PaidEarlyFlag(*row) for row in rows]
