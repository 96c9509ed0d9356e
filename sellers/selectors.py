"""Reads about sellers for the verification pages."""

from django.db.models import QuerySet
from oscar.core.loading import get_model

from sellers.abstract_models import SellerStatus

Partner = get_model("partner", "Partner")


def sellers_for_verification() -> QuerySet:
    return Partner.objects.prefetch_related("users", "addresses", "decisions__actor")


def sellers_pending() -> QuerySet:
    """Shops waiting for verification, the longest-waiting first."""
    return Partner.objects.filter(status=SellerStatus.PENDING).order_by("date_registered", "id")


def sellers_with_status(status: str) -> QuerySet:
    return Partner.objects.filter(status=status).order_by("name")
