"""Reads of the treasurer's pages: who may open them, what waits for payment, a month's taxes.

The writes are procurement/services/treasury.py; what an order's receipt and taxes are is
procurement/selectors_fulfilment.py. Here only what the pages list.
"""

from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Q, QuerySet
from oscar.core.loading import get_model

from orders.statuses import OrderStatus
from procurement import selectors
from procurement.context_processors import roles_of
from procurement.models import OfficialPayment, Requisition, TaxWithholding
from procurement.selectors_fulfilment import PAYER_ROLES, official_order_requisition
from procurement.statuses import OfficialPaymentStatus
from procurement.tax import TaxKind

Order = get_model("order", "Order")

RECENT_PAYMENTS = 20


@dataclass(frozen=True)
class TreasuryAccess:
    """Which agencies' payments a person may record (``pays``) and read (``reads``; None: every agency).

    The agency's treasurer records; its PA/KPA and admin and the city's auditors read (the
    same people as the audit pages: selectors.audit_scope).
    """

    pays: frozenset[int]
    reads: frozenset[int] | None

    @property
    def any(self) -> bool:
        return bool(self.pays) or self.reads is None or bool(self.reads)

    def may_read(self, agency_id: int) -> bool:
        return agency_id in self.pays or self.reads is None or agency_id in self.reads

    def may_pay(self, agency_id: int) -> bool:
        return agency_id in self.pays

    def agency_ids(self) -> frozenset[int] | None:
        """Every agency the person may read (None: all of them)."""
        return None if self.reads is None else self.pays | self.reads


def treasury_access(*, user) -> TreasuryAccess:
    """What ``user`` may do on the treasurer's pages (no query: roles are cached)."""
    if not user.is_authenticated:
        return TreasuryAccess(pays=frozenset(), reads=frozenset())
    pays = frozenset(agency for agency, _name, role in roles_of(user) if agency and role in PAYER_ROLES)
    return TreasuryAccess(pays=pays, reads=selectors.audit_scope(user=user))


def official_order_readable(*, number: str, access: TreasuryAccess) -> tuple | None:
    """(order, requisition) of the official order ``number`` if ``access`` reads its agency, else None."""
    order = Order.objects.select_related("seller").filter(number=number, user__isnull=True).first()
    requisition = official_order_requisition(order) if order is not None else None
    if requisition is None or not access.may_read(requisition.agency_id):
        return None
    return order, requisition


def _official_orders_of(agency_ids: frozenset[int] | None) -> QuerySet:
    requisitions = Requisition.objects.exclude(checkout_reference="")
    if agency_ids is not None:
        requisitions = requisitions.filter(agency_id__in=agency_ids)
    return Order.objects.filter(
        user__isnull=True, checkout_reference__in=requisitions.values("checkout_reference")
    )


def orders_awaiting_payment(*, agency_ids: frozenset[int] | None) -> QuerySet:
    """Received official orders of these agencies (None: all) with no payment yet, oldest first.

    What the agency's readers see waiting; the treasurer's own list is
    selectors_fulfilment.orders_to_pay, which leaves out what they requested themselves.
    """
    paid = OfficialPayment.objects.exclude(status=OfficialPaymentStatus.CANCELLED).values("order_id")
    return (
        _official_orders_of(agency_ids)
        .filter(status=OrderStatus.RECEIVED)
        .exclude(pk__in=paid)
        .filter(Q(goods_receipts__isnull=False) | Q(short_closure__isnull=False))
        .distinct()
        .select_related("seller")
        .order_by("date_placed")
    )


def payments_of(*, agency_ids: frozenset[int] | None) -> QuerySet:
    """The payments (paid, or a card payment waiting) of these agencies (None: all), newest first."""
    payments = OfficialPayment.objects.exclude(status=OfficialPaymentStatus.CANCELLED)
    if agency_ids is not None:
        payments = payments.filter(requisition__agency_id__in=agency_ids)
    return payments.select_related("order__seller", "requisition__agency", "treasurer").order_by(
        "-date_created", "-pk"
    )


def payments_recent(*, agency_ids: frozenset[int] | None, limit: int = RECENT_PAYMENTS) -> list:
    """The latest payments (paid, or a card payment waiting) of these agencies (None: all)."""
    return list(payments_of(agency_ids=agency_ids)[:limit])


@dataclass
class TaxMonth:
    """One tax kind's withholdings of an agency's month: those still to deposit, and the deposits."""

    tax: str
    label: str
    open: list = field(default_factory=list)
    deposits: list = field(default_factory=list)  # (deposit, its withholdings)

    @property
    def open_total(self) -> Decimal:
        return sum((w.amount for w in self.open), Decimal(0))

    @property
    def deposited_total(self) -> Decimal:
        return sum((d.amount for d, _rows in self.deposits), Decimal(0))


def tax_month(*, agency, year: int, month: int) -> list[TaxMonth]:
    """The month's withholdings (by payment date, as tax_deposit_record reads them) per tax kind.

    Kinds in TaxKind's order; a kind with nothing withheld that month is left out. One query.
    """
    rows = (
        TaxWithholding.objects.filter(
            agency=agency,
            payment__status=OfficialPaymentStatus.PAID,
            payment__paid_on__year=year,
            payment__paid_on__month=month,
        )
        .select_related("payment__order__seller", "deposit")
        .order_by("payment__paid_on", "pk")
    )
    by_kind = {kind: TaxMonth(tax=kind, label=str(TaxKind(kind).label)) for kind in TaxKind.values}
    deposits: dict[int, tuple] = {}
    for row in rows:
        kind = by_kind[row.tax]
        if row.deposit_id is None:
            kind.open.append(row)
        else:
            deposits.setdefault(row.deposit_id, (row.deposit, []))[1].append(row)
    for deposit, deposit_rows in sorted(deposits.values(), key=lambda d: (d[0].deposited_on, d[0].pk)):
        by_kind[deposit.tax].deposits.append((deposit, deposit_rows))
    return [kind for kind in by_kind.values() if kind.open or kind.deposits]
