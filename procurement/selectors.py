"""Reads about agencies and their people: who holds which role where, what sellers received."""

from decimal import Decimal

from django.db.models import DecimalField, ExpressionWrapper, F, QuerySet, Sum

from procurement.models import Membership, RequisitionLine
from procurement.statuses import RequisitionStatus, Role


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


def seller_official_received(*, seller, since) -> Decimal:
    """What ``seller`` has been given by approved official purchases decided since ``since``."""
    line_total = ExpressionWrapper(F("unit_price") * F("quantity"),
                                   output_field=DecimalField(max_digits=15, decimal_places=0))
    total = (RequisitionLine.objects
             .filter(seller=seller, requisition__status=RequisitionStatus.APPROVED,
                     requisition__date_decided__gte=since)
             .aggregate(total=Sum(line_total)))
    return total["total"] or Decimal(0)
