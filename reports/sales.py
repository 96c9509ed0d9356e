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
from django.db.models import Count, Q, QuerySet, Sum
from django.db.models.functions import Coalesce, TruncMonth
from django.utils.translation import gettext as _
from oscar.core.loading import get_model

from orders.statuses import SOLD
from procurement import selectors_seller
from procurement.models import Requisition
from reports.exposure import first_category_name, period_bounds
from reports.forms import MONTHS
from reports.selectors import MONEY, ZERO

Line = get_model("order", "Line")
NAMES = dict(MONTHS)


def _official() -> Q:
    # as the treasurer's pages tell one (selectors_treasury): no buyer, a requisition's reference
    references = Requisition.objects.exclude(checkout_reference="").values("checkout_reference")
    return Q(order__user__isnull=True, order__checkout_reference__in=references)


def _sold(*, seller, year: int) -> QuerySet:
    since, until = period_bounds(start=date(year, 1, 1), end=date(year, 12, 31))
    return Line.objects.filter(
        partner=seller,
        order__status__in=SOLD,
        order__date_placed__gte=since,
        order__date_placed__lt=until,
    )


def _channels() -> dict:
    official = _official()

    def value(q: Q) -> Coalesce:
        return Coalesce(Sum("line_price_incl_tax", filter=q), ZERO, output_field=MONEY)

    return {
        "personal_orders": Count("order", distinct=True, filter=~official),
        "personal_value": value(~official),
        "official_orders": Count("order", distinct=True, filter=official),
        "official_value": value(official),
    }


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


CHANNEL_FIELDS = ("personal_orders", "personal_value", "official_orders", "official_value")


def _channel_values(row: dict) -> dict:
    return {name: row[name] for name in CHANNEL_FIELDS}


def sales_months(*, seller, year: int) -> list[SalesRow]:
    """Each month of ``year`` (all twelve) with the shop's sales per channel and what agencies paid it.

    Two queries: the shop's lines per month, and its paid official payments per month.
    """
    zone = ZoneInfo(settings.TIME_ZONE)
    sold = {
        row["month"].month: row
        for row in _sold(seller=seller, year=year)
        .annotate(month=TruncMonth("order__date_placed", tzinfo=zone))
        .order_by()
        .values("month")
        .annotate(**_channels())
    }
    paid = selectors_seller.seller_payment_months(seller=seller, year=year)
    return [
        SalesRow(
            label=str(NAMES[month]),
            **(_channel_values(sold[month]) if month in sold else {}),
            paid=paid.get(month, {}),
        )
        for month in range(1, 13)
    ]


def sales_year(*, seller, year: int) -> SalesRow:
    """The year's sales per channel and what agencies paid (the withholding summary's totals). Two queries."""
    sold = _sold(seller=seller, year=year).aggregate(**_channels())
    paid = selectors_seller.seller_payment_totals(seller=seller, year=year)
    return SalesRow(label=str(year), **_channel_values(sold), paid=paid)


def sales_categories(*, seller, year: int) -> list[SalesRow]:
    """The year's sales per product category (its first in the tree), largest first. One query.

    What agencies paid is per payment, not per line, so it is not split by category.
    """
    rows = (
        _sold(seller=seller, year=year)
        .annotate(category=first_category_name())
        .order_by()
        .values("category")
        .annotate(**_channels())
    )
    found = [SalesRow(label=row["category"] or _("Tanpa kategori"), **_channel_values(row)) for row in rows]
    return sorted(found, key=lambda r: (-r.value, r.label))
