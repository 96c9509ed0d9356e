"""Who may read which agency's reports: the one rule every report page and export asks."""

from django.db.models import QuerySet

from procurement.context_processors import roles_of
from procurement.models import Agency, Membership
from procurement.statuses import Role

# an agency's own PA/KPA (who owns its budget) and its admin read that agency's reports
AGENCY_READERS = frozenset({Role.BUDGET_HOLDER, Role.AGENCY_ADMIN})


def report_agencies(*, user) -> QuerySet:
    """The agencies whose reports ``user`` may read (empty: no report at all).

    Platform staff and the city's auditors (a city-wide membership) read every agency;
    a PA/KPA or agency admin reads their own agencies; anyone else reads none.
    """
    if not user.is_authenticated:
        return Agency.objects.none()
    if user.is_staff or Membership.objects.filter(user=user, role=Role.AUDITOR, agency__isnull=True).exists():
        return Agency.objects.all()
    return Agency.objects.filter(memberships__user=user, memberships__role__in=AGENCY_READERS).distinct()


def reports_readable(*, user) -> bool:
    """Whether ``user`` may open any report (report_agencies is not empty), from the cached roles.

    For the menu on every page: no query beyond the roles the header already caches.
    """
    if not user.is_authenticated:
        return False
    if user.is_staff:
        return True
    return any(
        (role == Role.AUDITOR and agency_id is None) or (role in AGENCY_READERS and agency_id is not None)
        for agency_id, _name, role in roles_of(user)
    )
