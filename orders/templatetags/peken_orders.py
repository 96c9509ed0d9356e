from django import template

from orders import selectors
from orders.statuses import OrderStatus

register = template.Library()


@register.simple_tag
def order_statuses():
    """The order status enum, so templates compare with its members, never with raw strings."""
    return OrderStatus


@register.simple_tag
def order_moves(order, user):
    """The status moves ``user`` may make on ``order`` now (none for strangers)."""
    return selectors.order_moves(order=order, party=selectors.order_party(order=order, user=user))


@register.simple_tag
def order_payment(order):
    """How ``order`` is paid (orders.selectors.OrderPayment)."""
    return selectors.order_payment(order=order)


@register.simple_tag
def order_timeline(order):
    """The order's status moves, oldest first, with when, who and why."""
    return selectors.order_history(order=order)


@register.simple_tag
def order_end_reason(order):
    """The rejection or cancellation of ``order``, with its reason, or None."""
    return selectors.order_end_reason(order=order)


@register.simple_tag
def buyer_orders(orders):
    """A page of a buyer's orders with their shops and payments fetched at once."""
    orders = selectors.buyer_orders_for_list(orders)
    return [(order, selectors.order_payment(order=order)) for order in orders]
