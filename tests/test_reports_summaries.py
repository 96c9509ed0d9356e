"""The reports' own summaries hold exactly what their raw rows give, whatever wrote the rows.

PaidPayment, RequisitionShare and ProductPriceRange are kept by database triggers (reports
migrations 0001-0003): each test changes the raw rows through the services and, as an admin
correction or an import would, straight through the ORM, then recomputes the summary from the raw
rows in Python and compares exactly. The price and split-purchase flags, which read those
summaries, are recomputed from raw lines: many prices by product and by category, many windows.
"""

import random
import statistics
from collections import Counter, defaultdict
from datetime import timedelta
from decimal import Decimal

import pytest
from django.db.models import F
from django.utils import timezone
from oscar.core.loading import get_model

from procurement.models import OfficialPayment, Requisition, RequisitionLine
from procurement.selectors import split_purchase_bands
from procurement.statuses import OfficialPaymentStatus, RequisitionStatus
from reports import red_flags
from reports.exposure import period_bounds
from reports.models import PaidPayment, ProductPriceRange, RequisitionShare
from tests.factories import category_create
from tests.fulfilment_world import approved, fulfilment_world
from tests.procurement_factories import BudgetLineFactory, UnitFactory
from tests.reports_world import paid

Order = get_model("order", "Order")


@pytest.fixture
def world(db, indonesia, settings):
    settings.PEKEN_OFFICIAL_SELLER_CAP = 10**12
    world = fulfilment_world()
    world.line.ceiling = Decimal(5_000_000_000)
    world.line.save(update_fields=["ceiling"])
    for product in (world.beras, world.minyak, world.nasi):
        product.stockrecords.update(num_in_stock=100_000)
    return world


def _summary() -> set[tuple]:
    return set(
        PaidPayment.objects.values_list(
            "payment_id",
            "requisition_id",
            "order_id",
            "agency_id",
            "unit_id",
            "budget_line_id",
            "seller_id",
            "paid_on",
            "gross",
        )
    )


def _from_payments() -> set[tuple]:
    """Every paid payment with its requisition's agency, unit and line and its order's seller, as they are."""
    return {
        (
            p.pk,
            p.requisition_id,
            p.order_id,
            p.requisition.agency_id,
            p.requisition.unit_id,
            p.requisition.budget_line_id,
            p.order.seller_id,
            p.paid_on,
            p.gross,
        )
        for p in OfficialPayment.objects.select_related("requisition", "order")
        if p.status == OfficialPaymentStatus.PAID
    }


def test_paid_payments_follow_every_change(world):
    # given three payments recorded by the treasury service (two orders of one purchase, one of another)
    first = paid(world, items=[(world.beras, 2), (world.nasi, 3)])
    second = paid(world, items=[(world.minyak, 1)])
    assert len(_summary()) == 3 and _summary() == _from_payments()
    # when a payment is corrected in the database (its date and amounts)
    payment = first.payments[world.ani.pk]
    OfficialPayment.objects.filter(pk=payment.pk).update(
        paid_on=payment.paid_on - timedelta(days=1), gross=F("gross") + 1000, net=F("net") + 1000
    )
    # and a purchase moves to another unit and budget line, an order to another seller
    unit, line = UnitFactory(agency=world.agency, name="Bidang Gizi"), BudgetLineFactory(agency=world.agency)
    Requisition.objects.filter(pk=second.requisition.pk).update(unit=unit, budget_line=line)
    Order.objects.filter(pk=first.orders[world.darto.pk].pk).update(seller=world.ani)
    # then the summary is what the payments, requisitions and orders give now
    assert _summary() == _from_payments()
    assert PaidPayment.objects.get(payment=second.payments[world.ani.pk]).unit_id == unit.pk
    # when a payment is no longer paid (a card payment waiting, a cancelled one), it leaves
    waiting = second.payments[world.ani.pk]
    OfficialPayment.objects.filter(pk=waiting.pk).update(status=OfficialPaymentStatus.PENDING)
    cancelled = first.payments[world.darto.pk]
    OfficialPayment.objects.filter(pk=cancelled.pk).update(status=OfficialPaymentStatus.CANCELLED)
    assert len(_summary()) == 1 and _summary() == _from_payments()
    # and comes back when it is paid; a deleted payment leaves for good
    OfficialPayment.objects.filter(pk=waiting.pk).update(status=OfficialPaymentStatus.PAID)
    assert _summary() == _from_payments() and len(_summary()) == 2
    OfficialPayment.objects.filter(pk=payment.pk).delete()
    assert _summary() == _from_payments() and len(_summary()) == 1


