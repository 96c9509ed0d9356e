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
