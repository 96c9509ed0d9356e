"""Requisitions from submission to orders: approvals, segregation of duties, delegation, budget, expiry."""

from datetime import datetime, timedelta
from decimal import Decimal

import pytest
from django.core import mail
from django.db import connection
from django.db.models import Sum
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from oscar.core.loading import get_model

from orders.services import order_status_change
from orders.statuses import OrderStatus, Party
from procurement import selectors, services
from procurement.models import ApprovalDecision, AuditEntry, BudgetCommitment, BudgetLine, Requisition
from procurement.services import (
    ApprovalRefused,
    BudgetExceeded,
    ProcurementError,
    RequisitionStateError,
    requisition_decide,
    requisition_submit_from_basket,
)
from procurement.statuses import CommitmentStatus, Decision, RequisitionStatus, Role
from tests.factories import product_create, seller_create
from tests.procurement_factories import (
    AgencyFactory,
    BudgetLineFactory,
    approval_world,
    official_basket,
    person_with_roles,
)

Order = get_model("order", "Order")
StockRecord = get_model("partner", "StockRecord")
JUTA = Decimal("1000000")


@pytest.fixture
def world(db, indonesia, settings):
    # the seller cap has its own test; here one seller may take large orders
    settings.PEKEN_OFFICIAL_SELLER_CAP = 10**12
    return approval_world()


@pytest.fixture
def shops(db):
    return [seller_create(name=f"Warung Bu {n}", email=f"warung{n}@contoh.id") for n in range(1, 6)]


def _submit(world, items, *, user=None, line=None, **kwargs):
    user = user or world.requester
    basket = official_basket(user=user, items=items)
    fields = {
        "kode_rup": "RUP-2026-0042",
        "purpose": "Konsumsi rapat koordinasi posyandu",
        "delivery_address": "Jl. Jemursari No. 197, Surabaya",
        "needed_by": timezone.localdate() + timedelta(days=7),
    } | kwargs
    return requisition_submit_from_basket(
        user=user, agency=world.agency, basket=basket, budget_line=line or world.line, **fields
    )


def _approve(requisition, user, captured=None):
    return requisition_decide(requisition=requisition, user=user, decision=Decision.APPROVE)


# --- submission ---


def test_submission_freezes_each_sellers_lines_and_empties_the_basket(
    world, shops, django_capture_on_commit_callbacks
):
    # given an official basket with goods of two sellers
    nasi = product_create(title="Nasi Kotak", price=Decimal("25000"), partner=shops[0])
    air = product_create(title="Air Mineral 600 ml", price=Decimal("4000"), partner=shops[1])
    basket = official_basket(user=world.requester, items=[(nasi, 40), (air, 40)])
    # when the requester submits it
    with django_capture_on_commit_callbacks(execute=True):
        requisition = requisition_submit_from_basket(
            user=world.requester,
            agency=world.agency,
            basket=basket,
            budget_line=world.line,
            kode_rup="",
            purpose="Rapat koordinasi",
            delivery_address="Jl. Jemursari No. 197",
            needed_by=timezone.localdate() + timedelta(days=3),
            ip="10.0.0.7",
        )
    # then its lines are frozen per seller at the current prices, and it waits for the PP
    assert requisition.reference == f"RQ-{timezone.now().year}-{requisition.pk:06d}"
    assert requisition.status == RequisitionStatus.SUBMITTED and requisition.round == 1
    assert requisition.total == Decimal("1160000")
    lines = {(line.seller_id, line.title, line.quantity, line.unit_price) for line in requisition.lines.all()}
    assert lines == {
        (shops[0].pk, "Nasi Kotak", 40, Decimal("25000")),
        (shops[1].pk, "Air Mineral 600 ml", 40, Decimal("4000")),
    }
    basket.refresh_from_db()
    assert basket.status == "Submitted"
    entry = AuditEntry.objects.get(action="requisition.submit")
    assert entry.actor == world.requester and entry.ip == "10.0.0.7" and entry.requisition == requisition
    # and the Pejabat Pengadaan is emailed
    assert [m.to for m in mail.outbox] == [[world.pp.email]]
    assert requisition.reference in mail.outbox[0].subject
    # and a later price change does not touch the requisition
    StockRecord.objects.filter(product=nasi).update(price=Decimal("30000"))
    assert requisition.lines.get(title="Nasi Kotak").unit_price == Decimal("25000")


def test_a_basket_is_submitted_once(world, shops):
    # given a submitted official basket
    product = product_create(price=Decimal("10000"), partner=shops[0])
    basket = official_basket(user=world.requester, items=[(product, 2)])
    fields = {
        "user": world.requester,
        "agency": world.agency,
        "basket": basket,
        "budget_line": world.line,
        "kode_rup": "",
        "purpose": "ATK",
        "delivery_address": "Jl. Jemursari 197",
        "needed_by": timezone.localdate(),
    }
    requisition_submit_from_basket(**fields)
    # when the same basket is submitted again (a second click), then it is refused
    with pytest.raises(ProcurementError, match="sudah diajukan"):
        requisition_submit_from_basket(**fields)
    assert Requisition.objects.count() == 1


