"""Spend of official purchases: by agency, seller, the seller's kecamatan, UMKM scale, product category
and month; goods against services; days from approval to receipt and from receipt to payment.

Spend is what treasurers paid: OfficialPayment rows in status PAID, their gross (the seller's
invoice with its PPN and PBJT, what the budget line realises), dated by paid_on (the year and
month of the filter bar are paid_on's). One paid payment is one paid order of one seller.

The report reads its own split of the paid payments (reports.services.spend_shares_split), written
once per payment since a paid payment never changes: a SpendPayment row (the payment's agency,
unit, seller, date and gross, its approval and last handover dates, its gross by kind) and one
SpendShare per accepted order line. A share is the line's part of the gross in proportion to
what was accepted of it (unit price x quantity accepted, the price the tax engine was given), by
cumulative rounding in line order, so the shares are whole rupiah and add up to each payment's
gross: the category and goods/services figures reconcile with the total to the rupiah, the
invoice's taxes riding along in proportion to price. The filter bar's agency, unit and seller
conditions are reports.selectors.paid_payments', on the copied columns. With a category chosen,
every figure of the report is the shares of that category's lines. The pages split what is new
before they read, so a payment shows at once; ``unallocated`` names paid gross without shares
(an order with nothing accepted, which the treasury services do not pay).

A line's category is its product's first category by path (a variant's: its parent's), the
breakdown showing the level below the chosen category (top-level categories without one). Its
kind is catalogue_ext.selectors.product_supply_kind's, as the tax engine reads it. Both are kept
as they stood when the payment was split; the category's place in the tree is read live.

The scale breakdown counts a cooperative as a cooperative whatever its size and every other seller
by its UMKM scale (or "not stated"), so its rows add up to the total. The filter bar's scale
narrows by the recorded scale alone, as in the other reports.

Pure reads in PostgreSQL: the payments and shares are selected by the ORM (the filter bar), grouped
in SQL around that; each read is a fixed number of queries whatever the number of rows.
"""

from dataclasses import dataclass
from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction

from django.db import connection
from django.db.models import F, Q, QuerySet
from django.utils.translation import gettext_lazy as _
from oscar.core.loading import get_model

from catalogue_ext.abstract_models import SupplyKind
from procurement.models import Agency, OfficialPayment, Requisition
from reports.forms import COOPERATIVE, MONTHS, ReportFilter
from reports.models import SpendPayment, SpendShare
from reports.selectors import _seller_q
from sellers.abstract_models import UmkmScale

Category = get_model("catalogue", "Category")
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
    "date": "p_day",
    "reference": "reference",
    "agency": "agency",
    "seller": "seller",
    "amount": "amount",
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
    subcategories: bool = False  # the category has some (kategori): its row can be broken down

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


def _period(rows: QuerySet, f: ReportFilter) -> QuerySet:
    rows = rows.filter(paid_on__year=f.year)
    return rows.filter(paid_on__month=f.month) if f.month else rows


def _filtered(model, *, agencies: QuerySet, f: ReportFilter, row: tuple[str, str] | None) -> QuerySet:
    """``model``'s rows (SpendPayment or SpendShare) of the period under the filter bar, the same
    conditions as reports.selectors.paid_payments on the payment's copied agency, unit and seller;
    and of one ``row`` (per, key) of a breakdown other than kategori."""
    rows = _period(model.objects.filter(agency__in=agencies.values("pk")), f)
    if f.agency:
        rows = rows.filter(agency=f.agency)
    if f.unit:
        rows = rows.filter(unit=f.unit)
    rows = rows.filter(_seller_q(f, "seller__"))
    if row:
        rows = rows.filter(_narrow(*row))
    return rows.order_by()


