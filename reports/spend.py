"""Spend of official purchases: by agency, seller, the seller's kecamatan, UMKM scale, product category
and month; goods against services; days from approval to receipt and from receipt to payment.

Spend is what treasurers paid: OfficialPayment rows in status PAID, their gross (the seller's
invoice with its PPN and PBJT, what the budget line realises), dated by paid_on and read under the
shared filter bar (reports.selectors.paid_payments; the year and month are paid_on's). One paid
payment is one paid order of one seller.

Category and goods/services need the order lines. A payment's gross is allocated over its order's
lines in proportion to what was accepted of each (unit price x quantity accepted, the price the tax
engine was given), by cumulative rounding in line order: line i gets
round(G x C_i / V) - round(G x C_i-1 / V), rounded half up, where G is the gross, C_i the value of
lines 1..i and V of them all. The shares are whole rupiah and add up to each payment's gross, so the
category and goods/services figures reconcile with the total to the rupiah; the invoice's taxes
ride along in proportion to price. With a category chosen in the filter bar every figure of the
report is the shares of that category's lines.

A line's category is its product's first category by path (a variant's: its parent's); the
breakdown shows the level below the chosen category (the top-level categories without one). Its
kind is catalogue_ext.selectors.product_supply_kind's, as the tax engine reads it: the listing's
own, else that of its first public category with a mapped parent (PEKEN_SUPPLY_KIND_BY_CATEGORY),
else goods. Catering, printing and other services are services.

The scale breakdown counts a cooperative as a cooperative whatever its size and every other seller
by its UMKM scale (or "not stated"), so its rows add up to the total. The filter bar's scale
narrows by the recorded scale alone, as in the other reports.

Pure reads in PostgreSQL: the payments are selected by the ORM, the lines and their shares in SQL
around that; each read is a fixed number of queries whatever the number of rows.
"""

from dataclasses import dataclass
from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction

from django.conf import settings
from django.db import connection
from django.db.models import F, Q, QuerySet
from django.utils.translation import gettext_lazy as _
from oscar.core.loading import get_model

from catalogue_ext.abstract_models import SupplyKind
from procurement.models import Agency, GoodsReceipt, GoodsReceiptLine, OfficialPayment, Requisition
from reports.forms import COOPERATIVE, MONTHS, ReportFilter
from reports.selectors import paid_payments
from sellers.abstract_models import UmkmScale

Category = get_model("catalogue", "Category")
Product = get_model("catalogue", "Product")
ProductCategory = get_model("catalogue", "ProductCategory")
Line = get_model("order", "Line")
Order = get_model("order", "Order")
Partner = get_model("partner", "Partner")

# ?per= of the page: what one row of the table is
DIMENSIONS = {
    "opd": _("OPD"),
    "penjual": _("Penjual"),
    "kecamatan": _("Kecamatan penjual"),
    "skala": _("Skala usaha"),
    "kategori": _("Kategori produk"),
    "bulan": _("Bulan"),
}
NONE_KEY = "-"  # the row of sellers without a kecamatan or scale, of lines without a category
ROW_SORTS = ("name", "amount", "orders", "share")
PURCHASE_SORTS = {
    "date": "pay.paid_on",
    "reference": "r.reference",
    "agency": "a.name",
    "seller": "pt.name",
    "amount": "o.amount",
}
TENTH = Decimal("0.1")


@dataclass(frozen=True)
class SpendRow:
    """One row of a breakdown; ``key`` is what ?kunci= takes to list its purchases."""

    key: str
    label: str
    amount: Decimal
    orders: int
    share: float | None = None  # percent of the breakdown's total
    code: str = ""  # the agency's code (opd) or the category's id (kategori)
    kecamatan: str = ""  # the seller's (penjual)
    scale: str = ""  # the seller's scale key (penjual)

    @property
    def scale_label(self) -> str:
        return row_label("skala", self.scale) if self.scale else ""


