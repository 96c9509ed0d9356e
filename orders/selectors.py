"""Reads about seller orders: who is acting on one, what they may do, how it is paid, a checkout's orders."""

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from django.db.models import Prefetch, QuerySet, prefetch_related_objects
from django.utils.translation import gettext as _
from oscar.core.loading import get_model

from orders.statuses import REASON_REQUIRED, TRANSITIONS, UNSOLD, OrderStatus, Party

# The payment source types checkout offers, by code.
CARD = "kartu"
PAY_ON_DELIVERY = "bayar-di-tempat"
# The names of the payment event types recorded on an order.
PAID_EVENT = "Dibayar"
REFUNDED_EVENT = "Dikembalikan"

Order = get_model("order", "Order")
Line = get_model("order", "Line")
OrderStatusChange = get_model("order", "OrderStatusChange")


def order_party(*, order: Order, user) -> str | None:
    """Seller if ``user`` is one of the order's shop's users, buyer if it is their order, else None."""
    if not user.is_authenticated:
        return None
    if order.seller_id and order.seller.users.filter(pk=user.pk).exists():
        return Party.SELLER
    if order.user_id == user.pk:
        return Party.BUYER
    return None


def order_is_card(order: Order) -> bool:
    return any(source.source_type.code == CARD for source in order.sources.all())


@dataclass(frozen=True)
class OrderPayment:
    """How one order is paid, said the same way on the buyer's and the seller's pages and in emails."""

    method: str  # CARD, PAY_ON_DELIVERY, or "" when the buyer pays outside Peken (an official order)
    amount: Decimal  # the order's total, delivery fee included
    paid_at: datetime | None
    refunded: Decimal | None
    refunded_at: datetime | None
    unsold: bool  # rejected or cancelled

    @property
    def is_card(self) -> bool:
        return self.method == CARD

    @property
    def is_on_delivery(self) -> bool:
        return self.method == PAY_ON_DELIVERY

    @property
    def collect(self) -> Decimal | None:
        """What the seller collects at the door or the counter; None when nothing is due there."""
        return self.amount if self.is_on_delivery and not self.unsold else None

    @property
    def awaiting_card(self) -> bool:
        return self.is_card and self.paid_at is None and not self.unsold

    @property
    def refund_pending(self) -> bool:
        return self.is_card and self.paid_at is not None and self.unsold and self.refunded is None

    @property
    def refund_amount(self) -> Decimal | None:
        """What goes back to the card of a rejected or cancelled paid order, refunded or on its way."""
        if self.refunded is not None:
            return self.refunded
        return self.amount if self.refund_pending else None

    @property
    def method_label(self) -> str:
        if self.is_card:
            return _("Kartu debit/kredit")
        return _("Bayar di tempat") if self.is_on_delivery else ""

    @property
    def label(self) -> str:
        if self.is_card:
            if self.refunded is not None:
                return _("Dikembalikan")
            if self.refund_pending:
                return _("Sedang dikembalikan ke kartu")
            if self.paid_at is not None:
                return _("Lunas")
            return _("Tidak dibayar") if self.unsold else _("Menunggu pembayaran kartu")
        if self.is_on_delivery:
            return _("Tidak ada tagihan") if self.unsold else _("Bayar di tempat")
        return ""


def order_payment(*, order: Order) -> OrderPayment:
    """How ``order`` is paid: its method, paid and refunded amounts and dates.

    Reads the order's payment sources and payment events through ``.all()``,
    so a page listing many orders prefetches them once.
    """
    codes = {source.source_type.code for source in order.sources.all()}
    method = CARD if CARD in codes else PAY_ON_DELIVERY if PAY_ON_DELIVERY in codes else ""
    refund = next(
        (event for event in order.payment_events.all() if event.event_type.name == REFUNDED_EVENT), None
    )
    return OrderPayment(
        method=method,
        amount=order.total_incl_tax,
        paid_at=order.date_paid,
        refunded=refund.amount if refund else None,
        refunded_at=refund.date_created if refund else None,
        unsold=order.status in UNSOLD,
    )


def order_end_reason(*, order: Order) -> OrderStatusChange | None:
    """The move that rejected or cancelled ``order``, with its reason; None if it was not."""
    if order.status not in REASON_REQUIRED:
        return None
    changes = [change for change in order.status_changes.all() if change.new_status == order.status]
    return max(changes, key=lambda change: (change.date_created, change.pk), default=None)


def order_moves(*, order: Order, party: str | None) -> list[OrderStatus]:
    """The statuses ``party`` may move ``order`` to now, as the table, shipping and payment allow."""
    moves = []
    for (old, new), parties in TRANSITIONS.items():
        if old != order.status or party not in parties:
            continue
        if new == OrderStatus.READY and not order.is_pickup or new == OrderStatus.SENT and order.is_pickup:
            continue
        if new == OrderStatus.ACCEPTED and order.date_paid is None and order_is_card(order):
            continue
        moves.append(OrderStatus(new))
    return moves


def buyer_orders_for_list(orders) -> list:
    """Fetch the shops, payment sources and events of a page of a buyer's orders in a few queries."""
    orders = list(orders)
    prefetch_related_objects(orders, "seller", "sources__source_type", "payment_events__event_type")
    return orders


def checkout_orders(*, user, reference: str) -> QuerySet:
    """The buyer's orders of one checkout, one per seller, with their lines and shops."""
    return (
        Order.objects.filter(user=user, checkout_reference=reference)
        .select_related("seller")
        .prefetch_related(Prefetch("lines", queryset=Line.objects.select_related("product")))
        .order_by("number")
    )


def basket_first_order(*, basket_id: int, user) -> Order | None:
    """The buyer's first order placed from this basket (the checkout a second click repeats), if any."""
    return Order.objects.filter(basket_id=basket_id, user=user).order_by("pk").first()


def order_history(*, order: Order) -> QuerySet:
    """An order's status moves, oldest first, with who made them: the timeline on its pages."""
    return (
        OrderStatusChange.objects.filter(order=order).select_related("actor").order_by("date_created", "pk")
    )
