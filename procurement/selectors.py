"""Reads about agencies and their people: who holds which role where, what sellers received."""

from datetime import timedelta
from decimal import Decimal

from django.conf import settings
from django.db.models import DecimalField, ExpressionWrapper, F, QuerySet, Sum
from django.utils import timezone

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


# --- Seller cap for official purchases (issue 4 item 9) ---

def seller_cap_since():
    """Start of the period the official seller cap counts over (PEKEN_OFFICIAL_SELLER_CAP_DAYS back)."""
    return timezone.now() - timedelta(days=settings.PEKEN_OFFICIAL_SELLER_CAP_DAYS)


def seller_cap_status(*, seller) -> tuple[bool, Decimal]:
    """Whether ``seller`` has reached the official-purchase cap, and what it received in the period.

    The rule (E-Peken's fair share): a seller who received at least
    PEKEN_OFFICIAL_SELLER_CAP rupiah from approved official purchases in the
    last PEKEN_OFFICIAL_SELLER_CAP_DAYS days is not offered in official mode.
    """
    received = seller_official_received(seller=seller, since=seller_cap_since())
    return received >= Decimal(settings.PEKEN_OFFICIAL_SELLER_CAP), received


def sellers_at_cap(*, seller_ids) -> set[int]:
    """The ids among ``seller_ids`` of sellers at the official-purchase cap, in one query."""
    seller_ids = list(seller_ids)
    if not seller_ids:
        return set()
    line_total = ExpressionWrapper(F("unit_price") * F("quantity"),
                                   output_field=DecimalField(max_digits=15, decimal_places=0))
    rows = (RequisitionLine.objects
            .filter(seller_id__in=seller_ids, requisition__status=RequisitionStatus.APPROVED,
                    requisition__date_decided__gte=seller_cap_since())
            .values("seller_id").annotate(total=Sum(line_total))
            .filter(total__gte=Decimal(settings.PEKEN_OFFICIAL_SELLER_CAP))
            .values_list("seller_id", flat=True))
    return set(rows)