def test_submission_refuses_more_than_the_budget_line_has_naming_what_is_available(world, shops):
    # given a line with Rp2 juta available
    line = BudgetLineFactory(agency=world.agency, ceiling=Decimal("5000000"), committed=Decimal("3000000"))
    tv = product_create(title="Televisi", price=Decimal("2500000"), partner=shops[0])
    # when the requester asks for Rp2,5 juta, then it is refused with the available amount
    with pytest.raises(BudgetExceeded, match=r"tersedia Rp2\.000\.000"):
        _submit(world, [(tv, 1)], line=line)
    assert not Requisition.objects.exists()


@pytest.mark.parametrize("case", ["not_requester", "empty", "past", "other_agency", "last_year"])
def test_submission_refusals(world, shops, case):
    # given a valid basket, one thing at a time made wrong
    product = product_create(price=Decimal("10000"), partner=shops[0])
    kwargs, user, items = {}, world.requester, [(product, 1)]
    if case == "not_requester":
        user = world.pp
    elif case == "empty":
        items = []
    elif case == "past":
        kwargs["needed_by"] = timezone.localdate() - timedelta(days=1)
    elif case == "other_agency":
        kwargs["line"] = BudgetLineFactory(agency=AgencyFactory())
    else:
        kwargs["line"] = BudgetLineFactory(agency=world.agency, fiscal_year=timezone.localdate().year - 1)
    # when submitted, then it is refused and nothing is written
    with pytest.raises(ProcurementError):
        _submit(world, items, user=user, **kwargs)
    assert not Requisition.objects.exists()


def test_a_seller_at_the_official_cap_is_refused_by_name(world, shops, settings):
    # given a cap of Rp30 juta, and a seller already given Rp29 juta by an approved requisition
    settings.PEKEN_OFFICIAL_SELLER_CAP = 30_000_000
    laptop = product_create(title="Laptop", price=Decimal("14500000"), partner=shops[0])
    first = _submit(world, [(laptop, 2)])
    _approve(first, world.pp)
    # when another requisition would give it Rp14,5 juta more, then it is refused naming seller and cap
    with pytest.raises(ProcurementError, match=r"Warung Bu 1.*Rp30\.000\.000"):
        _submit(world, [(laptop, 1)])


def test_an_order_the_seller_rejected_does_not_count_towards_its_cap(world, shops, settings):
    # given a seller given Rp20 juta by an approved requisition, with a cap of Rp30 juta
    settings.PEKEN_OFFICIAL_SELLER_CAP = 30_000_000
    laptop = product_create(title="Laptop", price=Decimal("20000000"), partner=shops[0], stock=10)
    first = _submit(world, [(laptop, 1)])
    _approve(first, world.pp)
    assert selectors.sellers_at_cap(seller_ids=[shops[0].pk]) == set()
    with pytest.raises(ProcurementError, match="Laptop|Warung Bu 1"):
        _submit(world, [(laptop, 1)])
    # when the seller rejects that order, then it received nothing and may be requested again
    order_status_change(
        order=Order.objects.get(checkout_reference=first.reference),
        actor=None,
        party=Party.SELLER,
        status=OrderStatus.REJECTED,
        reason="Stok kosong",
    )
    assert selectors.seller_official_received(seller=shops[0], since=timezone.now() - timedelta(days=1)) == 0
    second = _submit(world, [(laptop, 1)])
    _approve(second, world.pp)
    assert Requisition.objects.get(pk=second.pk).status == RequisitionStatus.APPROVED


def test_the_cap_is_checked_again_at_final_approval(world, shops, settings):
    # given two Rp20 juta requisitions to one seller, submitted while it had received nothing
    laptop = product_create(title="Laptop", price=Decimal("20000000"), partner=shops[0], stock=10)
    settings.PEKEN_OFFICIAL_SELLER_CAP = 30_000_000
    first, second = _submit(world, [(laptop, 1)]), _submit(world, [(laptop, 1)])
    _approve(first, world.pp)
    # when the second is approved, then it is refused: together they would pass the cap
    with pytest.raises(ProcurementError, match=r"Warung Bu 1.*Rp20\.000\.000.*Rp30\.000\.000"):
        _approve(second, world.pp)
    second.refresh_from_db()
    assert second.status == RequisitionStatus.SUBMITTED and not second.decisions.exists()
    assert BudgetLine.objects.get(pk=world.line.pk).committed == Decimal("20000000")


# --- approval, orders and budget ---


