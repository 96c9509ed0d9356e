"""Reads about seller orders: who is acting on one, what they may do, a checkout's orders."""

from django.db.models import Prefetch, QuerySet
from oscar.core.loading import get_model

from orders.statuses import TRANSITIONS, OrderStatus, Party

CARD = "kartu"  # the payment source type of card payments; checkout offers it under this code

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


def checkout_orders(*, user, reference: str) -> QuerySet:
    """The buyer's orders of one checkout, one per seller, with their lines and shops."""
    return (Order.objects.filter(user=user, checkout_reference=reference).select_related("seller")
            .prefetch_related(Prefetch("lines", queryset=Line.objects.select_related("product")))
            .order_by("number"))


def order_history(*, order: Order) -> QuerySet:
    """An order's status moves, oldest first, with who made them."""
    return (OrderStatusChange.objects.filter(order=order).select_related("actor")
            .order_by("date_created", "pk"))
