"""Two people asking for the same SPJ at once, on PostgreSQL: one bundle, one audit entry."""

import pytest
from django.db import connection

from procurement import tasks
from procurement.models import AuditEntry, SpjBundle
from procurement.selectors_spj import Period
from procurement.services import spj as spj_services
from procurement.statuses import BundleStatus, Role
from tests.concurrency import run_at_once
from tests.procurement_factories import approval_world, person_with_roles

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(connection.vendor != "postgresql", reason="row locks need PostgreSQL"),
]


def test_two_requests_for_the_same_month_at_once_make_one_bundle(settings, monkeypatch):
    # given an agency's treasurer and PA/KPA, and a month built in the background (the worker held back)
    settings.PEKEN_SPJ_BACKGROUND_DOCUMENTS = -1
    monkeypatch.setattr(tasks.spj_bundle_build, "delay", lambda bundle_id: None)
    world = approval_world()
    treasurer = person_with_roles(agency=world.agency, roles=[Role.TREASURER], email="fitri@dinkes.uji")
    period = Period(2026, 1)
    # when both ask for it at the same moment
    results = run_at_once(
        [
            lambda person=person: spj_services.spj_bundle_request(
                agency=world.agency, actor=person, period=period
            )
            for person in (treasurer, world.pa)
        ]
    )
    # then both get the one queued bundle, requested once
    assert not [r for r in results if isinstance(r, Exception)], results
    assert {r.pk for r in results} == set(SpjBundle.objects.values_list("pk", flat=True))
    assert SpjBundle.objects.get().status == BundleStatus.QUEUED
    assert AuditEntry.objects.filter(action="spj.request").count() == 1
