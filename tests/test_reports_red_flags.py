"""Red flags for auditors: each fires on a world built to trip it, stays quiet on its control, and runs
the same number of queries on a small and a larger world."""

from datetime import datetime, time, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone

from procurement.models import OfficialPayment, Requisition
from procurement.selectors import split_purchase_warnings
from reports import red_flags
from tests.factories import category_create
from tests.fulfilment_world import approved, delivered, fulfilment_world
from tests.reports_world import other_agency, paid, shop

JAKARTA = ZoneInfo("Asia/Jakarta")


@pytest.fixture
def world(db, indonesia, settings):
    settings.PEKEN_OFFICIAL_SELLER_CAP = 10**12
    settings.PEKEN_VALUE_BANDS = [10_000_000, 50_000_000, 200_000_000]
    world = fulfilment_world()
    world.line.ceiling = Decimal(5_000_000_000)
    world.line.save(update_fields=["ceiling"])
    for product in (world.beras, world.minyak, world.nasi):
        product.stockrecords.update(num_in_stock=100_000)
    world.b = other_agency(name="Dinas Pendidikan Uji", code="dispendik-uji")
    return world


def _period(days: int = 90):
    today = timezone.localdate()
    return {"start": today - timedelta(days=days), "end": today}


def _noise(world, *, large: bool, pay: bool = False):
    """The larger world: more small purchases (paid, with ``pay``) of agency B from a few more shops."""
    if not large:
        return
    for n in range(4):
        _s, product = shop(name=f"Toko Ramai {n}", price=Decimal(20000 + 1000 * n))
        if pay:
            paid(world.b, items=[(product, 2 + n)])
        else:
            approved(world.b, items=[(product, 2 + n)])


def _refs(purchases):
    return [p.reference for p in purchases]


def _moved(requisition, *, when: datetime, field: str = "date_submitted"):
    Requisition.objects.filter(pk=requisition.pk).update(**{field: when})


# --- split purchases ---


@pytest.mark.parametrize("large", [False, True])
def test_split_purchases_city_wide(world, large, django_assert_num_queries):
    _noise(world, large=large)
    # Ani three times 6,000,000 within the window: 18,000,000 together, each under 10,000,000
    split = [approved(world, items=[(world.beras, 80)]) for _ in range(3)]
    # an older one, outside the 30-day window, joins no window
    old = approved(world, items=[(world.beras, 80)])
    _moved(old, when=timezone.now() - timedelta(days=45))
    # controls: Darto twice 2,500,000 (5,000,000: under every band); agency B once from Ani
    approved(world, items=[(world.nasi, 100)])
    approved(world, items=[(world.nasi, 100)])
    approved(world.b, items=[(world.beras, 80)])
    with django_assert_num_queries(1):
        flags = red_flags.split_purchases(**_period())
    assert [(f.agency_id, f.seller_id, f.band, f.total) for f in flags] == [
        (world.agency.pk, world.ani.pk, 10_000_000, Decimal(18_000_000))
    ]
    assert _refs(flags[0].purchases) == [r.reference for r in split]
    # the rule is the existing warning's, as the last of them was submitted
    assert split_purchase_warnings(requisition=split[-1])
    # only agency B: nothing
    assert red_flags.split_purchases(**_period(), agency_ids=[world.b.agency.pk]) == []
    # a window reaching back before the period still counts what it holds
    _moved(split[0], when=timezone.now() - timedelta(days=10))
    today = timezone.localdate()
    straddling = red_flags.split_purchases(start=today, end=today)
    assert [_refs(f.purchases) for f in straddling] == [[r.reference for r in split]]
    # two bursts apart: two flags
    _moved(old, when=timezone.now() - timedelta(days=44))
    burst = approved(world, items=[(world.beras, 80)])
    _moved(burst, when=timezone.now() - timedelta(days=43))
    bursts = red_flags.split_purchases(**_period())
    assert [_refs(f.purchases) for f in bursts] == [
        sorted([old.reference, burst.reference], key=lambda r: Requisition.objects.get(reference=r).pk),
        [r.reference for r in split],
    ]


