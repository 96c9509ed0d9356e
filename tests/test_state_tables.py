"""Every state table, pinned: each test writes the allowed moves out by hand and tries every pair.

The expected moves are written here, never read from the table, so widening (or narrowing)
a table in code fails its test until the move is added here on purpose. Each walk goes
through the service that makes the move, or through the one check function it calls where
the service also applies other rules (an order's shipping, a requisition's approvers).
"""

from decimal import Decimal
from itertools import product as pairs

from oscar.core.loading import get_model

from catalogue_ext import services as catalogue_services
from catalogue_ext.abstract_models import REPORT_TRANSITIONS, ListingStatus, ReportReason, ReportStatus
from orders.statuses import OrderStatus, Party, order_move_allowed
from payments import services as payment_services
from payments.models import PaymentStatus, Refund, RefundStatus
from peken import imports
from peken.models import ImportJob, ImportJobStatus, ImportKind
from procurement import services as procurement_services
from procurement.models import BudgetCommitment, OfficialPayment, Requisition
from procurement.services import treasury
from procurement.statuses import (
    CommitmentStatus,
    DocumentKind,
    OfficialPaymentStatus,
    PaymentMethod,
    RequisitionStatus,
)
from sellers import services as seller_services
from sellers.abstract_models import SellerStatus
from tests.factories import PartnerFactory, PaymentFactory, UserFactory, order_create, product_create
from tests.procurement_factories import RequisitionFactory

Product = get_model("catalogue", "Product")
Partner = get_model("partner", "Partner")
ListingReport = get_model("catalogue", "ListingReport")


def allowed_pairs(sources, targets, attempt) -> set[tuple[str, str]]:
    """Try every (from, to) pair; the pairs ``attempt`` let through (it returns False when refused)."""
    return {(str(old), str(new)) for old, new in pairs(sources, targets) if attempt(old, new)}


def literal(moves) -> set[tuple[str, str]]:
    return {(str(old), str(new)) for old, new in moves}


# --- orders: (from, to, party)

ORDER_MOVES = {
    (OrderStatus.NEW, OrderStatus.ACCEPTED, Party.SELLER),
    (OrderStatus.NEW, OrderStatus.REJECTED, Party.SELLER),
    (OrderStatus.NEW, OrderStatus.CANCELLED, Party.BUYER),
    (OrderStatus.NEW, OrderStatus.CANCELLED, Party.SYSTEM),
    (OrderStatus.ACCEPTED, OrderStatus.READY, Party.SELLER),
    (OrderStatus.ACCEPTED, OrderStatus.SENT, Party.SELLER),
    (OrderStatus.ACCEPTED, OrderStatus.REJECTED, Party.SELLER),
    (OrderStatus.READY, OrderStatus.RECEIVED, Party.BUYER),
    (OrderStatus.READY, OrderStatus.RECEIVED, Party.SYSTEM),
    (OrderStatus.SENT, OrderStatus.RECEIVED, Party.BUYER),
    (OrderStatus.SENT, OrderStatus.RECEIVED, Party.SYSTEM),
}


def test_the_order_table_allows_exactly_these_moves_by_these_parties():
    # given every status and every party
    # when each (from, to, party) is checked the way order_status_change checks it
    allowed = {
        (str(old), str(new), str(party))
        for old, new, party in pairs(OrderStatus, OrderStatus, Party)
        if order_move_allowed(old=old, new=new, party=party)
    }
    # then exactly the moves written above pass, and every other one is refused
    assert allowed == {(str(old), str(new), str(party)) for old, new, party in ORDER_MOVES}


# --- listings (curation); "" is a listing not yet submitted

LISTING_MOVES = {
    ("", ListingStatus.PENDING),
    ("", ListingStatus.HELD),
    (ListingStatus.PENDING, ListingStatus.PENDING),
    (ListingStatus.PENDING, ListingStatus.HELD),
    (ListingStatus.PENDING, ListingStatus.APPROVED),
    (ListingStatus.PENDING, ListingStatus.REJECTED),
    (ListingStatus.HELD, ListingStatus.HELD),
    (ListingStatus.HELD, ListingStatus.APPROVED),
    (ListingStatus.HELD, ListingStatus.REJECTED),
    (ListingStatus.APPROVED, ListingStatus.PENDING),
    (ListingStatus.APPROVED, ListingStatus.HELD),
    (ListingStatus.REJECTED, ListingStatus.HELD),
}