def _spend_cte(
    *, agencies: QuerySet, f: ReportFilter, lines: bool, row: tuple[str, str] | None = None
) -> tuple[str, list]:
    """``WITH ... spend AS (p_id, p_agency, p_seller, p_day, amount, cat_path, kind)``: the period's
    paid payments under the filter bar (and ``row``), one row each with its gross; or with
    ``lines`` their shares, one row per line with its category's path (of the chosen category's
    subtree only) and its kind."""
    columns = {"p_id": F("payment_id"), "p_agency": F("agency_id"), "p_seller": F("seller_id")}
    if not lines:
        payments = _filtered(SpendPayment, agencies=agencies, f=f, row=row)
        pay_sql, pay_params = payments.values(
            **columns, p_day=F("paid_on"), p_gross=F("gross")
        ).query.sql_with_params()
        sql = f"""WITH spend AS (
            SELECT p_id, p_agency, p_seller, p_day, p_gross AS amount,
                   NULL::varchar AS cat_path, NULL::varchar AS kind
            FROM ({pay_sql}) pay)"""
        return sql, list(pay_params)
    shares = _filtered(SpendShare, agencies=agencies, f=f, row=row).values(
        **columns, p_day=F("paid_on"), s_amount=F("amount"), s_category=F("category_id"), s_kind=F("kind")
    )
    share_sql, share_params = shares.query.sql_with_params()
    where, params = "", list(share_params)
    if f.category:
        where = "WHERE c.path LIKE %s"
        params.append(f.category.path + "%")
    sql = f"""WITH spend AS (
        SELECT sh.p_id, sh.p_agency, sh.p_seller, sh.p_day, sh.s_amount AS amount,
               c.path AS cat_path, sh.s_kind AS kind
        FROM ({share_sql}) sh LEFT JOIN {_table(Category)} c ON c.id = sh.s_category
        {where})"""
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
    children = "COALESCE(c.numchild, 0) > 0" if per == "kategori" else "FALSE"
    sql = f"""{cte}
        SELECT {key} AS key, {label} AS label, {code} AS code, {seller}, {children},
               SUM(s.amount), COUNT(DISTINCT s.p_id)
        FROM spend s {join}
        GROUP BY 1, 2, 3, 4, 5, 6"""
    found = {row[0]: row for row in _fetch(sql, params)}
    if per == "bulan":
        for month in [f.month] if f.month else range(1, 13):
            found.setdefault(str(month), (str(month), "", "", "", "", False, Decimal(0), 0))
    total = sum((row[6] for row in found.values()), Decimal(0))
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
            subcategories=children,
        )
        for k, name, code, kecamatan, scale, children, amount, orders in found.values()
    ]
    return _order(rows, per=per, sort=sort)


KIND_COLUMNS = {
    SupplyKind.GOODS: "goods",
    SupplyKind.CATERING: "catering",
    SupplyKind.PRINTING: "printing",
    SupplyKind.OTHER_SERVICE: "other_service",
}
DAYS = """COALESCE(SUM(d.received_on - d.approved_on), 0), COUNT(d.received_on - d.approved_on),
          COALESCE(SUM(d.paid_on - d.received_on), 0), COUNT(d.paid_on - d.received_on)"""


