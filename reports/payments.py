"""Payments and taxes of official purchases: each paid payment with the taxes withheld on it, their
totals per kind, and whether each month's taxes were deposited.

The payments are the spending reports' (reports.selectors.paid_payments: paid, of the readable
agencies, narrowed by the filter bar's agency, unit and seller) dated by their payment date in the
period. A withholding (PPh 22, PPh 23, PP 55 final tax, or PPN the treasurer collects) belongs to
its payment's month, as the deposit page and the reconciliation read it (procurement.selectors_spj);
it is deposited once it names its TaxDeposit, and a month that has ended with some of it still
undeposited is overdue (selectors_spj.Period.ended: the reconciliation's "withheld but not
deposited"). Every sum is made by the database, in a fixed number of queries.
"""

from collections import defaultdict
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from django.db.models import Count, Q, QuerySet, Sum
from django.db.models.functions import Coalesce, ExtractMonth

from procurement.models import TaxWithholding
from procurement.selectors_spj import Period
from procurement.tax import TaxKind
from reports.forms import MONTHS, ReportFilter
from reports.selectors import MONEY, ZERO, paid_payments, sort_key

TAXES = tuple(TaxKind.values)  # the columns' order, as the treasurer's deposit page lists the kinds
NAMES = dict(MONTHS)
PAYMENT_SORTS = {
    "date": "paid_on",
    "agency": "requisition__agency__name",
    "seller": "order__seller__name",
    "gross": "gross",
    "withheld": "withheld",
    "net": "net",
}


def _sum(field: str, filter: Q | None = None) -> Coalesce:  # noqa: A002 (as Sum names it)
    return Coalesce(Sum(field, filter=filter), ZERO, output_field=MONEY)


def period_payments(*, agencies: QuerySet, f: ReportFilter) -> QuerySet:
    """The paid payments of the report: the filter bar's, dated in its month, else its year."""
    payments = paid_payments(agencies=agencies, f=f).filter(paid_on__year=f.year)
    if f.month:
        payments = payments.filter(paid_on__month=f.month)
    return payments


def payment_rows(*, agencies: QuerySet, f: ReportFilter, sort: str = "") -> tuple[str, QuerySet]:
    """Each payment of the report with its agency, order, requisition and seller (taxes: payment_taxes)."""
    rows = period_payments(agencies=agencies, f=f).select_related("order__seller", "requisition__agency")
    sort, order = sort_key(sort, PAYMENT_SORTS, "date")
    return sort, rows.order_by(*order)


def payment_taxes(*, payments) -> dict[int, dict[str, Decimal]]:
    """What was withheld of each kind on each of ``payments`` (a page of them), summed; one query.

    Apart from the page's rows: summed beside every payment, each page would first sum every
    earlier one (an OFFSET still computes the rows it skips).
    """
    rows = (
        TaxWithholding.objects.filter(payment__in=[p.pk for p in payments])
        .order_by()
        .values("payment_id", "tax")
        .annotate(total=Sum("amount"))
    )
    found: dict[int, dict[str, Decimal]] = defaultdict(dict)
    for row in rows:
        found[row["payment_id"]][row["tax"]] = row["total"]
    return found


EXPORT_FIELDS = (
    "paid_on",
    "requisition__agency__name",
    "order__number",
    "requisition__reference",
    "order__seller__name",
    "method",
    "gross",
    *[f"tax_{tax}" for tax in TAXES],
    "withheld",
    "net",
)


def payment_table(*, agencies: QuerySet, f: ReportFilter) -> QuerySet:
    """Every payment of the report as a tuple of EXPORT_FIELDS, by date: the export's rows.

    The taxes are summed in the same pass over payments and their withholdings (one query,
    grouped by payment), not in a subquery per payment and kind.
    """
    withheld = {f"tax_{tax}": _sum("withholdings__amount", filter=Q(withholdings__tax=tax)) for tax in TAXES}
    rows = period_payments(agencies=agencies, f=f).annotate(**withheld).order_by("paid_on", "pk")
    return rows.values_list(*EXPORT_FIELDS)


def payment_totals(*, agencies: QuerySet, f: ReportFilter) -> dict:
    """How many payments, and their gross, withheld and net, summed (one query)."""
    return period_payments(agencies=agencies, f=f).aggregate(
        count=Count("pk"), gross=_sum("gross"), withheld=_sum("withheld"), net=_sum("net")
    )


@dataclass(frozen=True)
class TaxMonth:
    """One tax kind of one month, over the agencies in the report."""

    year: int
    month: int
    tax: str
    withheld: Decimal
    deposited: Decimal
    deposits: int  # how many deposits (NTPN) cover it
    open_agencies: int  # how many agencies still have some of it to deposit
    today: date

    @property
    def label(self) -> str:
        return str(NAMES[self.month])

    @property
    def tax_label(self) -> str:
        return str(TaxKind(self.tax).label)

    @property
    def outstanding(self) -> Decimal:
        return self.withheld - self.deposited

    @property
    def status(self) -> str:
        """ "deposited" (nothing left), "partial" or "open" (nothing deposited yet)."""
        if self.outstanding <= 0:
            return "deposited"
        return "partial" if self.deposited else "open"

    @property
    def overdue(self) -> bool:
        return self.outstanding > 0 and Period(self.year, self.month).ended(today=self.today)


@dataclass(frozen=True)
class TaxTotal:
    tax: str
    withheld: Decimal
    deposited: Decimal

    @property
    def label(self) -> str:
        return str(TaxKind(self.tax).label)

    @property
    def outstanding(self) -> Decimal:
        return self.withheld - self.deposited


def tax_months(*, agencies: QuerySet, f: ReportFilter, today: date) -> list[TaxMonth]:
    """Each month and tax kind withheld on the report's payments: withheld, deposited, what is left.

    By month, then in TAXES' order; a kind with nothing withheld in a month is left out. One query.
    """
    payments = period_payments(agencies=agencies, f=f)
    undeposited = Q(deposit__isnull=True, amount__gt=0)
    rows = (
        TaxWithholding.objects.filter(payment__in=payments.values("pk"))
        .annotate(month=ExtractMonth("payment__paid_on"))
        .order_by()
        .values("month", "tax")
        .annotate(
            withheld=_sum("amount"),
            deposited=_sum("amount", filter=Q(deposit__isnull=False)),
            deposits=Count("deposit", distinct=True),
            open_agencies=Count("agency", distinct=True, filter=undeposited),
        )
    )
    found = [
        TaxMonth(
            year=f.year,
            month=row["month"],
            tax=row["tax"],
            withheld=row["withheld"],
            deposited=row["deposited"],
            deposits=row["deposits"],
            open_agencies=row["open_agencies"],
            today=today,
        )
        for row in rows
    ]
    return sorted(found, key=lambda r: (r.month, TAXES.index(r.tax)))


def tax_totals(months: list[TaxMonth]) -> list[TaxTotal]:
    """Each kind's withheld and deposited over the period: tax_months' rows (at most 12 per kind) added."""
    totals = []
    for tax in TAXES:
        rows = [row for row in months if row.tax == tax]
        if rows:
            totals.append(
                TaxTotal(
                    tax=tax,
                    withheld=sum((r.withheld for r in rows), Decimal(0)),
                    deposited=sum((r.deposited for r in rows), Decimal(0)),
                )
            )
    return totals
