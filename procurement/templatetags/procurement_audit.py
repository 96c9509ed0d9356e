"""Template tags for the audit pages: whether the header offers them (no query: roles are cached), dates."""

from django import template

from orders.statuses import OrderStatus
from procurement import audit_display, selectors

register = template.Library()


@register.simple_tag
def audit_readable(user) -> bool:
    """Whether ``user`` may open the audit pages (an auditor, PA/KPA or agency admin)."""
    if user is None or not user.is_authenticated:
        return False
    scope = selectors.audit_scope(user=user)
    return scope is None or bool(scope)


@register.filter
def audit_time(value) -> str:
    """A moment in the audit's one format: 1 Des 2026 14:03:22 WIB."""
    return audit_display.when(value)


@register.filter
def audit_day(value) -> str:
    """A date in the audit's one format: 1 Des 2026."""
    return audit_display.day(value)


@register.filter
def order_status_label(value) -> str:
    """A seller order's status as people read it ("Diproses penjual"), whatever its stored value."""
    return str(OrderStatus(value).label) if value in OrderStatus.values else value