def test_final_approval_commits_the_budget_and_places_one_official_order_per_seller(
    world, shops, django_capture_on_commit_callbacks
):
    # given a submitted requisition of two sellers (under Rp200 juta: the PP alone decides)
    nasi = product_create(title="Nasi Kotak", price=Decimal("25000"), partner=shops[0], stock=100)
    air = product_create(title="Air Mineral", price=Decimal("4000"), partner=shops[1], stock=100)
    requisition = _submit(world, [(nasi, 40), (air, 40)])
    mail.outbox.clear()
    # when the Pejabat Pengadaan approves
    with django_capture_on_commit_callbacks(execute=True):
        decision = requisition_decide(
            requisition=requisition, user=world.pp, decision=Decision.APPROVE, ip="10.0.0.9"
        )
    requisition.refresh_from_db()
    # then it is approved and the budget committed under one live commitment
    assert decision.role == Role.PROCUREMENT_OFFICIAL and decision.acting_for is None
    assert requisition.status == RequisitionStatus.APPROVED and requisition.date_decided
    assert requisition.checkout_reference == requisition.reference
    assert BudgetLine.objects.get(pk=world.line.pk).committed == Decimal("1160000")
    assert BudgetCommitment.objects.get(requisition=requisition).status == CommitmentStatus.LIVE
    # and each seller has one new order, with no personal buyer, at the frozen prices
    orders = list(Order.objects.filter(checkout_reference=requisition.reference).order_by("number"))
    assert [(o.seller_id, o.user_id, o.status, o.total_incl_tax) for o in orders] == [
        (shops[0].pk, None, OrderStatus.NEW, Decimal("1000000")),
        (shops[1].pk, None, OrderStatus.NEW, Decimal("160000")),
    ]
    assert orders[0].lines.get().unit_price_incl_tax == Decimal("25000")
    assert orders[0].status_changes.get().old_status == ""
    assert orders[0].shipping_address.line1 == "Jl. Jemursari No. 197, Surabaya"
    # and the stock is allocated, the sellers and the requester emailed
    assert StockRecord.objects.get(product=nasi).num_allocated == 40
    recipients = sorted(address for m in mail.outbox for address in m.to)
    assert recipients == sorted(["warung1@contoh.id", "warung2@contoh.id", world.requester.email])
    assert not world.requester.orders.exists()  # official buying stays out of personal history
    assert AuditEntry.objects.filter(action="requisition.decide.setuju", ip="10.0.0.9").count() == 1


def test_the_seller_sees_and_fulfils_an_official_order_in_the_seller_centre(world, shops, client):
    # given an approved requisition
    product = product_create(title="Nasi Kotak", price=Decimal("25000"), partner=shops[0])
    requisition = _submit(world, [(product, 10)])
    _approve(requisition, world.pp)
    order = Order.objects.get(checkout_reference=requisition.reference)
    # when the seller opens the seller centre, then the order is listed and its detail shows the office
    client.force_login(shops[0].users.get())
    listing = client.get(reverse("sellers:centre-orders"))
    assert listing.status_code == 200 and order.number in listing.content.decode()
    detail = client.get(reverse("sellers:centre-order-detail", kwargs={"number": order.number}))
    assert detail.status_code == 200
    assert "Jl. Jemursari No. 197, Surabaya" in detail.content.decode()
    # and the seller can accept and send it
    owner = shops[0].users.get()
    order_status_change(order=order, actor=owner, party=Party.SELLER, status=OrderStatus.ACCEPTED)
    order_status_change(order=order, actor=owner, party=Party.SELLER, status=OrderStatus.SENT)
    assert Order.objects.get(pk=order.pk).status == OrderStatus.SENT


def test_a_suspended_shop_cannot_be_requested(world, shops):
    product = product_create(title="Nasi Kotak", price=Decimal("25000"), partner=shops[0])
    shops[0].status = "dibekukan"
    shops[0].save(update_fields=["status"])
    with pytest.raises(ProcurementError, match="Nasi Kotak dari Warung Bu 1 sedang tidak dijual"):
        _submit(world, [(product, 1)])


@pytest.mark.parametrize("change", ["stock_gone", "shop_suspended"])
def test_approval_is_refused_and_nothing_written_when_the_goods_are_gone(world, shops, change):
    # given a submitted requisition of 8 of 10 units
    product = product_create(title="Nasi Kotak", price=Decimal("25000"), partner=shops[0], stock=10)
    requisition = _submit(world, [(product, 8)])
    # when a personal buyer took 5 units meanwhile, or the shop was suspended
    if change == "stock_gone":
        StockRecord.objects.filter(product=product).update(num_allocated=5)
        message = "Stok Nasi Kotak tinggal 5"
    else:
        type(shops[0]).objects.filter(pk=shops[0].pk).update(status="dibekukan")
        message = "Warung Bu 1 sedang tidak berjualan"
    # then the approval is refused with the reason, and nothing was decided, committed or ordered
    with pytest.raises(ProcurementError, match=message):
        _approve(requisition, world.pp)
    assert not ApprovalDecision.objects.exists() and not Order.objects.exists()
    assert BudgetLine.objects.get(pk=world.line.pk).committed == 0
    assert Requisition.objects.get(pk=requisition.pk).status == RequisitionStatus.SUBMITTED