def _shares() -> dict[tuple, tuple]:
    return {(s.requisition_id, s.seller_id): (s.amount, s.lines) for s in RequisitionShare.objects.all()}


def _from_lines() -> dict[tuple, tuple]:
    sums = defaultdict(lambda: [Decimal(0), 0])
    for line in RequisitionLine.objects.all():
        sums[(line.requisition_id, line.seller_id)][0] += line.unit_price * line.quantity
        sums[(line.requisition_id, line.seller_id)][1] += 1
    return {key: (amount, count) for key, (amount, count) in sums.items()}


def test_shares_follow_the_lines(world):
    # given two requisitions submitted and approved through the services (one of both shops)
    both = approved(world, items=[(world.beras, 3), (world.minyak, 2), (world.nasi, 4)])
    one = approved(world, items=[(world.nasi, 10)])
    assert len(_shares()) == 3 and _shares() == _from_lines()
    # when quantities and prices change in one statement each, a line moves to the other seller
    lines = RequisitionLine.objects.filter(requisition=both)
    lines.filter(seller=world.ani).update(quantity=F("quantity") + 5)
    lines.update(unit_price=F("unit_price") + 100)
    RequisitionLine.objects.filter(requisition=one).update(seller=world.ani)
    # then each share is its lines summed
    assert _shares() == _from_lines()
    assert (one.pk, world.darto.pk) not in _shares()
    # and a share whose lines are all gone is gone; one left with lines holds what is left
    RequisitionLine.objects.filter(requisition=both, product=world.beras).delete()
    RequisitionLine.objects.filter(requisition=one).delete()
    assert _shares() == _from_lines() and len(_shares()) == 2


def test_price_ranges_hold_every_price(world):
    # given lines of three products, then a price raised, one cut and a line deleted
    requisition = approved(world, items=[(world.beras, 1), (world.minyak, 1), (world.nasi, 1)])
    lines = RequisitionLine.objects.filter(requisition=requisition)
    lines.filter(product=world.beras).update(unit_price=Decimal(90000))
    lines.filter(product=world.minyak).update(unit_price=Decimal(1000))
    lines.filter(product=world.nasi).delete()
    approved(world, items=[(world.nasi, 2)])
    # then every product's range holds every price its lines have ever had
    ranges = {r.product_id: (r.lowest, r.highest) for r in ProductPriceRange.objects.all()}
    assert ranges[world.beras.pk] == (Decimal(75000), Decimal(90000))
    assert ranges[world.minyak.pk] == (Decimal(1000), Decimal(36000))
    assert ranges[world.nasi.pk] == (Decimal(25000), Decimal(25000))
    for line in RequisitionLine.objects.exclude(product=None):
        low, high = ranges[line.product_id]
        assert low <= line.unit_price <= high


def _expected_outliers(*, factor: Decimal, key_of) -> list[tuple]:
    """The price flag recomputed from raw lines: the median over each key's approved lines."""
    lines = [
        line
        for line in RequisitionLine.objects.select_related("requisition").exclude(product=None)
        if line.requisition.status == RequisitionStatus.APPROVED
    ]
    prices = defaultdict(list)
    for line in lines:
        if key_of(line) is not None:
            prices[key_of(line)].append(line.unit_price)
    medians = {key: statistics.median(values) for key, values in prices.items()}
    return sorted(
        (line.requisition_id, line.product_id, key_of(line), line.unit_price, medians[key_of(line)])
        for line in lines
        if key_of(line) is not None and line.unit_price > factor * medians[key_of(line)]
    )


