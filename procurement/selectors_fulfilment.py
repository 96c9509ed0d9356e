"""Reads about an official order after delivery: what arrived, who may receive and pay, its taxes.

The tax engine (procurement/tax.py) is pure; ``order_tax_quote`` is where an order's seller and
accepted lines become its inputs.
"""

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from fractions import Fraction

from django.conf import settings
from django.db.models import QuerySet, Sum
from django.utils.translation import gettext as _
from oscar.core.loading import get_model

from catalogue_ext.abstract_models import SupplyKind
from catalogue_ext.selectors import product_supply_kind
from orders.statuses import OrderStatus
from procurement import selectors
from procurement.context_processors import roles_of
from procurement.models import (
    GoodsReceipt,
    GoodsReceiptLine,
    Membership,
    OfficialPayment,
    OrderShortClosure,
    Requisition,
)
from procurement.statuses import APPROVER_ROLES, OfficialPaymentStatus, Role
from procurement.tax import Channel, SellerTaxFacts, TaxLine, TaxQuote, pp55_valid, tax_quote
from sellers.abstract_models import TaxpayerType

Order = get_model("order", "Order")
Line = get_model("order", "Line")

# who records what arrived, and who pays; never the purchase's own requester
RECEIVER_ROLES = (Role.COMMITMENT_OFFICIAL, Role.RECEIVER)
PAYER_ROLES = (Role.TREASURER,)
# an official order can be received while the seller says it is on its way
RECEIVABLE = frozenset({OrderStatus.SENT})
# besides those who record it, the agency's people who answer for the purchase read its receipt history
RECEIPT_READER_ROLES = frozenset({*RECEIVER_ROLES, *APPROVER_ROLES, Role.TREASURER})


def official_order_requisition(order) -> Requisition | None:
    """The requisition an official order was placed for (None for a personal order)."""
    if order.user_id is not None or not order.checkout_reference:
        return None
    return (
        Requisition.objects.select_related("agency", "requester", "budget_line")
        .filter(checkout_reference=order.checkout_reference)
        .first()
    )


def receipt_reader(*, user, requisition: Requisition) -> bool:
    """Whether ``user`` may read the receipt history of ``requisition``'s orders.

    Its requester; the agency's PPK, penerima barang, approvers and treasurer; an active delegate
    of an approver; an auditor (a city-wide role).
    """
    if not user.is_authenticated:
        return False
    if requisition.requester_id == user.pk:
        return True
    for agency_id, _name, role in roles_of(user):
        if role == Role.AUDITOR or (agency_id == requisition.agency_id and role in RECEIPT_READER_ROLES):
            return True
    return requisition.agency_id in selectors.approver_agency_ids(user=user)


def official_order_for_reader(*, user, number: str) -> tuple | None:
    """(order, requisition) of official order ``number`` if ``user`` may read its receipts, else None."""
    order = Order.objects.select_related("seller").filter(number=number, user__isnull=True).first()
    requisition = official_order_requisition(order) if order is not None else None
    if requisition is None or not receipt_reader(user=user, requisition=requisition):
        return None
    return order, requisition


@dataclass(frozen=True)
class LineProgress:
    """One order line after its handovers: received, accepted, rejected, still awaited."""

    line: object
    received: int
    accepted: int
    closed_short: bool

    @property
    def rejected(self) -> int:
        return self.received - self.accepted

    @property
    def outstanding(self) -> int:
        return 0 if self.closed_short else self.line.quantity - self.received

    @property
    def never_delivered(self) -> int:
        return self.line.quantity - self.received if self.closed_short else 0

    @property
    def unit_price(self) -> Decimal:
        return self.line.unit_price_incl_tax