def test_above_the_pp_limit_the_ppk_approves_after_the_pp(world, shops):
    # given a Rp250 juta requisition
    server = product_create(title="Server", price=Decimal("125000000"), partner=shops[0], stock=5)
    requisition = _submit(world, [(server, 2)])
    # when the PP approves, then it still waits, now for the PPK
    _approve(requisition, world.pp)
    requisition.refresh_from_db()
    assert requisition.status == RequisitionStatus.SUBMITTED
    assert selectors.requisition_current_step(requisition=requisition).role == Role.COMMITMENT_OFFICIAL
    assert list(selectors.approver_inbox(user=world.ppk)) == [requisition]
    assert selectors.approver_inbox_count(user=world.pp) == 0
    # and the PP cannot take the PPK's step
    with pytest.raises(ApprovalRefused):
        _approve(requisition, world.pp)
    # when the PPK approves, then it is approved and the orders placed
    _approve(requisition, world.ppk)
    requisition.refresh_from_db()
    assert requisition.status == RequisitionStatus.APPROVED
    assert Order.objects.filter(checkout_reference=requisition.reference).count() == 1


# --- segregation of duties ---


def test_the_requester_cannot_approve_their_own_requisition_and_is_told_who_can(world, shops):
    # given a requester who also holds the PP role
    world.requester.memberships.create(agency=world.agency, role=Role.PROCUREMENT_OFFICIAL)
    product = product_create(price=Decimal("100000"), partner=shops[0])
    requisition = _submit(world, [(product, 1)])
    # when they approve it, then it is refused naming the other PP
    with pytest.raises(ApprovalRefused, match="Budi Uji") as refusal:
        _approve(requisition, world.requester)
    assert "mengajukan" in str(refusal.value)
    assert not ApprovalDecision.objects.exists()


def test_one_person_holding_pp_and_ppk_cannot_approve_both_steps(world, shops):
    # given the PP also holds the PPK role, and is the only PPK once Citra leaves
    world.pp.memberships.create(agency=world.agency, role=Role.COMMITMENT_OFFICIAL)
    server = product_create(price=Decimal("150000000"), partner=shops[0], stock=5)
    requisition = _submit(world, [(server, 2)])
    _approve(requisition, world.pp)
    # when they try the PPK step too, then it is refused naming Citra
    with pytest.raises(ApprovalRefused, match="Citra Uji"):
        _approve(requisition, world.pp)
    # and with Citra gone, the message says the agency admin must assign someone
    world.ppk.memberships.all().delete()
    with pytest.raises(ApprovalRefused, match="admin OPD harus menugaskan"):
        _approve(requisition, world.pp)
    assert (
        selectors.step_candidates(
            requisition=requisition, step=selectors.requisition_current_step(requisition=requisition)
        )
        == []
    )


def test_two_steps_are_barred_across_rounds_too(world, shops):
    # given the PP approved step 1 in round 1 and the requisition came back
    world.pp.memberships.create(agency=world.agency, role=Role.COMMITMENT_OFFICIAL)
    server = product_create(price=Decimal("150000000"), partner=shops[0], stock=5)
    requisition = _submit(world, [(server, 2)])
    _approve(requisition, world.pp)
    requisition_decide(requisition=requisition, user=world.ppk, decision=Decision.RETURN, comment="Kurangi")
    services.requisition_resubmit(requisition=requisition, user=world.requester)
    # when the PP approves step 1 again in round 2 (the same step: allowed)
    _approve(requisition, world.pp)
    # then the PP still may not decide step 2 in round 2
    with pytest.raises(ApprovalRefused):
        _approve(requisition, world.pp)


# --- delegation ---


def test_a_delegate_acts_for_the_delegator_and_it_is_recorded(world, shops):
    # given the PP delegates to a colleague for this week
    colleague = person_with_roles(agency=world.agency, roles=[Role.TREASURER], email="fajar@dinkes.uji")
    today = timezone.localdate()
    services.delegation_create(
        agency=world.agency,
        delegator=world.pp,
        delegate=colleague,
        role=Role.PROCUREMENT_OFFICIAL,
        start=today,
        end=today + timedelta(days=5),
        actor=world.pp,
    )
    product = product_create(price=Decimal("100000"), partner=shops[0])
    requisition = _submit(world, [(product, 1)])
    assert list(selectors.approver_inbox(user=colleague)) == [requisition]
    # when the colleague approves
    decision = _approve(requisition, colleague)
    # then the decision and the trail say "colleague acting for the PP"
    assert decision.actor == colleague and decision.acting_for == world.pp
    entry = AuditEntry.objects.get(action="requisition.decide.setuju")
    assert entry.actor == colleague and entry.acting_for == world.pp


