"""One lock order for every path that locks sellers and stock, and conflicts retried, on PostgreSQL.

A personal checkout and an official final approval of the same product each
lock the seller and the stock; taken in different orders they deadlocked
and one of them got a server error. The races here are held open at the
worst moment on purpose, so each round is the interleaving that deadlocked.
"""

import threading
from decimal import Decimal

import pytest
from django.db import OperationalError, connection, transaction
from django.test import Client
from oscar.core.loading import get_model

import checkout.services
from peken.db import retry_on_conflict
from procurement.models import BudgetLine, Requisition
from procurement.services import official_orders, requisition_decide
from procurement.statuses import Decision, RequisitionStatus
from tests.checkout_flow import basket_add, checkout_to_preview, order_place
from tests.concurrency import run_at_once
from tests.factories import DEFAULT_PASSWORD, CountryFactory, UserFactory, product_create, seller_create
from tests.procurement_factories import RequisitionFactory, RequisitionLineFactory, approval_world

Order = get_model("order", "Order")
StockRecord = get_model("partner", "StockRecord")
Partner = get_model("partner", "Partner")
JUTA = Decimal("1000000")
ROUNDS = 6
HOLD = 0.4  # seconds the first side keeps its locks after taking them

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(connection.vendor != "postgresql", reason="row locks need PostgreSQL"),
]


def serialization_failure() -> None:
    """Make PostgreSQL fail the current statement as a serialization failure (40001) would."""
    with connection.cursor() as cursor:
        cursor.execute("DO $$ BEGIN RAISE EXCEPTION 'forced' USING ERRCODE = '40001'; END $$")


@pytest.fixture
def world(settings, indonesia):
    settings.PEKEN_OFFICIAL_SELLER_CAP = 10**12
    CountryFactory()
    return approval_world()