@dataclass(frozen=True)
class SpendSummary:
    """The headline figures; the averages are kept as sums and counts, so they are exact."""

    total: Decimal
    orders: int
    by_kind: dict[str, Decimal]
    approval_days: int  # approval (Jakarta date) to the order's last receipt, summed over orders
    approval_orders: int
    payment_days: int  # the order's last receipt to its payment
    payment_orders: int

    @property
    def goods(self) -> Decimal:
        return self.by_kind.get(SupplyKind.GOODS, Decimal(0))

    @property
    def services(self) -> Decimal:
        return sum((v for k, v in self.by_kind.items() if k != SupplyKind.GOODS), Decimal(0))

    @property
    def unallocated(self) -> Decimal:
        """Gross of paid orders without an accepted line to carry it (zero when the data is whole)."""
        return self.total - self.goods - self.services

    @staticmethod
    def _average(days: int, orders: int) -> Decimal | None:
        if not orders:
            return None
        exact = Fraction(days, orders)
        return (Decimal(exact.numerator) / Decimal(exact.denominator)).quantize(TENTH, ROUND_HALF_UP)

    @property
    def approval_to_receipt(self) -> Decimal | None:
        return self._average(self.approval_days, self.approval_orders)

    @property
    def receipt_to_payment(self) -> Decimal | None:
        return self._average(self.payment_days, self.payment_orders)


@dataclass(frozen=True)
class SpendPurchase:
    """One paid order behind a row: its requisition (for the trail), the amount counted and its gross."""

    payment_id: int
    reference: str
    order_number: str
    agency: str
    seller: str
    paid_on: date
    amount: Decimal
    gross: Decimal


def _table(model) -> str:
    return connection.ops.quote_name(model._meta.db_table)


def _fetch(sql: str, params: list) -> list[tuple]:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()


def _category_key(f: ReportFilter) -> str:
    """A line's row of the category breakdown: its category path cut one level below the chosen
    category (a line of the chosen category itself keeps its whole, shorter, path)."""
    length = Category.steplen * ((f.category.depth if f.category else 0) + 1)
    return f"COALESCE(substr(s.cat_path, 1, {length:d}), '{NONE_KEY}')"


def _payments(*, agencies: QuerySet, f: ReportFilter, narrow: Q) -> tuple[str, tuple]:
    """The SQL of the period's paid payments under the filter bar and ``narrow``, with the columns
    the rest of the report reads (p_id, p_order, p_req, p_agency, p_seller, p_day, p_gross)."""
    payments = paid_payments(agencies=agencies, f=f).filter(paid_on__year=f.year)
    if f.month:
        payments = payments.filter(paid_on__month=f.month)
    payments = payments.filter(narrow).order_by()
    columns = payments.values(
        p_id=F("pk"),
        p_order=F("order_id"),
        p_req=F("requisition_id"),
        p_agency=F("requisition__agency_id"),
        p_seller=F("order__seller_id"),
        p_day=F("paid_on"),
        p_gross=F("gross"),
    )
    return columns.query.sql_with_params()