@pytest.mark.parametrize("how", ["expired", "revoked", "not_started"])
def test_an_inactive_delegation_gives_no_authority(world, shops, how):
    # given a delegation that expired, was revoked, or has not started
    colleague = person_with_roles(agency=world.agency, roles=[Role.TREASURER], email="fajar@dinkes.uji")
    today = timezone.localdate()
    start, end = {
        "expired": (today - timedelta(days=9), today - timedelta(days=1)),
        "revoked": (today, today + timedelta(days=3)),
        "not_started": (today + timedelta(days=1), today + timedelta(days=3)),
    }[how]
    delegation = services.delegation_create(
        agency=world.agency,
        delegator=world.pp,
        delegate=colleague,
        role=Role.PROCUREMENT_OFFICIAL,
        start=start,
        end=end,
        actor=world.pp,
    )
    if how == "revoked":
        services.delegation_revoke(delegation=delegation, actor=world.pp)
    product = product_create(price=Decimal("100000"), partner=shops[0])
    requisition = _submit(world, [(product, 1)])
    # when the colleague approves, then it is refused
    with pytest.raises(ApprovalRefused):
        _approve(requisition, colleague)
    assert selectors.approver_inbox_count(user=colleague) == 0


def test_delegation_rules(world):
    outsider = person_with_roles(agency=AgencyFactory(), roles=[Role.REQUESTER])
    today = timezone.localdate()
    base = {"agency": world.agency, "role": Role.PROCUREMENT_OFFICIAL, "actor": world.pp}
    with pytest.raises(ProcurementError, match="bukan pegawai"):
        services.delegation_create(delegator=world.pp, delegate=outsider, start=today, end=today, **base)
    with pytest.raises(ProcurementError, match="diri sendiri"):
        services.delegation_create(delegator=world.pp, delegate=world.pp, start=today, end=today, **base)
    with pytest.raises(ProcurementError, match="tidak memegang"):
        services.delegation_create(delegator=world.ppk, delegate=world.pa, start=today, end=today, **base)
    with pytest.raises(ProcurementError, match="sesudah"):
        services.delegation_create(
            delegator=world.pp, delegate=world.pa, start=today, end=today - timedelta(days=1), **base
        )


# --- return, revise, resubmit; rejection; cancellation ---


def test_return_revise_and_resubmit_round_trip(world, shops):
    # given a requisition of two products the PP returns for revision
    nasi = product_create(title="Nasi Kotak", price=Decimal("25000"), partner=shops[0])
    kue = product_create(title="Kue Basah", price=Decimal("3000"), partner=shops[1])
    requisition = _submit(world, [(nasi, 40), (kue, 40)])
    with pytest.raises(ProcurementError, match="alasan"):
        requisition_decide(requisition=requisition, user=world.pp, decision=Decision.RETURN)
    requisition_decide(
        requisition=requisition,
        user=world.pp,
        decision=Decision.RETURN,
        comment="Kue tidak dianggarkan; kurangi nasi menjadi 30.",
    )
    requisition.refresh_from_db()
    assert requisition.status == RequisitionStatus.RETURNED
    # when the requester revises (0 removes the cakes) and resubmits after a price rise
    lines = {line.title: line.pk for line in requisition.lines.all()}
    services.requisition_revise(
        requisition=requisition,
        user=world.requester,
        purpose="Rapat posyandu",
        quantities={lines["Nasi Kotak"]: 30, lines["Kue Basah"]: 0},
    )
    StockRecord.objects.filter(product=nasi).update(price=Decimal("26000"))
    with pytest.raises(ApprovalRefused):
        services.requisition_resubmit(requisition=requisition, user=world.pp)
    services.requisition_resubmit(requisition=requisition, user=world.requester)
    requisition.refresh_from_db()
    # then it is a new round at today's price, and the PP can approve it
    assert (requisition.status, requisition.round, requisition.total) == (
        RequisitionStatus.SUBMITTED,
        2,
        Decimal("780000"),
    )
    assert requisition.purpose == "Rapat posyandu"
    _approve(requisition, world.pp)
    requisition.refresh_from_db()
    assert requisition.status == RequisitionStatus.APPROVED
    assert [d.round for d in requisition.decisions.all()] == [1, 2]
    actions = list(AuditEntry.objects.filter(requisition=requisition).values_list("action", flat=True))
    assert actions == [
        "requisition.submit",
        "requisition.decide.kembalikan",
        "requisition.revise",
        "requisition.resubmit",
        "requisition.decide.setuju",
    ]


def test_rejection_commits_nothing(world, shops):
    product = product_create(price=Decimal("100000"), partner=shops[0])
    requisition = _submit(world, [(product, 3)])
    requisition_decide(
        requisition=requisition, user=world.pp, decision=Decision.REJECT, comment="Tidak perlu"
    )
    requisition.refresh_from_db()
    assert requisition.status == RequisitionStatus.REJECTED
    assert BudgetLine.objects.get(pk=world.line.pk).committed == 0
    assert not BudgetCommitment.objects.exists() and not Order.objects.exists()
    with pytest.raises(RequisitionStateError):
        _approve(requisition, world.pp)


def _live_sum(line) -> Decimal:
    return BudgetCommitment.objects.filter(budget_line=line, status=CommitmentStatus.LIVE).aggregate(
        s=Sum("amount")
    )["s"] or Decimal(0)


