"""Reads of the spending reports; every figure is summed in the database, a constant number of queries.

Budget realisation reads the budget lines' own ceiling, committed and realised (kept by
procurement.services.budgets) and, per month, the gross of paid official payments. The UMKM
share is the gross of paid official payments to micro and small businesses and cooperatives
(medium ones do not count) over the gross of all paid official payments.

The paid payments are read from reports.models.PaidPayment, their copy with the requisition's
agency, unit and budget line and the order's seller on the row, which triggers keep in the same
transaction as every payment: the same figures as the payments themselves, without joining each
to its requisition and order (100,000 requisitions: bench/RESULTS.md).
"""

from dataclasses import dataclass
from decimal import Decimal

from django.conf import settings
from django.db.models import (
    Case,
    DecimalField,
    F,
    FloatField,
    IntegerField,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Sum,
    Value,
    When,
)
from django.db.models.functions import Cast, Coalesce, NullIf, TruncMonth
from django.utils import timezone

from procurement.models import Agency, BudgetLine, OfficialPayment, Requisition
from procurement.statuses import OfficialPaymentStatus
from reports.forms import COOPERATIVE, MONTHS, ReportFilter
from reports.models import PaidPayment, ReportExport
from sellers.abstract_models import UmkmScale

MONEY = DecimalField(max_digits=17, decimal_places=0)
ZERO = Value(Decimal(0), output_field=MONEY)
UMKM_SCALES = (UmkmScale.MICRO, UmkmScale.SMALL)
NAMES = dict(MONTHS)


def _sum(field: str, filter: Q | None = None) -> Coalesce:  # noqa: A002 (as Sum names it)
    return Coalesce(Sum(field, filter=filter), ZERO, output_field=MONEY)


def _percent(part, whole) -> Cast:
    # NULL (shown as "-") where there is nothing to divide by
    return Cast(part, FloatField()) * 100.0 / NullIf(Cast(whole, FloatField()), 0.0)


def sort_key(sort: str, allowed: dict[str, str], default: str) -> tuple[str, list[str]]:
    """The ?sort= value if known ("-name" descending) and its ORDER BY; else ``default``."""
    name = sort.lstrip("-")
    if name not in allowed:
        sort, name = default, default.lstrip("-")
    field = allowed[name]
    if sort.startswith("-"):
        return sort, [F(field).desc(nulls_last=True), "pk"]
    return sort, [F(field).asc(nulls_last=True), "pk"]


def _seller_q(f: ReportFilter, prefix: str) -> Q:
    """The filter bar's seller conditions on a path to the order's seller (``prefix`` ends in "seller__")."""
    q = Q()
    if f.kecamatan:
        q &= Q(**{f"{prefix}kecamatan": f.kecamatan})
    if f.scale == COOPERATIVE:
        q &= Q(**{f"{prefix}is_cooperative": True})
    elif f.scale:
        q &= Q(**{f"{prefix}umkm_scale": f.scale})
    return q


def umkm_q(prefix: str = "order__seller__") -> Q:
    """A seller that counts towards the UMKM share: micro or small, or a cooperative."""
    return Q(**{f"{prefix}umkm_scale__in": UMKM_SCALES}) | Q(**{f"{prefix}is_cooperative": True})


def paid_payments(*, agencies: QuerySet, f: ReportFilter) -> QuerySet:
    """Paid official payments of ``agencies`` under the filter bar (agency, unit, seller), any year."""
    payments = OfficialPayment.objects.filter(
        status=OfficialPaymentStatus.PAID, requisition__agency__in=agencies.values("pk")
    )
    if f.agency:
        payments = payments.filter(requisition__agency=f.agency)
    if f.unit:
        payments = payments.filter(requisition__unit=f.unit)
    return payments.filter(_seller_q(f, "order__seller__"))


def paid_rows(*, agencies: QuerySet, f: ReportFilter) -> QuerySet:
    """``paid_payments`` as PaidPayment rows (the same payments, their agency and seller on the row)."""
    rows = PaidPayment.objects.filter(agency__in=agencies.values("pk"))
    if f.agency:
        rows = rows.filter(agency=f.agency)
    if f.unit:
        rows = rows.filter(unit=f.unit)
    return rows.filter(_seller_q(f, "seller__"))


# --- budget realisation ---