def _spend_cte(
    *, agencies: QuerySet, f: ReportFilter, lines: bool, narrow: Q | None = None
) -> tuple[str, list]:
    """``WITH ... spend AS (...)``: one row per paid payment (amount = its gross), or with ``lines``
    one per accepted order line with its share of the gross, its category path and its kind."""
    pay_sql, pay_params = _payments(agencies=agencies, f=f, narrow=narrow or Q())
    if not lines:
        sql = f"""WITH pay AS ({pay_sql}), spend AS (
            SELECT p_id, p_order, p_req, p_agency, p_seller, p_day, p_gross AS amount,
                   NULL::varchar AS cat_path, NULL::varchar AS kind
            FROM pay)"""
        return sql, list(pay_params)
    mapping = settings.PEKEN_SUPPLY_KIND_BY_CATEGORY
    slugs, kinds = list(mapping), [str(kind) for kind in mapping.values()]
    category_where, category_params = "", []
    if f.category:
        category_where = "WHERE fc.path LIKE %s"
        category_params = [f.category.path + "%"]
    category, product = _table(Category), _table(Product)
    product_category = _table(ProductCategory)
    sql = f"""WITH pay AS ({pay_sql}),
        accepted AS (
            SELECT rl.order_line_id AS line_id, SUM(rl.quantity_accepted) AS quantity
            FROM {_table(GoodsReceiptLine)} rl JOIN {_table(GoodsReceipt)} g ON g.id = rl.receipt_id
            WHERE g.order_id IN (SELECT p_order FROM pay)
            GROUP BY rl.order_line_id
        ), valued AS (
            SELECT pay.*, l.id AS l_id, COALESCE(pr.parent_id, pr.id) AS l_product,
                   pr.supply_kind AS l_kind, l.unit_price_incl_tax * a.quantity AS l_value
            FROM pay JOIN {_table(Line)} l ON l.order_id = pay.p_order
            JOIN accepted a ON a.line_id = l.id
            LEFT JOIN {product} pr ON pr.id = l.product_id
            WHERE l.unit_price_incl_tax * a.quantity > 0
        ), running AS (
            SELECT valued.*,
                   SUM(l_value) OVER (PARTITION BY p_id ORDER BY l_id) AS upto,
                   SUM(l_value) OVER (PARTITION BY p_id) AS whole
            FROM valued
        ), first_category AS (
            SELECT DISTINCT ON (pc.product_id) pc.product_id, c.path
            FROM {product_category} pc JOIN {category} c ON c.id = pc.category_id
            WHERE pc.product_id IN (SELECT l_product FROM valued)
            ORDER BY pc.product_id, c.path
        ), mapped AS (
            SELECT c.id, c.path, c.is_public AND c.ancestors_are_public AS public,
                   (SELECT (%s::text[])[array_position(%s::text[], m.slug::text)]
                    FROM {category} m
                    WHERE c.path LIKE m.path || '%%' AND m.slug = ANY(%s::text[])
                    ORDER BY m.depth DESC LIMIT 1) AS kind
            FROM {category} c
        ), category_kind AS (
            SELECT DISTINCT ON (pc.product_id) pc.product_id, m.kind
            FROM {product_category} pc JOIN mapped m ON m.id = pc.category_id
            WHERE m.kind IS NOT NULL AND m.public AND pc.product_id IN (SELECT l_product FROM valued)
            ORDER BY pc.product_id, m.path
        ), spend AS (
            SELECT r.p_id, r.p_order, r.p_req, r.p_agency, r.p_seller, r.p_day,
                   div(2 * r.p_gross * r.upto + r.whole, 2 * r.whole)
                     - div(2 * r.p_gross * (r.upto - r.l_value) + r.whole, 2 * r.whole) AS amount,
                   fc.path AS cat_path,
                   COALESCE(NULLIF(r.l_kind, ''), ck.kind, %s) AS kind
            FROM running r
            LEFT JOIN first_category fc ON fc.product_id = r.l_product
            LEFT JOIN category_kind ck ON ck.product_id = r.l_product
            {category_where}
        )"""
    params = [*pay_params, kinds, slugs, slugs, str(SupplyKind.GOODS), *category_params]
    return sql, params


def _lines_needed(f: ReportFilter, per: str = "") -> bool:
    return bool(f.category) or per == "kategori"


# a cooperative first, whatever its size: the rows then add up to the total
SCALE_SQL = (
    f"CASE WHEN pt.is_cooperative THEN '{COOPERATIVE}' "
    f"ELSE COALESCE(NULLIF(pt.umkm_scale, ''), '{NONE_KEY}') END"
)


def _dimension(per: str, f: ReportFilter) -> tuple[str, str, str, str]:
    """The key, label, code and join SQL over ``spend s`` of one ?per= value."""
    partner = f"JOIN {_table(Partner)} pt ON pt.id = s.p_seller"
    if per == "opd":
        return "s.p_agency::text", "a.name", "a.code", f"JOIN {_table(Agency)} a ON a.id = s.p_agency"
    if per == "penjual":
        return "s.p_seller::text", "pt.name", "''", partner
    if per == "kecamatan":
        return f"COALESCE(NULLIF(pt.kecamatan, ''), '{NONE_KEY}')", "''", "''", partner
    if per == "skala":
        return SCALE_SQL, "''", "''", partner
    if per == "kategori":
        path = _category_key(f)
        return path, "c.name", "c.id::text", f"LEFT JOIN {_table(Category)} c ON c.path = {path}"
    if per == "bulan":
        return "EXTRACT(MONTH FROM s.p_day)::int::text", "''", "''", ""
    raise ValueError(per)


SCALE_LABELS = {**dict(UmkmScale.choices), COOPERATIVE: _("Koperasi"), NONE_KEY: _("Skala belum diisi")}