# --- unit prices far above the city's median ---


@pytest.mark.parametrize("large", [False, True])
def test_price_outliers(world, large, settings, django_assert_num_queries):
    _noise(world, large=large)
    for buyer in (world, world, world.b):
        approved(buyer, items=[(world.beras, 2), (world.minyak, 1)])
    world.beras.stockrecords.update(price=Decimal(150000))  # twice the usual price
    world.minyak.stockrecords.update(price=Decimal(40000))  # a little more: not far
    dear = approved(world.b, items=[(world.beras, 2), (world.minyak, 1)])
    # the products whose prices ever varied, then their lines
    with django_assert_num_queries(2):
        flags = red_flags.price_outliers(**_period())
    assert [(f.reference, f.product_id, f.unit_price, f.median) for f in flags] == [
        (dear.reference, world.beras.pk, Decimal(150000), Decimal(75000))
    ]
    # a higher bar: nothing, whether asked for or set; agency A alone: nothing of its own
    assert red_flags.price_outliers(**_period(), factor=Decimal(2)) == []
    settings.PEKEN_FLAG_PRICE_FACTOR = "2"
    assert red_flags.flag_settings().price_factor == Decimal(2)
    assert red_flags.price_outliers(**_period()) == []
    assert red_flags.price_outliers(**_period(), agency_ids=[world.agency.pk]) == []
    assert flags[0].agency_id == world.b.agency.pk and flags[0].seller_id == world.ani.pk


def test_price_outliers_by_category(world):
    sembako = category_create("Sembako")
    for product in (world.beras, world.minyak):
        product.categories.add(sembako)
    # by category the median of 75,000, 36,000, 75,000, 36,000, 75,000 is 75,000: nothing is dear
    for _ in range(2):
        approved(world, items=[(world.beras, 1), (world.minyak, 1)])
    approved(world.b, items=[(world.beras, 1)])
    assert red_flags.price_outliers(**_period(), by="category") == []
    _s, gula = shop(name="Toko Gula", price=Decimal(120000))
    gula.categories.add(sembako)
    approved(world.b, items=[(gula, 1)])
    flags = red_flags.price_outliers(**_period(), by="category")
    assert [(f.product_id, f.key_id, f.unit_price, f.median) for f in flags] == [
        (gula.pk, sembako.pk, Decimal(120000), Decimal(75000))
    ]
    # by product, a product alone is its own median
    assert red_flags.price_outliers(**_period()) == []
    with pytest.raises(ValueError):
        red_flags.price_outliers(**_period(), by="seller")


# --- one requester and one seller far more often than the agency's other pairs ---


@pytest.mark.parametrize("large", [False, True])
def test_frequent_pairs(world, large, django_assert_num_queries):
    _noise(world, large=large)
    often = [approved(world, items=[(world.beras, 1)]) for _ in range(4)]
    approved(world, items=[(world.nasi, 2)])
    _s, other = shop(name="Toko Lain", price=Decimal(30000))
    approved(world, items=[(other, 1)])
    # control: in agency B two pairs three times each, even
    for _ in range(3):
        approved(world.b, items=[(world.beras, 1)])
        approved(world.b, items=[(world.nasi, 1)])
    with django_assert_num_queries(1):
        flags = red_flags.frequent_pairs(**_period())
    assert [(f.agency_id, f.requester_id, f.seller_id, f.count, f.agency_median) for f in flags] == [
        (world.agency.pk, world.requester.pk, world.ani.pk, 4, Decimal(1))
    ]
    assert _refs(flags[0].purchases) == [r.reference for r in often]
    # four is not enough when five are needed
    assert red_flags.frequent_pairs(**_period(), minimum=5) == []


# --- just under a band threshold ---


