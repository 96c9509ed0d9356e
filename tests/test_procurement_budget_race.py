"""Concurrent approvals on PostgreSQL: real transactions in threads, each on its own connection."""

from decimal import Decimal

import pytest
from django.db import connection
from django.db.models import Sum
from oscar.core.loading import get_model

from procurement.models import ApprovalDecision, BudgetCommitment, BudgetLine, Requisition
from procurement.services import BudgetExceeded, ProcurementError, requisition_decide
from procurement.statuses import CommitmentStatus, Decision, RequisitionStatus, Role
from tests.concurrency import run_at_once
from tests.factories import CountryFactory, product_create, seller_create
from tests.procurement_factories import (
    BudgetLineFactory,
    RequisitionFactory,
    RequisitionLineFactory,
    approval_world,
    person_with_roles,
)

Order = get_model("order", "Order")
StockRecord = get_model("partner", "StockRecord")
JUTA = Decimal("1000000")

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(connection.vendor != "postgresql", reason="row locks need PostgreSQL"),
]


def _submitted(world, line, record, n: int) -> Requisition:
    """A submitted Rp1 juta requisition of one line, as submission leaves it."""
    requisition = RequisitionFactory(
        reference=f"RQ-RACE-{n:04d}",
        agency=world.agency,
        requester=world.requester,
        budget_line=line,
        total=JUTA,
    )
    RequisitionLineFactory(
        requisition=requisition,
        seller=record.partner,
        stockrecord=record,
        product=record.product,
        title=record.product.title,
        quantity=1,
        unit_price=JUTA,
    )
    return requisition


@pytest.fixture
def world(settings):
    settings.PEKEN_OFFICIAL_SELLER_CAP = 10**12  # one seller takes every order here
    CountryFactory()
    return approval_world()


def test_fifty_parallel_final_approvals_commit_exactly_what_the_line_has(world):
    # given a line with Rp20 juta available and fifty submitted Rp1 juta requisitions
    line = BudgetLineFactory(agency=world.agency, ceiling=Decimal("25000000"), committed=Decimal("5000000"))
    shop = seller_create(name="Toko Serba Ada", email="serba@contoh.id")
    record = product_create(title="Paket ATK", price=JUTA, partner=shop, stock=1000).stockrecords.get()
    requisitions = [_submitted(world, line, record, n) for n in range(50)]
    # when the Pejabat Pengadaan approves all fifty at the same moment
    results = run_at_once(
        [
            lambda r=r: requisition_decide(requisition=r, user=world.pp, decision=Decision.APPROVE)
            for r in requisitions
        ]
    )
    # then exactly twenty are approved and thirty refused for want of money
    refused = [r for r in results if isinstance(r, BudgetExceeded)]
    others = [r for r in results if isinstance(r, Exception) and not isinstance(r, BudgetExceeded)]
    assert others == []
    assert len(refused) == 30
    assert Requisition.objects.filter(status=RequisitionStatus.APPROVED).count() == 20
    assert Requisition.objects.filter(status=RequisitionStatus.SUBMITTED).count() == 30
    # and the line's committed total is its live commitments plus what it held before, never overdrawn
    line.refresh_from_db()
    live = BudgetCommitment.objects.filter(budget_line=line, status=CommitmentStatus.LIVE)
    assert live.count() == 20
    assert line.committed == Decimal("5000000") + live.aggregate(s=Sum("amount"))["s"] == line.ceiling
    assert line.available == 0
    # and only the approved ones produced orders and took stock; refused ones left no decision behind
    assert Order.objects.filter(seller=shop).count() == 20
    assert StockRecord.objects.get(pk=record.pk).num_allocated == 20
    assert ApprovalDecision.objects.count() == 20


def test_two_approvers_deciding_the_same_step_at_once_make_one_decision(world):
    # given two people holding the PP role and one submitted requisition
    second_pp = person_with_roles(
        agency=world.agency, roles=[Role.PROCUREMENT_OFFICIAL], email="gita@dinkes.uji"
    )
    shop = seller_create(name="Toko Serba Ada", email="serba@contoh.id")
    record = product_create(title="Paket ATK", price=JUTA, partner=shop, stock=10).stockrecords.get()
    requisition = _submitted(world, world.line, record, 1)
    # when both approve at the same moment
    results = run_at_once(
        [
            lambda user=user: requisition_decide(
                requisition=requisition, user=user, decision=Decision.APPROVE
            )
            for user in (world.pp, second_pp)
        ]
    )
    # then one decision stands, the other is refused, and one order exists
    assert sum(isinstance(r, ApprovalDecision) for r in results) == 1
    assert sum(isinstance(r, ProcurementError) for r in results) == 1
    assert ApprovalDecision.objects.filter(requisition=requisition).count() == 1
    assert Order.objects.filter(checkout_reference=requisition.reference).count() == 1
    assert BudgetLine.objects.get(pk=world.line.pk).committed == JUTA


def test_releases_and_approvals_racing_keep_the_line_equal_to_its_live_commitments(world):
    # given a line of Rp20 juta fully committed by twenty approved requisitions of one seller,
    # and twenty more submitted
    from orders.services import order_status_change
    from orders.statuses import OrderStatus, Party

    line = BudgetLineFactory(agency=world.agency, ceiling=Decimal("20000000"))
    shop = seller_create(name="Toko Serba Ada", email="serba@contoh.id")
    record = product_create(title="Paket ATK", price=JUTA, partner=shop, stock=1000).stockrecords.get()
    approved = [_submitted(world, line, record, n) for n in range(20)]
    for requisition in approved:
        requisition_decide(requisition=requisition, user=world.pp, decision=Decision.APPROVE)
    waiting = [_submitted(world, line, record, n) for n in range(20, 40)]
    owner = shop.users.get()
    # when the seller rejects ten orders while the PP approves the twenty others, all at once
    rejections = [
        lambda r=r: order_status_change(
            order=Order.objects.get(checkout_reference=r.reference),
            actor=owner,
            party=Party.SELLER,
            status=OrderStatus.REJECTED,
            reason="Stok habis",
        )
        for r in approved[:10]
    ]
    approvals = [
        lambda r=r: requisition_decide(requisition=r, user=world.pp, decision=Decision.APPROVE)
        for r in waiting
    ]
    results = run_at_once(rejections + approvals)
    # then nothing failed but for want of money (no deadlock), and the line still adds up
    assert [r for r in results if isinstance(r, Exception) and not isinstance(r, BudgetExceeded)] == []
    assert all(not isinstance(r, Exception) for r in results[:10])
    line.refresh_from_db()
    live = BudgetCommitment.objects.filter(budget_line=line, status=CommitmentStatus.LIVE)
    assert line.committed == (live.aggregate(s=Sum("amount"))["s"] or 0) <= line.ceiling
    newly = sum(isinstance(r, ApprovalDecision) for r in results[10:])
    assert line.committed == JUTA * (10 + newly) and newly <= 10