def order_progress(*, order) -> list[LineProgress]:
    """Every line of ``order`` with what its handovers brought (two queries)."""
    totals = {
        row["order_line_id"]: row
        for row in GoodsReceiptLine.objects.filter(order_line__order=order)
        .values("order_line_id")
        .annotate(received=Sum("quantity_received"), accepted=Sum("quantity_accepted"))
    }
    closed = OrderShortClosure.objects.filter(order=order).exists()
    return [
        LineProgress(
            line=line,
            received=totals.get(line.pk, {}).get("received") or 0,
            accepted=totals.get(line.pk, {}).get("accepted") or 0,
            closed_short=closed,
        )
        for line in order.lines.select_related("product").order_by("pk")
    ]


def order_receipt_complete(progress: list[LineProgress]) -> bool:
    """Whether nothing more is awaited: every line received in full or the order closed short."""
    return all(p.outstanding == 0 for p in progress)


def order_accepted_amount(progress: list[LineProgress]) -> Decimal:
    return sum((p.unit_price * p.accepted for p in progress), Decimal(0))


def order_receipts(*, order) -> QuerySet:
    return (
        GoodsReceipt.objects.filter(order=order)
        .select_related("received_by")
        .prefetch_related("lines__order_line")
        .order_by("seq")
    )


def order_payment(*, order) -> OfficialPayment | None:
    """The order's payment that is not cancelled (paid, or a card payment waiting), if any."""
    return (
        OfficialPayment.objects.filter(order=order)
        .exclude(status=OfficialPaymentStatus.CANCELLED)
        .select_related("treasurer")
        .prefetch_related("withholdings")
        .first()
    )


def _role_holders(*, agency, roles, requisition: Requisition) -> str:
    """Who holds ``roles`` in ``agency``, each once, leaving out the requester (who may not act)."""
    names: dict[int, str] = {}
    for m in (
        Membership.objects.filter(agency=agency, role__in=roles)
        .exclude(user_id=requisition.requester_id)
        .select_related("user")
        .order_by("pk")
    ):
        names.setdefault(m.user_id, m.user.get_full_name() or m.user.email)
    return ", ".join(names.values()) or _("belum ada")


def receive_refusal(*, user, requisition: Requisition) -> str:
    """Why ``user`` may not record what arrived for ``requisition`` ("" when they may).

    The agency's PPK or "penerima barang" may, except the purchase's requester (segregation
    of duties); the refusal names who can.
    """
    allowed = Membership.objects.filter(user=user, agency=requisition.agency_id, role__in=RECEIVER_ROLES)
    if user.pk != requisition.requester_id and allowed.exists():
        return ""
    who = _role_holders(agency=requisition.agency, roles=RECEIVER_ROLES, requisition=requisition)
    if user.pk == requisition.requester_id:
        return _(
            "Anda pemohon pembelian ini, jadi tidak boleh mencatat penerimaannya. "
            "Yang dapat mencatat: %(who)s."
        ) % {"who": who}
    return _("Penerimaan barang dicatat oleh PPK atau penerima barang %(agency)s: %(who)s.") % {
        "agency": requisition.agency.name,
        "who": who,
    }


def pay_refusal(*, user, requisition: Requisition) -> str:
    """Why ``user`` may not pay for ``requisition`` ("" when they may).

    The agency's treasurer may, except the purchase's requester.
    """
    allowed = Membership.objects.filter(user=user, agency=requisition.agency_id, role__in=PAYER_ROLES)
    if user.pk != requisition.requester_id and allowed.exists():
        return ""
    who = _role_holders(agency=requisition.agency, roles=PAYER_ROLES, requisition=requisition)
    if user.pk == requisition.requester_id:
        return _(
            "Anda pemohon pembelian ini, jadi tidak boleh membayarnya. Yang dapat membayar: %(who)s."
        ) % {"who": who}
    return _("Pembayaran dilakukan oleh bendahara pengeluaran %(agency)s: %(who)s.") % {
        "agency": requisition.agency.name,
        "who": who,
    }


def agencies_where(*, user, roles) -> QuerySet:
    """The agency ids where ``user`` holds one of ``roles``."""
    return Membership.objects.filter(user=user, role__in=roles, agency__isnull=False).values("agency_id")


