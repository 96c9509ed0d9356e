"""The header's link to the agency admin pages, read from the cached roles (no query per page)."""

from django import template

from procurement.context_processors import roles_of
from procurement.statuses import Role

register = template.Library()


@register.simple_tag
def administers_agency(user) -> bool:
    """Whether ``user`` holds the agency admin role anywhere."""
    if not user.is_authenticated:
        return False
    return any(role == Role.AGENCY_ADMIN for _agency, _name, role in roles_of(user))


@register.simple_tag
def reads_agency_budget(user) -> bool:
    """Whether ``user`` may read some agency's budget without administering it (PA/KPA, treasurer)."""
    if not user.is_authenticated:
        return False
    return any(role in (Role.BUDGET_HOLDER, Role.TREASURER) for _agency, _name, role in roles_of(user))
