"""A shop's own sales of one year: per month, marketplace (personal) orders and official orders
apart, and per product category.

A sale is an order the shop accepted (orders.statuses.SOLD), as on the seller centre's sales page;
its value is the shop's own lines with tax, and it is dated by when it was placed (Jakarta months).
An order is official when it was placed for an agency's requisition (no buyer account, the
requisition's checkout reference), personal otherwise. What the agencies paid for official orders
(gross, the taxes withheld or collected, net received) is dated by the payment and read from
procurement.selectors_seller, the source of the seller's yearly withholding summary; so an order
placed in one month and paid in the next counts as sold in the first and paid in the second.
A fixed number of queries whatever the number of orders.
"""

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db.models import BooleanField, Count, ExpressionWrapper, Q, QuerySet, Sum
from django.db.models.functions import TruncMonth
from django.utils.translation import gettext as _
from oscar.core.loading import get_model

from orders.statuses import SOLD
from procurement import selectors_seller
from procurement.models import Requisition
from reports.exposure import first_category_name, period_bounds
from reports.forms import MONTHS

Line = get_model("order", "Line")
NAMES = dict(MONTHS)


def _official() -> ExpressionWrapper:
    # as the treasurer's pages tell one (selectors_treasury): no buyer, a requisition's reference
    references = Requisition.objects.exclude(checkout_reference="").values("checkout_reference")
    return ExpressionWrapper(
        Q(order__user__isnull=True, order__checkout_reference__in=references), output_field=BooleanField()
    )


def _sold(*, seller, year: int) -> QuerySet:
    since, until = period_bounds(start=date(year, 1, 1), end=date(year, 12, 31))
    return Line.objects.filter(
        partner=seller,
        order__seller=seller,  # the same shop (one shop's goods per order); lets its orders' index serve
        order__status__in=SOLD,
        order__date_placed__gte=since,
        order__date_placed__lt=until,
    )


def _by_channel(lines: QuerySet, *keys: str) -> dict[tuple, dict]:
    """The lines' orders and value per ``keys`` and channel, grouped in the database (one query);
    each key's personal and official figures side by side."""
    rows = (
        lines.annotate(official=_official())
        .order_by()
        .values(*keys, "official")
        .annotate(orders=Count("order", distinct=True), value=Sum("line_price_incl_tax"))
    )
    found: dict[tuple, dict] = {}
    for row in rows:
        channel = "official" if row["official"] else "personal"
        figures = found.setdefault(tuple(row[key] for key in keys), {})
        figures[f"{channel}_orders"], figures[f"{channel}_value"] = row["orders"], row["value"]
    return found


@dataclass
class SalesRow:
    """One month (or the year, or a category) of the shop's sales and of what agencies paid it."""

    label: str
    personal_orders: int = 0
    personal_value: Decimal = Decimal(0)
    official_orders: int = 0
    official_value: Decimal = Decimal(0)
    paid: dict = field(default_factory=dict)  # payments, gross, withheld, net

    @property
    def orders(self) -> int:
        return self.personal_orders + self.official_orders

    @property
    def value(self) -> Decimal:
        return self.personal_value + self.official_value

    @property
    def paid_gross(self) -> Decimal:
        return self.paid.get("gross") or Decimal(0)

    @property
    def withheld(self) -> Decimal:
        return self.paid.get("withheld") or Decimal(0)

    @property
    def net(self) -> Decimal:
        return self.paid.get("net") or Decimal(0)


def sales_months(*, seller, year: int) -> list[SalesRow]:
    """Each month of ``year`` (all twelve) with the shop's sales per channel and what agencies paid it.

    Two queries: the shop's lines per month and channel, and its paid official payments per month.
    """
    month = TruncMonth("order__date_placed", tzinfo=ZoneInfo(settings.TIME_ZONE))
    lines = _sold(seller=seller, year=year).annotate(month=month)
    sold = {key[0].month: figures for key, figures in _by_channel(lines, "month").items()}
    paid = selectors_seller.seller_payment_months(seller=seller, year=year)
    return [SalesRow(label=str(NAMES[n]), **sold.get(n, {}), paid=paid.get(n, {})) for n in range(1, 13)]


def sales_year(*, seller, year: int) -> SalesRow:
    """The year's sales per channel and what agencies paid (the withholding summary's totals). Two queries."""
    sold = _by_channel(_sold(seller=seller, year=year)).get((), {})
    paid = selectors_seller.seller_payment_totals(seller=seller, year=year)
    return SalesRow(label=str(year), **sold, paid=paid)


def sales_categories(*, seller, year: int) -> list[SalesRow]:
    """The year's sales per product category (its first in the tree), largest first. One query.

    What agencies paid is per payment, not per line, so it is not split by category.
    """
    lines = _sold(seller=seller, year=year).annotate(category=first_category_name())
    found = [
        SalesRow(label=key[0] or _("Tanpa kategori"), **figures)
        for key, figures in _by_channel(lines, "category").items()
    ]
    return sorted(found, key=lambda r: (-r.value, r.label))
