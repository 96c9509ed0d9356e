"""Reads for the seller of official orders: each order's handovers, invoice, taxes and payment, and a
year's withholdings on every payment to the shop.

The seller sees who recorded a handover by name and role only, and never the agency's people
beyond that. Before payment the tax engine's answer on today's date is an estimate: the
treasurer's payment freezes the real figures (OfficialPayment, TaxWithholding).
"""

from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Count, QuerySet, Sum
from django.db.models.functions import ExtractMonth
from django.utils import timezone

from procurement.models import OfficialPayment, OrderShortClosure, Requisition
from procurement.selectors_fulfilment import (
    LineProgress,
    order_payment,
    order_progress,
    order_receipt_complete,
    order_receipts,
    order_tax_quote,
)
from procurement.statuses import OfficialPaymentStatus
from procurement.tax import TaxKind, TaxQuote


@dataclass(frozen=True)
class TaxEstimate:
    """The tax engine's answer before payment, and on what it was computed."""

    quote: TaxQuote
    whole_order: bool  # nothing accepted yet: as if every line arrives in full and is accepted

    @property
    def rows(self) -> list[dict]:
        """Each tax withheld or collected, as the payment will record it (the fields of a TaxWithholding)."""
        rows = [
            {
                "tax": w.tax,
                "label": TaxKind(w.tax).label,
                "object_code": w.object_code,
                "base": w.base,
                "rate_percent": w.rate_percent,
                "amount": w.amount,
            }
            for w in self.quote.withholdings
        ]
        if self.quote.ppn_collected:
            rows.append(
                {
                    "tax": TaxKind.PPN.value,
                    "label": TaxKind.PPN.label,
                    "object_code": "",
                    "base": self.quote.ppn_base,
                    "rate_percent": self.quote.ppn_rate_percent,
                    "amount": self.quote.ppn,
                }
            )
        return rows


def order_tax_estimate(*, order, progress: list[LineProgress]) -> TaxEstimate:
    """What the tax engine expects on today's date: on what is accepted so far, or the whole order."""
    whole_order = not any(p.accepted for p in progress)
    if whole_order:
        progress = [
            LineProgress(line=p.line, received=p.line.quantity, accepted=p.line.quantity, closed_short=False)
            for p in progress
        ]
    quote = order_tax_quote(order=order, on=timezone.localdate(), progress=progress)
    return TaxEstimate(quote=quote, whole_order=whole_order)


def seller_official_order(*, order, requisition: Requisition) -> dict:
    """The seller's view of one official order after delivery (the context of its order-page block).

    ``receipts`` with their lines, ``closure`` (closed short), ``progress`` per line, ``payment``
    and its ``withholdings`` once paid (or a card payment waiting), else ``estimate``.
    """
    progress = order_progress(order=order)
    payment = order_payment(order=order)
    return {
        "requisition": requisition,
        "order": order,
        "receipts": list(order_receipts(order=order)),
        "closure": OrderShortClosure.objects.filter(order=order).first(),
        "progress": progress,
        "complete": order_receipt_complete(progress),
        "payment": payment,
        "paid": payment is not None and payment.status == OfficialPaymentStatus.PAID,
        "withholdings": list(payment.withholdings.all()) if payment else [],
        "estimate": None if payment else order_tax_estimate(order=order, progress=progress),
    }


def _paid_to(seller) -> QuerySet:
    return OfficialPayment.objects.filter(order__seller=seller, status=OfficialPaymentStatus.PAID)


def seller_payment_years(*, seller) -> list[int]:
    """The years (of the payment date) in which agencies paid this shop, newest first."""
    return [day.year for day in _paid_to(seller).dates("paid_on", "year", order="DESC")]


def seller_payments(*, seller, year: int) -> QuerySet:
    """Every official payment to this shop in ``year``, oldest first, with its withholdings and deposits."""
    return (
        _paid_to(seller)
        .filter(paid_on__year=year)
        .select_related("order", "requisition__agency")
        .prefetch_related("withholdings__deposit")
        .order_by("paid_on", "pk")
    )


def seller_payment_totals(*, seller, year: int) -> dict[str, Decimal]:
    """The year's gross (invoices), withheld or collected, and net paid, summed in the database."""
    totals = (
        _paid_to(seller)
        .filter(paid_on__year=year)
        .aggregate(gross=Sum("gross"), withheld=Sum("withheld"), net=Sum("net"))
    )
    return {key: value or Decimal(0) for key, value in totals.items()}


def seller_payment_months(*, seller, year: int) -> dict[int, dict[str, Decimal]]:
    """The year's gross, withheld or collected, and net paid per month of payment (1-12), summed in the
    database; a month without payments is left out. The months add up to seller_payment_totals."""
    rows = (
        _paid_to(seller)
        .filter(paid_on__year=year)
        .annotate(month=ExtractMonth("paid_on"))
        .order_by()
        .values("month")
        .annotate(payments=Count("pk"), gross=Sum("gross"), withheld=Sum("withheld"), net=Sum("net"))
    )
    return {row.pop("month"): row for row in rows}


WITHHOLDING_HEADER = (
    "Tanggal bayar",
    "OPD",
    "Nomor pesanan",
    "Cara bayar",
    "Total tagihan (Rp)",
    "Pajak",
    "Kode objek pajak",
    "DPP (Rp)",
    "Tarif (%)",
    "Dipotong/dipungut (Rp)",
    "NTPN",
    "Dibayar ke penjual (Rp)",
)


def _rate(value: Decimal) -> Decimal:
    # 1.500 -> 1.5 and 10.000 -> 10, never 1E+1
    return Decimal(format(value.normalize(), "f"))


def seller_withholding_rows(payments) -> list[tuple]:
    """One row per withholding (a payment without any: one row), in WITHHOLDING_HEADER's columns.

    The invoice total and the net paid are on each payment's first row only, so a column's sum
    is the year's.
    """
    rows = []
    for payment in payments:
        withholdings = list(payment.withholdings.all()) or [None]
        for n, w in enumerate(withholdings):
            first = n == 0
            rows.append(
                (
                    payment.paid_on,
                    payment.requisition.agency.name,
                    payment.order.number,
                    payment.get_method_display(),
                    int(payment.gross) if first else None,
                    w.get_tax_display() if w else "",
                    w.object_code if w else "",
                    int(w.base) if w else None,
                    _rate(w.rate_percent) if w else None,
                    int(w.amount) if w else None,
                    w.deposit.ntpn if w and w.deposit else "",
                    int(payment.net) if first else None,
                )
            )
    return rows