def test_the_listing_table_allows_exactly_these_moves(db):
    # given one listing, put in each status in turn
    listing = product_create(title="Keripik Tempe Malang")
    verifier = UserFactory()

    def attempt(old, new):
        Product.objects.filter(pk=listing.pk).update(listing_status=old)
        try:
            catalogue_services.listing_status_change(
                product=listing, actor=verifier, status=new, reason="uji"
            )
        except catalogue_services.ListingError:
            return False
        return True

    # when every (from, to) pair is tried through listing_status_change
    allowed = allowed_pairs(["", *ListingStatus], ListingStatus, attempt)
    # then exactly the moves written above are made, and every other one is refused
    assert allowed == literal(LISTING_MOVES)


# --- shops

SELLER_MOVES = {
    (SellerStatus.PENDING, SellerStatus.ACTIVE),
    (SellerStatus.PENDING, SellerStatus.REJECTED),
    (SellerStatus.REJECTED, SellerStatus.PENDING),
    (SellerStatus.ACTIVE, SellerStatus.SUSPENDED),
    (SellerStatus.SUSPENDED, SellerStatus.ACTIVE),
}


def test_the_shop_table_allows_exactly_these_moves(db):
    # given one shop, put in each status in turn
    shop = PartnerFactory()
    verifier = UserFactory()

    def attempt(old, new):
        Partner.objects.filter(pk=shop.pk).update(status=old)
        try:
            seller_services.seller_status_change(seller=shop, actor=verifier, status=new, reason="uji")
        except seller_services.SellerStatusError:
            return False
        return True

    # when every (from, to) pair is tried through seller_status_change
    allowed = allowed_pairs(SellerStatus, SellerStatus, attempt)
    # then exactly the moves written above are made
    assert allowed == literal(SELLER_MOVES)


# --- card payments and refunds

PAYMENT_MOVES = {
    (PaymentStatus.CREATED, PaymentStatus.SUCCEEDED),
    (PaymentStatus.CREATED, PaymentStatus.FAILED),
    (PaymentStatus.CREATED, PaymentStatus.CANCELED),
    (PaymentStatus.FAILED, PaymentStatus.SUCCEEDED),
    (PaymentStatus.FAILED, PaymentStatus.CANCELED),
    (PaymentStatus.SUCCEEDED, PaymentStatus.PARTIALLY_REFUNDED),
    (PaymentStatus.SUCCEEDED, PaymentStatus.REFUNDED),
    (PaymentStatus.PARTIALLY_REFUNDED, PaymentStatus.REFUNDED),
}


def test_the_payment_table_allows_exactly_these_moves(db):
    # given one payment (with no basket, so any status is allowed by the database), in each status in turn
    payment = PaymentFactory(basket=None)

    def attempt(old, new):
        payment.status = old
        payment.save(update_fields=["status"])
        try:
            moved = payment_services._payment_move(payment, to=new, actor=None, source="uji")
        except payment_services.PaymentTransitionRefused:
            return False
        # a payment already in that status is left alone, which is not a move
        assert moved == (old != new)
        return moved

    # when every (from, to) pair is tried through the one function that moves a payment
    allowed = allowed_pairs(PaymentStatus, PaymentStatus, attempt)
    # then exactly the moves written above are made (and recorded), and the rest are refused
    assert allowed == literal(PAYMENT_MOVES)
    assert payment.status_changes.count() == len(PAYMENT_MOVES)


REFUND_MOVES = {
    (RefundStatus.PENDING, RefundStatus.SUCCEEDED),
    (RefundStatus.PENDING, RefundStatus.FAILED),
    (RefundStatus.FAILED, RefundStatus.PENDING),
    (RefundStatus.FAILED, RefundStatus.SUCCEEDED),
}


