from django import template

from orders import selectors

register = template.Library()


@register.simple_tag
def order_moves(order, user):
    """The status moves ``user`` may make on ``order`` now (none for strangers)."""
    return selectors.order_moves(order=order, party=selectors.order_party(order=order, user=user))