def row_label(per: str, key: str, label: str | None = None) -> str:
    """How a row of ``per`` is named: ``label`` (from the database) or a name from its key.

    Raises ValueError for a month that is not one."""
    if per == "kecamatan":
        return str(_("Tanpa kecamatan")) if key == NONE_KEY else key
    if per == "skala":
        return str(SCALE_LABELS.get(key, key))
    if per == "kategori" and key == NONE_KEY:
        return str(_("Tanpa kategori"))
    if per == "bulan":
        names = dict(MONTHS)
        if not key.isdigit() or int(key) not in names:
            raise ValueError(key)
        return str(names[int(key)])
    return label or ""


def _order(rows: list[SpendRow], *, per: str, sort: str) -> tuple[str, list[SpendRow]]:
    name = sort.lstrip("-")
    if name not in ROW_SORTS:
        sort = "name" if per == "bulan" else "-amount"
        name = sort.lstrip("-")

    def value(row: SpendRow):
        if name == "name":
            return int(row.key) if per == "bulan" else row.label.casefold()
        return getattr(row, name) if getattr(row, name) is not None else -1

    return sort, sorted(rows, key=lambda row: (value(row), row.key), reverse=sort.startswith("-"))


def spend_rows(
    *, agencies: QuerySet, f: ReportFilter, per: str, sort: str = ""
) -> tuple[str, list[SpendRow]]:
    """The period's spend under the filter bar, one row per ``per`` (a key of DIMENSIONS), sorted.

    Each row has its amount (gross, or the lines' shares with a category), the paid orders behind
    it and its percent of the rows' total; the rows add up to spend_summary's total. By month,
    every month of the period is listed. One query.
    """
    if per not in DIMENSIONS:
        raise ValueError(per)
    cte, params = _spend_cte(agencies=agencies, f=f, lines=_lines_needed(f, per))
    key, label, code, join = _dimension(per, f)
    seller = "pt.kecamatan, " + SCALE_SQL if per == "penjual" else "'', ''"
    sql = f"""{cte}
        SELECT {key} AS key, {label} AS label, {code} AS code, {seller},
               SUM(s.amount), COUNT(DISTINCT s.p_id)
        FROM spend s {join}
        GROUP BY 1, 2, 3, 4, 5"""
    found = {row[0]: row for row in _fetch(sql, params)}
    if per == "bulan":
        for month in [f.month] if f.month else range(1, 13):
            found.setdefault(str(month), (str(month), "", "", "", "", Decimal(0), 0))
    total = sum((row[5] for row in found.values()), Decimal(0))
    rows = [
        SpendRow(
            key=k,
            label=row_label(per, k, name),
            amount=amount,
            orders=orders,
            share=float(amount) * 100.0 / float(total) if total else None,
            code=code or "",
            kecamatan=kecamatan or "",
            scale=scale or "",
        )
        for k, name, code, kecamatan, scale, amount, orders in found.values()
    ]
    return _order(rows, per=per, sort=sort)


def spend_summary(*, agencies: QuerySet, f: ReportFilter) -> SpendSummary:
    """Total spend, paid orders, goods and services, and the days from approval to receipt and from
    receipt to payment (over the period's paid orders with a receipt). Two queries."""
    lines = _lines_needed(f)
    cte, params = _spend_cte(agencies=agencies, f=f, lines=lines)
    zone = settings.TIME_ZONE
    sql = f"""{cte}, per_order AS (
            SELECT p_id, p_order, p_req, p_day, SUM(amount) AS amount FROM spend
            GROUP BY p_id, p_order, p_req, p_day
        )
        SELECT COALESCE(SUM(o.amount), 0), COUNT(*),
               COALESCE(SUM(rc.last - (r.date_decided AT TIME ZONE %s)::date), 0),
               COUNT(rc.last - (r.date_decided AT TIME ZONE %s)::date),
               COALESCE(SUM(o.p_day - rc.last), 0), COUNT(o.p_day - rc.last)
        FROM per_order o JOIN {_table(Requisition)} r ON r.id = o.p_req
        LEFT JOIN LATERAL (
            SELECT MAX(g.received_on) AS last FROM {_table(GoodsReceipt)} g WHERE g.order_id = o.p_order
        ) rc ON TRUE"""
    ((total, orders, approval_days, approval_orders, payment_days, payment_orders),) = _fetch(
        sql, [*params, zone, zone]
    )
    kinds_cte, kinds_params = (cte, params) if lines else _spend_cte(agencies=agencies, f=f, lines=True)
    by_kind = dict(_fetch(f"{kinds_cte} SELECT kind, SUM(amount) FROM spend GROUP BY kind", kinds_params))
    return SpendSummary(
        total=total,
        orders=orders,
        by_kind=by_kind,
        approval_days=approval_days,
        approval_orders=approval_orders,
        payment_days=payment_days,
        payment_orders=payment_orders,
    )


