"""The seller cap for official purchases: what a seller received, and who is at the cap."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from procurement.selectors import seller_cap_status, sellers_at_cap
from procurement.statuses import RequisitionStatus
from tests.factories import PartnerFactory
from tests.procurement_factories import RequisitionFactory, RequisitionLineFactory

pytestmark = pytest.mark.django_db


def official_sale(*, seller, amount: int, status=RequisitionStatus.APPROVED, days_ago: int = 1):
    requisition = RequisitionFactory(
        status=status, total=Decimal(amount), date_decided=timezone.now() - timedelta(days=days_ago)
    )
    RequisitionLineFactory(requisition=requisition, seller=seller, quantity=1, unit_price=Decimal(amount))
    return requisition


def test_seller_reaches_the_cap_with_approved_official_purchases_in_the_period(settings):
    # given a cap of Rp30 juta over 365 days
    settings.PEKEN_OFFICIAL_SELLER_CAP = 30_000_000
    settings.PEKEN_OFFICIAL_SELLER_CAP_DAYS = 365
    seller = PartnerFactory()
    official_sale(seller=seller, amount=20_000_000)
    # a rejected requisition and one decided before the period do not count
    official_sale(seller=seller, amount=50_000_000, status=RequisitionStatus.REJECTED)
    official_sale(seller=seller, amount=50_000_000, days_ago=400)

    # when the cap is read, then the seller is below it with Rp20 juta received
    assert seller_cap_status(seller=seller) == (False, Decimal("20000000"))

    # when one more approved purchase brings it to exactly Rp30 juta, then it is at the cap
    official_sale(seller=seller, amount=10_000_000)
    assert seller_cap_status(seller=seller) == (True, Decimal("30000000"))


def test_sellers_at_cap_reads_many_sellers_in_one_query(settings, django_assert_num_queries):
    # given three sellers: one at the cap, one below it, one who never sold to an agency
    settings.PEKEN_OFFICIAL_SELLER_CAP = 5_000_000
    at_cap, below, never = PartnerFactory(), PartnerFactory(), PartnerFactory()
    official_sale(seller=at_cap, amount=3_000_000)
    official_sale(seller=at_cap, amount=2_500_000)
    official_sale(seller=below, amount=4_999_999)

    # when asked about all three, then one query names only the seller at the cap
    with django_assert_num_queries(1):
        result = sellers_at_cap(seller_ids=[at_cap.pk, below.pk, never.pk])
    assert result == {at_cap.pk}
    # and no query at all for no sellers
    with django_assert_num_queries(0):
        assert sellers_at_cap(seller_ids=[]) == set()
