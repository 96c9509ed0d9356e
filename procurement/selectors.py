"""Reads about agencies and their people: who holds which role where."""

from django.db.models import QuerySet

from procurement.models import Membership
from procurement.statuses import Role


def memberships_of(*, user) -> QuerySet:
    """The roles ``user`` holds, with their agencies (empty for anonymous visitors)."""
    if not user.is_authenticated:
        return Membership.objects.none()
    return Membership.objects.filter(user=user).select_related("agency", "unit")


def has_role(*, user, role: Role, agency=None) -> bool:
    """Whether ``user`` holds ``role`` in ``agency`` (an auditor's role is city-wide)."""
    if not user.is_authenticated:
        return False
    if role == Role.AUDITOR:
        return Membership.objects.filter(user=user, role=role).exists()
    return Membership.objects.filter(user=user, role=role, agency=agency).exists()