REALISATION_SORTS = {
    "name": "name",
    "paid": "paid",
    "ceiling": "ceiling",
    "committed": "committed",
    "realised": "realised",
    "available": "available",
    "percent": "percent",
}
# a budget line has its own ``available`` (a property), so its annotation is named apart
LINE_SORTS = {
    **REALISATION_SORTS,
    "name": "account_code",
    "sub_activity": "sub_activity",
    "available": "remaining",
}
PURCHASE_SORTS = {
    "reference": "reference",
    "date": "date_decided",
    "total": "total",
    "committed": "committed",
    "realised": "realised",
}


def paid_in_period(*, agencies: QuerySet, f: ReportFilter, outer: str) -> Coalesce:
    """The gross paid against the year's lines in the period (the month, else the year), to the
    filter bar's sellers and unit, for the row ``outer`` names (a subquery: summing it beside the
    budget lines in one join would count each payment once per line).

    ``outer`` is "agency", "budget_line" or "unit" (also spelt as from a payment,
    "requisition__agency"): each is on the summary row, so the subquery reads one index range.
    """
    outer = outer.removeprefix("requisition__")
    payments = paid_rows(agencies=agencies, f=f).filter(
        budget_line__fiscal_year=f.year, paid_on__year=f.year, **{outer: OuterRef("pk")}
    )
    if f.month:
        payments = payments.filter(paid_on__month=f.month)
    total = payments.order_by().values(outer).annotate(total=Sum("gross")).values("total")
    return Coalesce(Subquery(total, output_field=MONEY), ZERO, output_field=MONEY)


def realisation_agencies(*, agencies: QuerySet, f: ReportFilter, sort: str = "") -> tuple[str, QuerySet]:
    """Each readable agency with its lines' ceiling, committed, realised, available and percent of a
    year, and what was paid in the period under the filter bar."""
    rows = Agency.objects.filter(pk__in=agencies.values("pk"))
    if f.agency:
        rows = rows.filter(pk=f.agency.pk)
    # each sum a subquery of its own agency's lines: no join of agencies to lines and payments,
    # whose rows the "paid" subquery would otherwise run once for each
    lines = BudgetLine.objects.filter(agency=OuterRef("pk"), fiscal_year=f.year).order_by().values("agency")

    def line_sum(field: str) -> Coalesce:
        total = lines.annotate(total=Sum(field)).values("total")
        return Coalesce(Subquery(total, output_field=MONEY), ZERO, output_field=MONEY)

    rows = rows.annotate(
        ceiling=line_sum("ceiling"),
        committed=line_sum("committed"),
        realised=line_sum("realised"),
    ).annotate(
        paid=paid_in_period(agencies=agencies, f=f, outer="agency"),
        available=F("ceiling") - F("committed") - F("realised"),
        percent=_percent(F("realised"), F("ceiling")),
    )
    sort, order = sort_key(sort, REALISATION_SORTS, "name")
    return sort, rows.order_by(*order)


def realisation_lines(*, agency: Agency, f: ReportFilter, sort: str = "") -> tuple[str, QuerySet]:
    """``agency``'s budget lines of the year with available, percent realised and paid in the period."""
    one = Agency.objects.filter(pk=agency.pk)
    rows = BudgetLine.objects.filter(agency=agency, fiscal_year=f.year).annotate(
        paid=paid_in_period(agencies=one, f=f, outer="budget_line"),
        remaining=F("ceiling") - F("committed") - F("realised"),
        percent=_percent(F("realised"), F("ceiling")),
    )
    sort, order = sort_key(sort, LINE_SORTS, "sub_activity")
    return sort, rows.order_by(*order)


def realisation_totals(*, rows: QuerySet) -> dict[str, Decimal]:
    """Ceiling, committed, realised, available and percent over ``rows`` (one query)."""
    totals = rows.order_by().aggregate(
        t_ceiling=Coalesce(Sum("ceiling"), ZERO, output_field=MONEY),
        t_committed=Coalesce(Sum("committed"), ZERO, output_field=MONEY),
        t_realised=Coalesce(Sum("realised"), ZERO, output_field=MONEY),
    )
    result = {name[2:]: value for name, value in totals.items()}
    result["available"] = result["ceiling"] - result["committed"] - result["realised"]
    result["percent"] = (
        float(result["realised"]) * 100.0 / float(result["ceiling"]) if result["ceiling"] else None
    )
    return result


def line_purchases(*, line: BudgetLine, f: ReportFilter, sort: str = "") -> tuple[str, QuerySet]:
    """The requisitions charged to ``line`` with what their commitment still holds and has realised."""
    rows = Requisition.objects.filter(budget_line=line, commitment__isnull=False)
    if f.unit:
        rows = rows.filter(unit=f.unit)
    rows = rows.annotate(
        committed=F("commitment__amount"), realised=F("commitment__realised")
    ).select_related("unit")
    sort, order = sort_key(sort, PURCHASE_SORTS, "-date")
    return sort, rows.order_by(*order)