def orders_to_receive(*, user) -> QuerySet:
    """Official orders on their way to agencies where ``user`` records receipts, not of their own requests."""
    references = Requisition.objects.filter(
        agency_id__in=agencies_where(user=user, roles=RECEIVER_ROLES)
    ).exclude(requester=user)
    return (
        Order.objects.filter(
            user__isnull=True,
            checkout_reference__in=references.values("checkout_reference"),
            status__in=RECEIVABLE,
        )
        .select_related("seller")
        .order_by("date_placed")
    )


def orders_to_pay(*, user) -> QuerySet:
    """Received official orders of the treasurer's agencies with no payment yet, oldest first.

    Only orders something of which was accepted: one closed short before anything good arrived
    has nothing to pay (official_payment_record refuses it) and would wait in the list forever.
    """
    references = Requisition.objects.filter(
        agency_id__in=agencies_where(user=user, roles=PAYER_ROLES)
    ).exclude(requester=user)
    paid = OfficialPayment.objects.exclude(status=OfficialPaymentStatus.CANCELLED).values("order_id")
    accepted = GoodsReceiptLine.objects.filter(quantity_accepted__gt=0).values("receipt__order_id")
    return (
        Order.objects.filter(
            user__isnull=True,
            checkout_reference__in=references.values("checkout_reference"),
            status=OrderStatus.RECEIVED,
            pk__in=accepted,
        )
        .exclude(pk__in=paid)
        .select_related("seller")
        .order_by("date_placed")
    )


def seller_tax_facts(*, seller, on: date) -> SellerTaxFacts:
    """The seller's registration as the tax engine reads it on the payment date ``on``."""
    npwp = (seller.npwp or "").strip()
    return SellerTaxFacts(
        pkp=seller.is_pkp,
        # a NIK serves as an individual's NPWP since 2024
        has_npwp=bool(npwp) or (seller.taxpayer_type == TaxpayerType.INDIVIDUAL and bool(seller.ktp_number)),
        individual=seller.taxpayer_type == TaxpayerType.INDIVIDUAL,
        pp55_certificate_valid=bool(seller.pp55_number)
        and pp55_valid(valid_until=seller.pp55_valid_until, payment_date=on),
        pp55_statement_under_500m=seller.omzet_statement_year == on.year,
        pbjt_registered=bool(seller.pbjt_number),
        pbjt_rate=Fraction(str(seller.pbjt_rate_percent)) / 100,
    )


def split_purchase_need(*, requisition: Requisition, seller_id: int) -> int | None:
    """The whole need's total when this seller's share of ``requisition`` looks split, else None.

    The same reading of the agency's recent purchases from the seller as the split warning
    (procurement.selectors.split_purchase_shares).
    """
    shares = selectors.split_purchase_shares(requisition=requisition).get(seller_id)
    if not shares or not selectors.split_purchase_bands(shares):
        return None
    return int(sum(shares, Decimal(0)))


def order_tax_quote(
    *, order, on: date, progress: list[LineProgress] | None = None, ordered: bool = False
) -> TaxQuote:
    """The taxes of what was accepted of ``order`` (or, ``ordered``, of all it ordered) on the date ``on``."""
    requisition = official_order_requisition(order)
    whole_need = (
        split_purchase_need(requisition=requisition, seller_id=order.seller_id) if requisition else None
    )
    if ordered:
        counted = [
            (line, line.unit_price_incl_tax, line.quantity) for line in order.lines.select_related("product")
        ]
    else:
        progress = order_progress(order=order) if progress is None else progress
        counted = [(p.line, p.unit_price, p.accepted) for p in progress]
    lines = [
        TaxLine(kind=SupplyKind(product_supply_kind(line.product)), price=int(price * quantity))
        for line, price, quantity in counted
        if quantity
    ]
    return tax_quote(
        seller=seller_tax_facts(seller=order.seller, on=on),
        lines=lines,
        split=whole_need is not None,
        whole_need_total=whole_need,
        channel=Channel(settings.PEKEN_PROCUREMENT_CHANNEL),
    )