def test_a_seller_rejecting_an_official_order_releases_its_amount(world, shops):
    # given an approved requisition of two sellers
    nasi = product_create(price=Decimal("25000"), partner=shops[0])
    air = product_create(price=Decimal("4000"), partner=shops[1])
    requisition = _submit(world, [(nasi, 40), (air, 40)])
    _approve(requisition, world.pp)
    order = Order.objects.get(checkout_reference=requisition.reference, seller=shops[1])
    # when the water seller rejects its order
    order_status_change(
        order=order,
        actor=shops[1].users.get(),
        party=Party.SELLER,
        status=OrderStatus.REJECTED,
        reason="Stok habis",
    )
    # then its Rp160.000 goes back to the line, which still equals its live commitments
    line = BudgetLine.objects.get(pk=world.line.pk)
    assert line.committed == Decimal("1000000") == _live_sum(line)
    assert AuditEntry.objects.filter(action="budget.release.order", requisition=requisition).count() == 1
    # when the other seller rejects too, then the commitment is released entirely
    order = Order.objects.get(checkout_reference=requisition.reference, seller=shops[0])
    order_status_change(
        order=order, actor=None, party=Party.SELLER, status=OrderStatus.REJECTED, reason="Tutup"
    )
    line.refresh_from_db()
    assert line.committed == 0 == _live_sum(line)
    assert BudgetCommitment.objects.get(requisition=requisition).status == CommitmentStatus.RELEASED


def test_cancellation_after_approval_cancels_new_orders_and_releases_everything(world, shops):
    product = product_create(price=Decimal("50000"), partner=shops[0], stock=10)
    requisition = _submit(world, [(product, 4)])
    _approve(requisition, world.pp)
    services.requisition_cancel(requisition=requisition, user=world.requester, reason="Acara batal")
    requisition.refresh_from_db()
    assert requisition.status == RequisitionStatus.CANCELLED
    assert Order.objects.get(checkout_reference=requisition.reference).status == OrderStatus.CANCELLED
    assert StockRecord.objects.get(product=product).num_allocated == 0
    assert BudgetLine.objects.get(pk=world.line.pk).committed == 0


def test_cancellation_is_refused_once_a_seller_accepted(world, shops):
    product = product_create(price=Decimal("50000"), partner=shops[0], stock=10)
    requisition = _submit(world, [(product, 4)])
    _approve(requisition, world.pp)
    order = Order.objects.get(checkout_reference=requisition.reference)
    order_status_change(order=order, actor=None, party=Party.SELLER, status=OrderStatus.ACCEPTED)
    with pytest.raises(RequisitionStateError):
        services.requisition_cancel(requisition=requisition, user=world.requester, reason="Acara batal")
    assert BudgetLine.objects.get(pk=world.line.pk).committed == Decimal("200000")


def test_budget_release_by_amount_then_in_full(world, shops):
    product = product_create(price=Decimal("50000"), partner=shops[0], stock=10)
    requisition = _submit(world, [(product, 4)])
    _approve(requisition, world.pp)
    assert services.budget_release(
        requisition=requisition, amount=Decimal("50000"), actor=world.pp, reason="Satu kotak kurang dikirim"
    ) == Decimal("50000")
    line = BudgetLine.objects.get(pk=world.line.pk)
    assert line.committed == Decimal("150000") == _live_sum(line)
    services.budget_release(requisition=requisition, amount=None, actor=world.pp, reason="Batal")
    line.refresh_from_db()
    assert line.committed == 0 == _live_sum(line)
    with pytest.raises(ProcurementError):
        services.budget_release(requisition=requisition, amount=None, actor=world.pp, reason="Lagi")


# --- reminders and expiry ---


def _waiting_since(requisition, when):
    Requisition.objects.filter(pk=requisition.pk).update(date_submitted=when)


def test_reminders_go_after_two_working_days_and_once_a_day(world, shops, django_capture_on_commit_callbacks):
    # given a requisition submitted on a Friday morning
    product = product_create(price=Decimal("50000"), partner=shops[0])
    requisition = _submit(world, [(product, 1)])
    friday = timezone.make_aware(datetime(2026, 11, 20, 9, 0))
    _waiting_since(requisition, friday)
    mail.outbox.clear()
    # when beat runs on Monday (one working day later), then nobody is reminded
    with django_capture_on_commit_callbacks(execute=True):
        assert services.requisitions_remind(now=friday + timedelta(days=3)) == 0
    # when it runs twice on Tuesday, then the PP is reminded once
    tuesday = friday + timedelta(days=4)
    with django_capture_on_commit_callbacks(execute=True):
        assert services.requisitions_remind(now=tuesday) == 1
        assert services.requisitions_remind(now=tuesday + timedelta(hours=3)) == 0
    assert [m.to for m in mail.outbox] == [[world.pp.email]]
    assert "Pengingat" in mail.outbox[0].subject
    # and again on Wednesday
    assert services.requisitions_remind(now=tuesday + timedelta(days=1)) == 1


