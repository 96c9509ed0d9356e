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