@pytest.mark.parametrize("large", [False, True])
def test_just_under_band(world, large, django_assert_num_queries):
    _noise(world, large=large)
    under = approved(world, items=[(world.beras, 130)])  # 9,750,000: within 5% under 10,000,000
    approved(world, items=[(world.beras, 120)])  # 9,000,000: 10% under, not flagged
    approved(world.b, items=[(world.beras, 134)])  # 10,050,000: over the band
    at = approved(world.b, items=[(world.nasi, 400)])  # 10,000,000 exactly: still within the band
    with django_assert_num_queries(1):
        flags = red_flags.just_under_band(**_period())
    assert [(f.reference, f.seller_id, f.amount, f.band) for f in flags] == [
        (under.reference, world.ani.pk, Decimal(9_750_000), 10_000_000),
        (at.reference, world.darto.pk, Decimal(10_000_000), 10_000_000),
    ]
    assert [f.reference for f in red_flags.just_under_band(**_period(), within_percent=Decimal(1))] == [
        at.reference
    ]


# --- a spike at the end of the fiscal year ---


def _on(day, month, year):
    return datetime.combine(datetime(year, month, day).date(), time(10), tzinfo=JAKARTA)


@pytest.mark.parametrize("large", [False, True])
def test_year_end_spike(world, large, django_assert_num_queries):
    year = world.line.fiscal_year
    # agency A: two purchases in the year, three in its last four weeks
    spread = [(10, 3), (10, 6), (15, 12), (20, 12), (28, 12)]
    a = [approved(world, items=[(world.beras, 1)]) for _ in spread]
    for requisition, (day, month) in zip(a, spread, strict=True):
        _moved(requisition, when=_on(day, month, year), field="date_decided")
    # agency B: one a month, the December one included: no spike
    for month in range(1, 13):
        requisition = approved(world.b, items=[(world.nasi, 1)])
        _moved(requisition, when=_on(15, month, year), field="date_decided")
    _noise(world, large=large)  # decided today, 1 December: not in the last four weeks
    with django_assert_num_queries(2):
        flags = red_flags.year_end_spike(fiscal_year=year)
    assert [(f.agency_id, f.year_count, f.last_weeks_count) for f in flags] == [(world.agency.pk, 5, 3)]
    assert _refs(flags[0].purchases) == [r.reference for r in a[2:]]
    assert [p.decided_on.timetuple()[1:3] for p in flags[0].purchases] == [(12, 15), (12, 20), (12, 28)]
    assert flags[0].weekly_average == Decimal(5 * 7) / Decimal(365 + (year % 4 == 0))
    # nothing in another year
    with django_assert_num_queries(1):
        assert red_flags.year_end_spike(fiscal_year=year - 1) == []


# --- paid before the receipt ---


@pytest.mark.parametrize("large", [False, True])
def test_paid_before_receipt(world, large, django_assert_num_queries):
    _noise(world, large=large, pay=True)
    proper = paid(world, items=[(world.beras, 2), (world.nasi, 3)])  # paid the day of the handover
    early = paid(world, items=[(world.beras, 1)])
    early_payment = early.payments[world.ani.pk]
    yesterday = timezone.localdate() - timedelta(days=1)
    OfficialPayment.objects.filter(pk=early_payment.pk).update(paid_on=yesterday)
    # a payment of an order that never had a handover (written straight into the table)
    unreceived = delivered(world, items=[(world.minyak, 1)]).orders[world.ani.pk]
    ghost = OfficialPayment.objects.get(pk=proper.payments[world.ani.pk].pk)
    ghost.pk, ghost.order, ghost.card_payment = None, unreceived, None
    ghost.requisition = Requisition.objects.get(reference=unreceived.checkout_reference)
    ghost.save()
    with django_assert_num_queries(1):
        flags = red_flags.paid_before_receipt(**_period())
    assert [(f.order_id, f.paid_on, f.last_received_on) for f in flags] == [
        (early_payment.order_id, yesterday, timezone.localdate()),
        (unreceived.pk, timezone.localdate(), None),
    ]
    assert flags[1].reference == ghost.requisition.reference
    assert {(f.agency_id, f.seller_id) for f in flags} == {(world.agency.pk, world.ani.pk)}
    assert red_flags.paid_before_receipt(**_period(), agency_ids=[world.b.agency.pk]) == []
