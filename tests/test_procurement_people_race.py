"""Two agency admins revoking each other at the same moment on PostgreSQL: one admin always remains."""

import pytest
from django.db import connection

from procurement import services
from procurement.models import AuditEntry, Membership
from procurement.statuses import Role
from tests.concurrency import run_at_once
from tests.procurement_factories import AgencyFactory, person_with_roles

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(connection.vendor != "postgresql", reason="row locks need PostgreSQL"),
]


@pytest.mark.parametrize("attempt", range(3))
def test_two_admins_revoking_each_other_at_once_leave_one_admin(attempt):
    # given an agency with exactly two admins
    agency = AgencyFactory()
    first = person_with_roles(agency=agency, roles=[Role.AGENCY_ADMIN])
    second = person_with_roles(agency=agency, roles=[Role.AGENCY_ADMIN])
    first_role, second_role = (Membership.objects.get(user=u) for u in (first, second))

    # when each revokes the other's admin role at the same moment
    results = run_at_once(
        [
            lambda: services.membership_revoke(membership=second_role, actor=first),
            lambda: services.membership_revoke(membership=first_role, actor=second),
        ]
    )

    # then exactly one revocation went through, the other was refused, and one admin remains
    refused = [r for r in results if isinstance(r, services.MembershipRefused)]
    assert len(refused) == 1 and results.count(None) == 1, results
    assert Membership.objects.filter(agency=agency, role=Role.AGENCY_ADMIN).count() == 1
    assert AuditEntry.objects.filter(action="membership.revoke").count() == 1