def test_the_refund_table_allows_exactly_these_moves(db):
    # given one refund, in each status in turn
    payment = PaymentFactory(basket=None, status=PaymentStatus.SUCCEEDED)
    refund = Refund.objects.create(
        payment=payment, amount=Decimal("1000"), idempotency_key="uji-1", reason="uji"
    )

    def attempt(old, new):
        Refund.objects.filter(pk=refund.pk).update(status=old)
        refund.refresh_from_db()
        try:
            payment_services._refund_move(refund, to=new)
        except payment_services.PaymentTransitionRefused:
            return False
        refund.refresh_from_db()
        assert refund.status == new
        return old != new  # asking again while already there is no move

    # when every (from, to) pair is tried through the one function that moves a refund
    allowed = allowed_pairs(RefundStatus, RefundStatus, attempt)
    # then exactly the moves written above are made
    assert allowed == literal(REFUND_MOVES)


# --- requisitions

REQUISITION_MOVES = {
    (RequisitionStatus.DRAFT, RequisitionStatus.SUBMITTED),
    (RequisitionStatus.DRAFT, RequisitionStatus.CANCELLED),
    # one approval step done, the next one waits
    (RequisitionStatus.SUBMITTED, RequisitionStatus.SUBMITTED),
    (RequisitionStatus.SUBMITTED, RequisitionStatus.APPROVED),
    (RequisitionStatus.SUBMITTED, RequisitionStatus.REJECTED),
    (RequisitionStatus.SUBMITTED, RequisitionStatus.RETURNED),
    (RequisitionStatus.SUBMITTED, RequisitionStatus.EXPIRED),
    (RequisitionStatus.SUBMITTED, RequisitionStatus.CANCELLED),
    (RequisitionStatus.RETURNED, RequisitionStatus.SUBMITTED),
    (RequisitionStatus.RETURNED, RequisitionStatus.CANCELLED),
    (RequisitionStatus.APPROVED, RequisitionStatus.CANCELLED),
}


def test_the_requisition_table_allows_exactly_these_moves():
    # given a requisition in each status
    def attempt(old, new):
        requisition = Requisition(reference="PGD-UJI", status=old)
        try:
            procurement_services._move(requisition, new)
        except procurement_services.RequisitionStateError:
            return False
        assert requisition.status == new
        return True

    # when every (from, to) pair is tried through _move, which every requisition service calls
    allowed = allowed_pairs(RequisitionStatus, RequisitionStatus, attempt)
    # then exactly the moves written above pass
    assert allowed == literal(REQUISITION_MOVES)


# --- listing reports (the service makes one kind of move, the table says the rest) and budget commitments

REPORT_MOVES = {
    (ReportStatus.OPEN, ReportStatus.DISMISSED),
    (ReportStatus.OPEN, ReportStatus.REMOVED),
}


def test_the_listing_report_table_allows_exactly_these_moves(db):
    # given one report, in each status in turn
    report = ListingReport.objects.create(
        product=product_create(title="Emas Batangan 10 g"),
        reporter=UserFactory(),
        reason=ReportReason.NOT_UMKM,
    )
    verifier = UserFactory()

    def attempt(old, new):
        if new == ReportStatus.OPEN:  # no service reopens a report: the table must not allow it either
            return new in REPORT_TRANSITIONS[old]
        ListingReport.objects.filter(pk=report.pk).update(status=old)
        try:
            settled = catalogue_services.listing_report_settle(
                report=report, actor=verifier, remove=new == ReportStatus.REMOVED, note="uji"
            )
        except catalogue_services.ReportError:
            return False
        assert settled.status == new
        return True

    # when every (from, to) pair is tried through listing_report_settle
    allowed = allowed_pairs(ReportStatus, ReportStatus, attempt)
    # then exactly the moves written above are made
    assert allowed == literal(REPORT_MOVES)


COMMITMENT_MOVES = {
    (CommitmentStatus.LIVE, CommitmentStatus.RELEASED),
    (CommitmentStatus.LIVE, CommitmentStatus.REALISED),
}