# --- the purchases behind one row ---


def _narrow(per: str, key: str) -> Q:
    """The payments of one row of ``per`` (not kategori: that is a condition on the lines).

    Raises ValueError for a key that cannot be one of that breakdown's.
    """
    if per == "opd":
        return Q(requisition__agency_id=int(key))
    if per == "penjual":
        return Q(order__seller_id=int(key))
    if per == "kecamatan":
        return Q(order__seller__kecamatan="" if key == NONE_KEY else key)
    if per == "skala":
        if key == COOPERATIVE:
            return Q(order__seller__is_cooperative=True)
        if key != NONE_KEY and key not in UmkmScale.values:
            raise ValueError(key)
        scale = "" if key == NONE_KEY else key
        return Q(order__seller__is_cooperative=False, order__seller__umkm_scale=scale)
    if per == "bulan":
        month = int(key)
        if not 1 <= month <= 12:
            raise ValueError(key)
        return Q(paid_on__month=month)
    raise ValueError(per)


class PurchaseRows:
    """The paid orders behind one row, sorted, for a Paginator: count() and slices run SQL (one query each).

    ``total`` (after count()) is the sum of their amounts: the row's amount.
    """

    def __init__(self, *, cte: str, params: list, where: str, where_params: list, order: str):
        self._cte, self._params = cte, params
        self._where, self._where_params, self._order = where, where_params, order
        self._count: int | None = None
        self.total = Decimal(0)

    def _per_order(self) -> tuple[str, list]:
        sql = f"""{self._cte}, per_order AS (
            SELECT s.p_id, SUM(s.amount) AS amount FROM spend s {self._where} GROUP BY s.p_id
        )"""
        return sql, [*self._params, *self._where_params]

    def count(self) -> int:
        if self._count is None:
            sql, params = self._per_order()
            ((self._count, self.total),) = _fetch(
                f"{sql} SELECT COUNT(*), COALESCE(SUM(amount), 0) FROM per_order", params
            )
        return self._count

    def __len__(self) -> int:
        return self.count()

    def __getitem__(self, window: slice) -> list[SpendPurchase]:
        sql, params = self._per_order()
        rows = _fetch(
            f"""{sql}
            SELECT o.p_id, r.reference, ord.number, a.name, pt.name, pay.paid_on, o.amount, pay.gross
            FROM per_order o
            JOIN {_table(OfficialPayment)} pay ON pay.id = o.p_id
            JOIN {_table(Requisition)} r ON r.id = pay.requisition_id
            JOIN {_table(Agency)} a ON a.id = r.agency_id
            JOIN {_table(Order)} ord ON ord.id = pay.order_id
            JOIN {_table(Partner)} pt ON pt.id = ord.seller_id
            ORDER BY {self._order}, o.p_id
            LIMIT %s OFFSET %s""",
            [*params, window.stop - window.start, window.start],
        )
        return [SpendPurchase(*row) for row in rows]


def spend_purchases(
    *, agencies: QuerySet, f: ReportFilter, per: str = "", key: str = "", sort: str = ""
) -> tuple[str, PurchaseRows]:
    """The paid orders behind the row ``key`` of the breakdown ``per`` (all of the period's without
    ``per``), each with the amount it adds to that row. Raises ValueError for an unknown row."""
    where, where_params, narrow = "", [], Q()
    if per == "kategori":
        where, where_params = f"WHERE {_category_key(f)} = %s", [key]
    elif per:
        narrow = _narrow(per, key)
    cte, params = _spend_cte(agencies=agencies, f=f, lines=_lines_needed(f, per), narrow=narrow)
    name = sort.lstrip("-")
    if name not in PURCHASE_SORTS:
        sort, name = "-date", "date"
    order = f"{PURCHASE_SORTS[name]} {'DESC' if sort.startswith('-') else 'ASC'}"
    return sort, PurchaseRows(cte=cte, params=params, where=where, where_params=where_params, order=order)
