"""Template tags for the audit pages: whether the header offers them (no query: roles are cached)."""

from django import template

from procurement import selectors

register = template.Library()


@register.simple_tag
def audit_readable(user) -> bool:
    """Whether ``user`` may open the audit pages (an auditor, PA/KPA or agency admin)."""
    if user is None or not user.is_authenticated:
        return False
    scope = selectors.audit_scope(user=user)
    return scope is None or bool(scope)