def test_the_commitment_table_allows_exactly_these_moves(db):
    # given one approved requisition's commitment, in each status in turn
    requisition = RequisitionFactory(status=RequisitionStatus.APPROVED)
    commitment = BudgetCommitment.objects.create(
        budget_line=requisition.budget_line, requisition=requisition, amount=Decimal("50000")
    )

    def attempt(old, new):
        BudgetCommitment.objects.filter(pk=commitment.pk).update(status=old, date_closed=None)
        commitment.refresh_from_db()
        try:
            procurement_services._commitment_move(commitment, to=new)
        except procurement_services.ProcurementError:
            return False
        commitment.refresh_from_db()
        assert commitment.status == new and commitment.date_closed is not None
        return True

    # when every (from, to) pair is tried through the one function that moves a commitment
    allowed = allowed_pairs(CommitmentStatus, CommitmentStatus, attempt)
    # then exactly the moves written above are made, and every other one is refused
    assert allowed == literal(COMMITMENT_MOVES)


# --- import jobs (a big upload applied by a worker)

IMPORT_JOB_MOVES = {
    (ImportJobStatus.QUEUED, ImportJobStatus.RUNNING),
    (ImportJobStatus.QUEUED, ImportJobStatus.FAILED),
    (ImportJobStatus.RUNNING, ImportJobStatus.DONE),
    (ImportJobStatus.RUNNING, ImportJobStatus.FAILED),
}


def test_the_import_job_table_allows_exactly_these_moves(db):
    # given a shop's import job, in each status in turn
    shop = PartnerFactory()
    job = ImportJob.objects.create(
        kind=ImportKind.STOCK_CSV, owner=shop, actor=UserFactory(), file_name="stok.csv", rows_total=1
    )

    def attempt(old, new):
        job.status = old
        try:
            imports._status_move(job, new)
        except imports.ImportJobStatusError:
            return False
        assert ImportJob.objects.get(pk=job.pk).status == new
        return True

    # when every (from, to) pair is tried through the one function that moves a job
    allowed = allowed_pairs(ImportJobStatus, ImportJobStatus, attempt)
    # then exactly the moves written above are allowed
    assert allowed == literal(IMPORT_JOB_MOVES)


# --- an official order's payment by the treasurer

OFFICIAL_PAYMENT_MOVES = {
    (OfficialPaymentStatus.PENDING, OfficialPaymentStatus.PAID),
    (OfficialPaymentStatus.PENDING, OfficialPaymentStatus.CANCELLED),
}


def test_the_official_payment_table_allows_exactly_these_moves(db):
    # given one official order's payment, in each status in turn
    requisition = RequisitionFactory(status=RequisitionStatus.APPROVED)
    record = product_create(price=Decimal("25000")).stockrecords.get()
    order = order_create(user=None, lines=[(record, 2)], number="UJI-BAYAR-1", status=OrderStatus.RECEIVED)
    payment = OfficialPayment.objects.create(
        order=order,
        requisition=requisition,
        method=PaymentMethod.KKPD,
        status=OfficialPaymentStatus.PENDING,
        price=50000,
        ppn=0,
        pbjt=0,
        gross=50000,
        withheld=0,
        net=50000,
        contract_document=DocumentKind.NOTA,
        paid_on=requisition.date_created.date(),
        treasurer=requisition.requester,
    )

    def attempt(old, new):
        OfficialPayment.objects.filter(pk=payment.pk).update(status=old)
        payment.refresh_from_db()
        try:
            treasury._payment_move(payment, to=new)
        except treasury.PaymentRefused:
            return False
        assert OfficialPayment.objects.get(pk=payment.pk).status == new
        return True

    # when every (from, to) pair is tried through the one function that moves a payment
    allowed = allowed_pairs(OfficialPaymentStatus, OfficialPaymentStatus, attempt)
    # then exactly the moves written above are made, and every other one is refused
    assert allowed == literal(OFFICIAL_PAYMENT_MOVES)