def test_price_outliers_reproduced_from_many_prices(world):
    # given approved requisitions with lines of three products at many prices, odd and even counts
    sembako = category_create("Sembako")
    for product in (world.beras, world.minyak):
        product.categories.add(sembako)
    holders = [approved(world, items=[(world.beras, 1)]) for _n in range(6)]
    rng = random.Random(13)
    extra = []
    for product, count in ((world.beras, 41), (world.minyak, 30), (world.nasi, 17)):
        for _n in range(count):
            price = Decimal(rng.choice([10000, 12000, 12000, 15000, 20000, 31000, 47000, 90000]))
            extra.append(
                RequisitionLine(
                    requisition=rng.choice(holders),
                    seller=world.ani,
                    product=product,
                    title=product.title,
                    quantity=rng.randint(1, 5),
                    unit_price=price,
                )
            )
    RequisitionLine.objects.bulk_create(extra)
    start, end = timezone.localdate() - timedelta(days=30), timezone.localdate()
    # a product's first category in the tree, by path (the shops' own come first where they have one)
    first_category = {}
    for product in (world.beras, world.minyak, world.nasi):
        category = product.categories.order_by("path").first()
        if category is not None:
            first_category[product.pk] = category.pk
    # beras and minyak share Sembako, so a category's median is over more than one product
    assert sorted(Counter(first_category.values()).values()) == [1, 2]
    for factor in (Decimal("1.5"), Decimal(2), Decimal("3.1")):
        # when the flag is read by product and by category, then it is the raw lines' median rule
        by_product = red_flags.price_outliers(start=start, end=end, factor=factor)
        expected = _expected_outliers(factor=factor, key_of=lambda line: line.product_id)
        assert expected, factor
        assert sorted(
            (f.requisition_id, f.product_id, f.key_id, f.unit_price, f.median) for f in by_product
        ) == (expected)
        by_category = red_flags.price_outliers(start=start, end=end, factor=factor, by="category")
        expected = _expected_outliers(factor=factor, key_of=lambda line: first_category.get(line.product_id))
        assert (
            sorted((f.requisition_id, f.product_id, f.key_id, f.unit_price, f.median) for f in by_category)
            == expected
        )


def _split_from_lines(*, start, end, days: int, dropped: list | None = None) -> list[tuple]:
    """The split-purchase flag recomputed from raw lines, window by window, as the warning reads them.

    A window inside a later one flagged for the same band is dropped (counted in ``dropped``).
    """
    since, until = period_bounds(start=start, end=end)
    window = timedelta(days=days)
    shares, submitted = defaultdict(Decimal), {}
    for line in RequisitionLine.objects.select_related("requisition"):
        r = line.requisition
        if r.status in red_flags.LIVE and since - window <= r.date_submitted < until:
            shares[(r.agency_id, line.seller_id, r.pk)] += line.unit_price * line.quantity
            submitted[r.pk] = r.date_submitted
    pairs = defaultdict(list)
    for (agency_id, seller_id, pk), amount in shares.items():
        pairs[(agency_id, seller_id)].append((submitted[pk], pk, amount))
    kept, last = [], {}
    for (agency_id, seller_id), rows in sorted(pairs.items()):
        rows.sort()
        for day, _pk, _amount in rows:
            if day < since:
                continue
            members = [(pk, amount) for other, pk, amount in rows if day - window <= other <= day]
            ids = frozenset(pk for pk, _a in members)
            for band in split_purchase_bands([amount for _pk, amount in members]):
                previous = last.get((agency_id, seller_id, band))
                if previous is not None and ids <= previous[1]:
                    continue
                if previous is not None and previous[1] <= ids:
                    kept[previous[0]] = None
                    if dropped is not None:
                        dropped.append(previous)
                last[(agency_id, seller_id, band)] = (len(kept), ids)
                kept.append((agency_id, seller_id, band, sum(a for _p, a in members), sorted(ids)))
    return [flag for flag in kept if flag is not None]


def test_split_purchases_reproduced_from_many_windows(world, settings):
    # given thirty purchases from two shops on random days (some at the same moment), random sizes
    settings.PEKEN_VALUE_BANDS = [10_000_000, 50_000_000, 200_000_000]
    rng = random.Random(7)
    now = timezone.now()
    moments = [now - timedelta(days=rng.randint(0, 50), hours=rng.randint(0, 12)) for _n in range(24)]
    for _n in range(30):
        product = rng.choice([world.beras, world.nasi])
        requisition = approved(world, items=[(product, rng.randint(20, 130))])
        Requisition.objects.filter(pk=requisition.pk).update(date_submitted=rng.choice(moments))
        if rng.random() < 0.2:  # a few larger than the first band
            RequisitionLine.objects.filter(requisition=requisition).update(quantity=F("quantity") * 3)
    start, end = timezone.localdate() - timedelta(days=60), timezone.localdate()
    found, dropped = 0, []
    for days in (10, 30, 45):
        # when the flag is read, then it is the windows of the raw lines, each kept once
        expected = _split_from_lines(start=start, end=end, days=days, dropped=dropped)
        found += len(expected)
        flags = red_flags.split_purchases(start=start, end=end, window_days=days)
        got = [
            (f.agency_id, f.seller_id, f.band, f.total, [p.requisition_id for p in f.purchases])
            for f in flags
        ]
        assert got == expected
    # (the data holds many flags, and windows inside later ones that were left out)
    assert found >= 6 and dropped