def spend_summary(*, agencies: QuerySet, f: ReportFilter) -> SpendSummary:
    """Total spend, paid orders, goods and services, and the days from approval to receipt and from
    receipt to payment (over the period's paid orders with a receipt). One query; two with a
    category (whose figures are its lines' shares)."""
    if not f.category:
        payments = _filtered(SpendPayment, agencies=agencies, f=f, row=None)
        pay_sql, params = payments.values(
            "gross", "paid_on", "approved_on", "received_on", *KIND_COLUMNS.values()
        ).query.sql_with_params()
        kinds = ", ".join(f"COALESCE(SUM(d.{column}), 0)" for column in KIND_COLUMNS.values())
        ((total, orders, *figures),) = _fetch(
            f"SELECT COALESCE(SUM(d.gross), 0), COUNT(*), {DAYS}, {kinds} FROM ({pay_sql}) d", params
        )
        days, by_kind = figures[:4], dict(zip(KIND_COLUMNS, figures[4:], strict=True))
    else:
        cte, params = _spend_cte(agencies=agencies, f=f, lines=True)
        ((total, orders, *days),) = _fetch(
            f"""{cte}, per_order AS (SELECT p_id, SUM(amount) AS amount FROM spend GROUP BY p_id)
            SELECT COALESCE(SUM(o.amount), 0), COUNT(*), {DAYS}
            FROM per_order o JOIN {_table(SpendPayment)} d ON d.payment_id = o.p_id""",
            params,
        )
        by_kind = dict(_fetch(f"{cte} SELECT kind, SUM(amount) FROM spend GROUP BY kind", params))
    approval_days, approval_orders, payment_days, payment_orders = days
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
    """The summary rows of one row ``key`` of ``per`` (not kategori: that is a condition on the
    category's path). Raises ValueError for a key that cannot be one of that breakdown's."""
    if per == "opd":
        return Q(agency_id=int(key))
    if per == "penjual":
        return Q(seller_id=int(key))
    if per == "kecamatan":
        return Q(seller__kecamatan="" if key == NONE_KEY else key)
    if per == "skala":
        if key == COOPERATIVE:
            return Q(seller__is_cooperative=True)
        if key != NONE_KEY and key not in UmkmScale.values:
            raise ValueError(key)
        return Q(seller__is_cooperative=False, seller__umkm_scale="" if key == NONE_KEY else key)
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

    def __init__(self, *, cte: str, params: list, where: str, where_params: list, sort: str):
        self._cte, self._params = cte, params
        self._where, self._where_params = where, where_params
        name = sort.lstrip("-")
        self._order = f"{PURCHASE_SORTS[name]} {'DESC' if sort.startswith('-') else 'ASC'}, p_id"
        self._by_reference = name == "reference"
        self._count: int | None = None
        self.total = Decimal(0)

    def _per_order(self) -> tuple[str, list]:
        sql = f"""{self._cte}, per_order AS (
            SELECT s.p_id, s.p_agency, s.p_seller, s.p_day, SUM(s.amount) AS amount
            FROM spend s {self._where} GROUP BY s.p_id, s.p_agency, s.p_seller, s.p_day
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
        # the page is chosen before the requisition and order are joined, unless sorted by reference
        sql, params = self._per_order()
        payment, requisition = _table(OfficialPayment), _table(Requisition)
        by_reference = (
            f"JOIN {payment} rp ON rp.id = o.p_id JOIN {requisition} rr ON rr.id = rp.requisition_id"
            if self._by_reference
            else ""
        )
        reference = "rr.reference" if self._by_reference else "''"
        rows = _fetch(
            f"""{sql}, page AS (
                SELECT o.p_id, o.p_day, o.amount, a.name AS agency, pt.name AS seller,
                       {reference} AS reference
                FROM per_order o
                JOIN {_table(Agency)} a ON a.id = o.p_agency
                JOIN {_table(Partner)} pt ON pt.id = o.p_seller
                {by_reference}
                ORDER BY {self._order}
                LIMIT %s OFFSET %s
            )
            SELECT page.p_id, r.reference, ord.number, page.agency, page.seller, page.p_day, page.amount,
                   pay.gross
            FROM page
            JOIN {payment} pay ON pay.id = page.p_id
            JOIN {requisition} r ON r.id = pay.requisition_id
            JOIN {_table(Order)} ord ON ord.id = pay.order_id
            ORDER BY {self._order}""",
            [*params, window.stop - window.start, window.start],
        )
        return [SpendPurchase(*row) for row in rows]


def spend_purchases(
    *, agencies: QuerySet, f: ReportFilter, per: str = "", key: str = "", sort: str = ""
) -> tuple[str, PurchaseRows]:
    """The paid orders behind the row ``key`` of the breakdown ``per`` (all of the period's without
    ``per``), each with the amount it adds to that row. Raises ValueError for an unknown row."""
    where, where_params, row = "", [], None
    if per == "kategori":
        where, where_params = f"WHERE {_category_key(f)} = %s", [key]
    elif per:
        row = (per, key)
    cte, params = _spend_cte(agencies=agencies, f=f, lines=_lines_needed(f, per), row=row)
    if sort.lstrip("-") not in PURCHASE_SORTS:
        sort = "-date"
    return sort, PurchaseRows(cte=cte, params=params, where=where, where_params=where_params, sort=sort)