def test_untouched_requisitions_expire_and_it_is_recorded(world, shops):
    product = product_create(price=Decimal("50000"), partner=shops[0])
    old, fresh = _submit(world, [(product, 1)]), _submit(world, [(product, 1)])
    _waiting_since(old, timezone.now() - timedelta(days=15))
    assert services.requisitions_expire() == 1
    old.refresh_from_db()
    fresh.refresh_from_db()
    assert (old.status, fresh.status) == (RequisitionStatus.EXPIRED, RequisitionStatus.SUBMITTED)
    entry = AuditEntry.objects.get(action="requisition.expire")
    assert entry.actor is None and entry.requisition == old
    assert BudgetLine.objects.get(pk=world.line.pk).committed == 0
    with pytest.raises(RequisitionStateError):
        _approve(old, world.pp)


# --- split purchases ---


def test_split_purchases_under_a_band_are_flagged(world, shops):
    # given three Rp4 juta requisitions to one seller within the window
    product = product_create(title="Kertas A4", price=Decimal("4000000"), partner=shops[0], stock=100)
    other = product_create(title="Spidol", price=Decimal("100000"), partner=shops[1], stock=100)
    first = _submit(world, [(product, 1)])
    assert selectors.split_purchase_warnings(requisition=first) == []
    _submit(world, [(product, 1)])
    third = _submit(world, [(product, 1), (other, 1)])
    # then the third shows one warning, for the seller and the Rp10 juta band
    warnings = selectors.split_purchase_warnings(requisition=third)
    assert len(warnings) == 1
    assert "Warung Bu 1" in warnings[0] and "Rp12.000.000" in warnings[0] and "Rp10.000.000" in warnings[0]


# --- queries ---


def _decision_queries(world, items) -> int:
    requisition = _submit(world, items)
    with CaptureQueriesContext(connection) as captured:
        _approve(requisition, world.pp)
    assert Requisition.objects.get(pk=requisition.pk).status == RequisitionStatus.APPROVED
    return len(captured)


def test_approval_takes_a_bounded_number_of_queries(world, shops):
    # given one line of one seller, and ten lines of five sellers
    products = [product_create(price=Decimal("10000"), partner=shops[n % 5], stock=50) for n in range(10)]
    _decision_queries(world, [(products[0], 1)])  # warms the site and content-type caches
    one = _decision_queries(world, [(products[0], 1)])
    ten = _decision_queries(world, [(p, 2) for p in products])
    # then approving either takes the same number of queries
    assert ten == one, (one, ten)


def test_inbox_queries_do_not_grow_with_rows(world, shops, django_assert_max_num_queries):
    product = product_create(price=Decimal("10000"), partner=shops[0], stock=100)
    for _n in range(5):
        _submit(world, [(product, 1)])
    with django_assert_max_num_queries(1):
        rows = list(selectors.approver_inbox(user=world.pp))
        assert [r.agency.name for r in rows] and [r.requester.email for r in rows]
    assert len(rows) == 5
    with django_assert_max_num_queries(1):
        assert selectors.approver_inbox_count(user=world.pp) == 5
    assert selectors.approver_inbox_count(user=world.requester) == 0


def test_beat_tasks_run_the_services(world, shops, settings):
    # given the beat schedule and one stale requisition
    assert settings.CELERY_BEAT_SCHEDULE["procurement-requisitions-expire"]["task"] == (
        "procurement.tasks.requisitions_expire"
    )
    assert "procurement-requisitions-remind" in settings.CELERY_BEAT_SCHEDULE
    from procurement import tasks

    product = product_create(price=Decimal("10000"), partner=shops[0])
    requisition = _submit(world, [(product, 1)])
    _waiting_since(requisition, timezone.now() - timedelta(days=30))
    # when the tasks run, then the stale one is reminded and expired
    assert tasks.requisitions_remind.delay().get() == 1
    assert tasks.requisitions_expire.delay().get() == 1
    assert Requisition.objects.get(pk=requisition.pk).status == RequisitionStatus.EXPIRED


def test_the_default_policy_is_data_from_settings(world, settings):
    settings.PEKEN_APPROVAL_PP_LIMIT = 150_000_000
    steps = services.approval_policy_default(agency=world.agency, actor=world.admin)
    assert [(s.position, s.role, s.min_amount, s.max_amount) for s in steps] == [
        (1, Role.PROCUREMENT_OFFICIAL, 0, None),
        (2, Role.COMMITMENT_OFFICIAL, 150_000_000, None),
        (3, Role.BUDGET_HOLDER, 1_000_000_000, None),
    ]
    assert [s.role for s in selectors.requisition_steps_for(agency=world.agency, total=Decimal("2e9"))] == [
        Role.PROCUREMENT_OFFICIAL,
        Role.COMMITMENT_OFFICIAL,
        Role.BUDGET_HOLDER,
    ]
    assert AuditEntry.objects.filter(action="approval_policy.default").count() == 2


# --- one rule for the inbox, the badge, the candidates, the decision and its page ---