def realised_by_month(*, agencies: QuerySet, f: ReportFilter, line: BudgetLine | None = None) -> list:
    """(month 1..12, gross paid that month) against the year's budget lines, every month listed."""
    payments = paid_rows(agencies=agencies, f=f).filter(budget_line__fiscal_year=f.year)
    if line is not None:
        payments = payments.filter(budget_line=line)
    sums = {
        row["month"].month: row["total"]
        for row in payments.annotate(month=TruncMonth("paid_on"))
        .order_by()
        .values("month")
        .annotate(total=Sum("gross"))
        if row["month"].year == f.year
    }
    return [(month, sums.get(month, Decimal(0))) for month in range(1, 13)]


# --- UMKM share against the target ---


def umkm_target() -> int:
    return settings.PEKEN_UMKM_SHARE_TARGET_PERCENT


@dataclass(frozen=True)
class ShareRow:
    label: str
    umkm: Decimal
    total: Decimal

    @property
    def percent(self) -> float | None:
        return float(self.umkm) * 100.0 / float(self.total) if self.total else None

    @property
    def below(self) -> bool:
        return self.percent is not None and self.percent < umkm_target()


def _year_q(f: ReportFilter, prefix: str) -> Q:
    # year to date: up to the chosen month, else the whole year
    q = Q(**{f"{prefix}paid_on__year": f.year})
    if f.month:
        q &= Q(**{f"{prefix}paid_on__month__lte": f.month})
    return q


def umkm_share_agencies(*, agencies: QuerySet, f: ReportFilter) -> QuerySet:
    """Each readable agency's UMKM and total paid gross, for the month and year to date.

    Agencies below the target come first (lowest share first), then the others, then those
    that paid nothing in the period.
    """
    # one pass over the agencies' paid rows, grouped by agency
    path = "paid_payments__"
    paid = _seller_q(f, f"{path}seller__")
    if f.unit:
        paid &= Q(**{f"{path}unit": f.unit})
    umkm = umkm_q(f"{path}seller__")
    ytd = paid & _year_q(f, path)
    month = ytd & Q(**{f"{path}paid_on__month": f.month or 0})
    rows = Agency.objects.filter(pk__in=agencies.values("pk"))
    if f.agency:
        rows = rows.filter(pk=f.agency.pk)
    rows = rows.annotate(
        ytd_total=_sum(f"{path}gross", filter=ytd),
        ytd_umkm=_sum(f"{path}gross", filter=ytd & umkm),
        month_total=_sum(f"{path}gross", filter=month),
        month_umkm=_sum(f"{path}gross", filter=month & umkm),
    ).annotate(ytd_percent=_percent(F("ytd_umkm"), F("ytd_total")))
    rank = Case(
        When(ytd_percent__lt=umkm_target(), then=Value(0)),
        When(ytd_percent__isnull=True, then=Value(2)),
        default=Value(1),
        output_field=IntegerField(),
    )
    return rows.annotate(rank=rank).order_by("rank", "ytd_percent", "name", "pk")


def umkm_share_city(*, agencies: QuerySet, f: ReportFilter) -> dict:
    """The city's (readable agencies') UMKM share: per month of the year and year to date (one query).

    The year to date is the months up to the chosen one (all twelve without one) added up.
    """
    payments = paid_rows(agencies=agencies, f=f).filter(paid_on__year=f.year)
    by_month = {
        row["month"].month: ShareRow(
            label=str(NAMES[row["month"].month]), umkm=row["umkm"], total=row["total"]
        )
        for row in payments.annotate(month=TruncMonth("paid_on"))
        .order_by()
        .values("month")
        .annotate(total=Sum("gross"), umkm=_sum("gross", filter=umkm_q("seller__")))
    }
    months = [
        by_month.get(m, ShareRow(label=str(NAMES[m]), umkm=Decimal(0), total=Decimal(0)))
        for m in range(1, 13)
    ]
    upto = months[: f.month] if f.month else months
    ytd = ShareRow(
        label="",
        umkm=sum((m.umkm for m in upto), Decimal(0)),
        total=sum((m.total for m in upto), Decimal(0)),
    )
    return {"months": months, "ytd": ytd}


# --- a person's large exports


def exports_of(*, user) -> QuerySet:
    """``user``'s own report exports that have not expired, newest first (nobody else's, ever)."""
    return ReportExport.objects.filter(requested_by=user, expires_at__gt=timezone.now()).order_by(
        "-date_created", "-pk"
    )