def _requisition(world, record, n: int) -> Requisition:
    requisition = RequisitionFactory(
        reference=f"RQ-LOCK-{n:04d}",
        agency=world.agency,
        requester=world.requester,
        budget_line=world.line,
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


def _shopper_at_preview(product, n: int) -> Client:
    user = UserFactory(email=f"pembeli{n}@contoh.id")
    client = Client()
    client.login(username=user.email, password=DEFAULT_PASSWORD)
    basket_add(client, product)
    assert checkout_to_preview(client).status_code == 200
    return client


def _holding(function, *, taken: threading.Event, hold: threading.Event):
    """``function``, which signals ``taken`` once it ran and then waits (locks held) on ``hold``."""

    def run(*args, **kwargs):
        result = function(*args, **kwargs)
        if not taken.is_set():
            taken.set()
            hold.wait(timeout=HOLD)
        return result

    return run


def test_checkout_and_final_approval_of_one_product_never_deadlock(world, monkeypatch):
    # given a shop's product with room for every order, and for each round a shopper at the
    # preview page and a requisition of the same product waiting for its final approval
    shop = seller_create(name="Toko Sumber Rejeki", email="rejeki@contoh.id")
    product = product_create(title="Kertas HVS A4", price=JUTA, partner=shop, stock=100)
    record = product.stockrecords.get()
    lock_stock = checkout.services.stock_lock_for_basket
    lock_sellers = official_orders._seller_cap_recheck
    outcomes = []
    for n in range(ROUNDS):
        shopper = _shopper_at_preview(product, n)
        requisition = _requisition(world, record, n)
        taken, hold = threading.Event(), threading.Event()
        # when they go at the same moment, and the side that locks first keeps its locks a while:
        # the checkout holding the stock (even rounds), or the approval holding the seller (odd rounds)
        if n % 2 == 0:
            monkeypatch.setattr(
                checkout.services, "stock_lock_for_basket", _holding(lock_stock, taken=taken, hold=hold)
            )
            monkeypatch.setattr(official_orders, "_seller_cap_recheck", lock_sellers)
            delays = [0, None]
        else:
            monkeypatch.setattr(
                official_orders, "_seller_cap_recheck", _holding(lock_sellers, taken=taken, hold=hold)
            )
            monkeypatch.setattr(checkout.services, "stock_lock_for_basket", lock_stock)
            delays = [None, 0]

        def second(call, taken=taken):
            def run():
                taken.wait(timeout=10)
                return call()

            return run

        place = lambda c=shopper: order_place(c)  # noqa: E731
        approve = lambda r=requisition: requisition_decide(  # noqa: E731
            requisition=r, user=world.pp, decision=Decision.APPROVE
        )
        calls = [place if delays[0] == 0 else second(place), approve if delays[1] == 0 else second(approve)]
        outcomes.append(run_at_once(calls))

    # then every round both went through: the order placed, the requisition approved, no database error
    for placed, decided in outcomes:
        assert not isinstance(placed, Exception), placed
        assert not isinstance(decided, Exception), decided
        assert placed.status_code == 302, placed.content[:500]
    assert Requisition.objects.filter(status=RequisitionStatus.APPROVED).count() == ROUNDS
    assert Order.objects.filter(user__isnull=False).count() == ROUNDS
    assert Order.objects.filter(user__isnull=True).count() == ROUNDS
    # and the stock and the budget add up to exactly what was bought
    record.refresh_from_db()
    assert record.num_allocated == 2 * ROUNDS
    line = BudgetLine.objects.get(pk=world.line.pk)
    assert line.committed == ROUNDS * JUTA


def test_a_serialization_failure_runs_the_transaction_again_once():
    # given a transaction that fails as a serialization failure on its first run only
    runs = []

    @retry_on_conflict(attempts=3)
    def rename():
        with transaction.atomic():
            runs.append(1)
            Partner.objects.create(name=f"Toko percobaan {len(runs)}", code=f"percobaan-{len(runs)}")
            if len(runs) == 1:
                serialization_failure()
        return len(runs)

    # when it is called
    result = rename()
    # then it ran twice, and only the second run's row stayed
    assert result == 2
    assert list(Partner.objects.values_list("code", flat=True)) == ["percobaan-2"]


def test_retries_stop_after_the_attempts_and_inside_an_outer_transaction():
    # given a transaction that always fails as a serialization failure
    runs = []

    @retry_on_conflict(attempts=2)
    def always():
        with transaction.atomic():
            runs.append(1)
            serialization_failure()

    # when it is called on its own, then it is tried twice and the error goes up
    with pytest.raises(OperationalError):
        always()
    assert len(runs) == 2
    # and inside another transaction it is not retried (only the outermost block can run again)
    runs.clear()
    with pytest.raises(OperationalError), transaction.atomic():
        always()
    assert len(runs) == 1


def test_placement_meeting_a_serialization_failure_places_the_order_on_the_retry(indonesia, monkeypatch):
    # given a shopper at the preview page, and a database that fails the stock lock once
    product = product_create(title="Beras Pandan Wangi 5 kg", stock=3)
    shopper = _shopper_at_preview(product, 0)
    original, runs = checkout.services.stock_lock_for_basket, []

    def failing_once(*, basket):
        runs.append(1)
        original(basket=basket)
        if len(runs) == 1:
            serialization_failure()

    monkeypatch.setattr(checkout.services, "stock_lock_for_basket", failing_once)
    # when the order is placed
    response = order_place(shopper)
    # then the shopper lands on the thank-you page with one order and one unit allocated
    assert response.status_code == 302 and len(runs) == 2
    assert Order.objects.count() == 1
    assert StockRecord.objects.get(product=product).num_allocated == 1


def test_final_approval_meeting_a_deadlock_is_approved_on_the_retry(world, monkeypatch):
    # given a requisition waiting for its final approval, and a database that reports a deadlock once
    shop = seller_create(name="Toko Makmur", email="makmur@contoh.id")
    record = product_create(title="Map Plastik", price=JUTA, partner=shop, stock=5).stockrecords.get()
    requisition = _requisition(world, record, 1)
    original, runs = official_orders._orders_place, []

    def deadlocked_once(**kwargs):
        runs.append(1)
        if len(runs) == 1:
            with connection.cursor() as cursor:
                cursor.execute("DO $$ BEGIN RAISE EXCEPTION 'forced' USING ERRCODE = '40P01'; END $$")
        return original(**kwargs)

    monkeypatch.setattr(official_orders, "_orders_place", deadlocked_once)
    # when the Pejabat Pengadaan approves
    requisition_decide(requisition=requisition, user=world.pp, decision=Decision.APPROVE)
    # then it is approved once: one order, one unit, the budget committed once
    assert len(runs) == 2
    assert Requisition.objects.get(pk=requisition.pk).status == RequisitionStatus.APPROVED
    assert Order.objects.count() == 1
    record.refresh_from_db()
    assert record.num_allocated == 1
    assert BudgetLine.objects.get(pk=world.line.pk).committed == JUTA