def _delegate_ppk_step(world, shops, *, delegator):
    """A requisition needing the PPK step, and a colleague holding a PPK delegation from ``delegator``."""
    colleague = person_with_roles(agency=world.agency, roles=[Role.TREASURER], email="fajar@dinkes.uji")
    colleague.first_name, colleague.last_name = "Fajar", "Uji"
    colleague.save(update_fields=["first_name", "last_name"])
    today = timezone.localdate()
    services.delegation_create(
        agency=world.agency,
        delegator=delegator,
        delegate=colleague,
        role=Role.COMMITMENT_OFFICIAL,
        start=today,
        end=today + timedelta(days=5),
        actor=delegator,
    )
    server = product_create(price=Decimal("150000000"), partner=shops[0], stock=5)
    requisition = _submit(world, [(server, 2)])
    return colleague, requisition


def _everyone_agrees_the_colleague_may_not_decide(requisition, colleague, client):
    step = selectors.requisition_current_step(requisition=requisition)
    assert step.role == Role.COMMITMENT_OFFICIAL
    assert list(selectors.approver_inbox(user=colleague)) == []
    assert selectors.approver_inbox_count(user=colleague) == 0
    assert colleague not in [u for u, _for in selectors.step_candidates(requisition=requisition, step=step)]
    assert not selectors.step_authority(requisition=requisition, user=colleague).allowed
    client.force_login(colleague)
    page = client.get(reverse("procurement:decide", kwargs={"reference": requisition.reference}))
    assert page.status_code == 200
    assert "data-not-yours" in page.content.decode() and 'name="decision"' not in page.content.decode()
    with pytest.raises(ApprovalRefused):
        _approve(requisition, colleague)


def test_a_delegate_whose_delegator_lost_the_role_sees_nothing_they_would_be_refused(world, shops, client):
    # given the PPK delegates to a colleague, and a requisition reaches the PPK step
    colleague, requisition = _delegate_ppk_step(world, shops, delegator=world.ppk)
    _approve(requisition, world.pp)
    assert list(selectors.approver_inbox(user=colleague)) == [requisition]
    # when the PPK loses the role
    world.ppk.memberships.filter(role=Role.COMMITMENT_OFFICIAL).delete()
    # then inbox, badge, candidates, decision page and decision all say the colleague may not decide
    _everyone_agrees_the_colleague_may_not_decide(requisition, colleague, client)


def test_a_delegate_of_someone_who_decided_an_earlier_step_sees_nothing_they_would_be_refused(
    world, shops, client
):
    # given the PP also holds the PPK role and delegates it to a colleague
    world.pp.memberships.create(agency=world.agency, role=Role.COMMITMENT_OFFICIAL)
    colleague, requisition = _delegate_ppk_step(world, shops, delegator=world.pp)
    # when the PP approves the first step, so the requisition waits at the PPK step
    _approve(requisition, world.pp)
    # then nobody offers the colleague the PPK step, which the PP's own approval bars
    _everyone_agrees_the_colleague_may_not_decide(requisition, colleague, client)
    # and Citra, the other PPK, still may
    step = selectors.requisition_current_step(requisition=requisition)
    assert selectors.step_candidates(requisition=requisition, step=step) == [(world.ppk, None)]
    assert _approve(requisition, world.ppk).actor == world.ppk


def test_only_the_requester_of_a_returned_requisition_takes_it_back_into_an_empty_basket(world, shops):
    # given a submitted requisition
    product = product_create(price=Decimal("100000"), partner=shops[0])
    requisition = _submit(world, [(product, 3)])
    empty = official_basket(user=world.requester, items=[])
    # when it is taken back before it is returned, then it is refused
    with pytest.raises(RequisitionStateError):
        services.requisition_basket_reopen(requisition=requisition, user=world.requester, basket=empty)
    requisition_decide(requisition=requisition, user=world.pp, decision=Decision.RETURN, comment="Ganti")
    # and by anyone but its requester, or into a basket already holding goods
    with pytest.raises(ApprovalRefused):
        services.requisition_basket_reopen(
            requisition=requisition, user=world.pp, basket=official_basket(user=world.pp, items=[])
        )
    full = official_basket(user=world.requester, items=[(product, 1)])
    with pytest.raises(ProcurementError, match="masih berisi"):
        services.requisition_basket_reopen(requisition=requisition, user=world.requester, basket=full)
    full.flush()
    # then, into the requester's empty basket, its lines go back and the requisition stays returned
    left_out = services.requisition_basket_reopen(requisition=requisition, user=world.requester, basket=full)
    assert left_out == []
    assert [(line.product_id, line.quantity) for line in full.all_lines()] == [(product.pk, 3)]
    requisition.refresh_from_db()
    assert requisition.status == RequisitionStatus.RETURNED and requisition.lines.count() == 1
    # and resubmitting an emptied basket is refused, leaving the requisition as it was
    full.flush()
    with pytest.raises(ProcurementError, match="kosong"):
        services.requisition_resubmit_from_basket(
            requisition=requisition,
            user=world.requester,
            basket=full,
            budget_line=world.line,
            kode_rup="",
            purpose="Rapat",
            delivery_address="Jl. Jemursari 197",
            needed_by=timezone.localdate() + timedelta(days=3),
        )
    assert requisition.lines.count() == 1
