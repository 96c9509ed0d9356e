"""Seller exposure reads: both channels, top-10 share, HHI, the cap, idle kecamatan, personal aggregates.

The concentration figures are recomputed here in plain Python from the raw payment rows and
compared exactly; each read runs the same number of queries on a small and a larger world.
"""

from collections import defaultdict
from dataclasses import fields
from datetime import timedelta
from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction

import pytest
from django.utils import timezone
from oscar.core.loading import get_model

from orders.statuses import OrderStatus
from procurement.models import OfficialPayment
from procurement.selectors import sellers_at_cap
from procurement.statuses import OfficialPaymentStatus
from reports import exposure
from reports.services import materialized_views_refresh
from tests.factories import UserFactory, category_create, order_with_products
from tests.fulfilment_world import fulfilment_world
from tests.reports_world import other_agency, paid, shop

Line = get_model("order", "Line")


@pytest.fixture
def world(db, indonesia, settings):
    settings.PEKEN_OFFICIAL_SELLER_CAP = 10**12
    world = fulfilment_world()
    for seller, kecamatan in ((world.ani, "Wonokromo"), (world.darto, "Gubeng")):
        seller.kecamatan = kecamatan
        seller.save(update_fields=["kecamatan"])
    world.shopper = UserFactory(email="siti@contoh.id", username="siti")
    return world


def _period():
    today = timezone.localdate()
    return {"start": today - timedelta(days=30), "end": today}


def _build(world, *, large: bool):
    """Agency A pays Ani and Darto; the larger world adds agency B paying twelve more shops."""
    paid(world, items=[(world.beras, 30), (world.minyak, 10), (world.nasi, 40)])
    paid(world, items=[(world.beras, 4)])
    if large:
        world.b = other_agency(name="Dinas Pendidikan Uji", code="dispendik-uji")
        items = []
        for n in range(12):
            _seller, product = shop(
                name=f"Toko Nomor {n}", kecamatan="Rungkut", price=Decimal(10000 * (n + 1))
            )
            items.append((product, 3 + n % 4))
        paid(world.b, items=items)
        paid(world.b, items=[(world.beras, 2), (world.nasi, 7)])
        # an outside payment and a cancelled one: neither counts
        old = paid(world, items=[(world.beras, 1)]).payments[world.ani.pk]
        OfficialPayment.objects.filter(pk=old.pk).update(paid_on=timezone.localdate() - timedelta(days=60))
        cancelled = paid(world, items=[(world.nasi, 2)]).payments[world.darto.pk]
        OfficialPayment.objects.filter(pk=cancelled.pk).update(status=OfficialPaymentStatus.CANCELLED)
    return world


def _paid_rows(*, agency_ids=None):
    """(agency id, seller id, gross) of every paid payment in the period, straight from the table."""
    period = _period()
    rows = OfficialPayment.objects.filter(status=OfficialPaymentStatus.PAID).values_list(
        "requisition__agency_id", "order__seller_id", "gross", "paid_on"
    )
    return [
        (a, s, g)
        for a, s, g, on in rows
        if period["start"] <= on <= period["end"] and (agency_ids is None or a in agency_ids)
    ]


def _round(value: Fraction) -> Decimal:
    return (Decimal(value.numerator) / Decimal(value.denominator)).quantize(Decimal("0.01"), ROUND_HALF_UP)


def _hhi(amounts) -> Decimal:
    total = sum(amounts)
    return _round(sum((Fraction(100) * Fraction(a) / Fraction(total)) ** 2 for a in amounts)) if total else 0


@pytest.mark.parametrize("large", [False, True])
def test_top_sellers_share_recomputed(world, large, django_assert_num_queries):
    _build(world, large=large)
    per_seller = defaultdict(Decimal)
    for _agency, seller, gross in _paid_rows():
        per_seller[seller] += gross
    ranked = sorted(per_seller.items(), key=lambda i: (-i[1], i[0]))[:10]
    total, top_total = sum(per_seller.values()), sum(a for _s, a in ranked)
    with django_assert_num_queries(2):
        share = exposure.top_sellers_share(**_period())
    assert [(s.seller_id, s.amount) for s in share.sellers] == ranked
    assert (share.total, share.top_total) == (total, top_total)
    assert share.share_percent == _round(Fraction(top_total) * 100 / Fraction(total))
    assert [s.share_percent for s in share.sellers] == [
        _round(Fraction(a) * 100 / Fraction(total)) for _s, a in ranked
    ]
    assert (share.share_percent == 100) is (not large)  # two sellers only: all of it
    assert len(share.sellers) == (10 if large else 2)


@pytest.mark.parametrize("large", [False, True])
def test_herfindahl_recomputed(world, large, django_assert_num_queries):
    _build(world, large=large)
    rows = _paid_rows()
    per_agency, city = defaultdict(lambda: defaultdict(Decimal)), defaultdict(Decimal)
    for agency, seller, gross in rows:
        per_agency[agency][seller] += gross
        city[seller] += gross
    with django_assert_num_queries(1):
        result = exposure.herfindahl(**_period())
    assert result.city == _hhi(list(city.values()))
    assert result.agencies == {a: _hhi(list(s.values())) for a, s in per_agency.items()}
    assert (result.city_total, result.city_sellers) == (sum(city.values()), len(city))
    assert result.agency_totals == {a: sum(s.values()) for a, s in per_agency.items()}
    assert result.agency_sellers == {a: len(s) for a, s in per_agency.items()}
    assert 0 < result.city < 10000
    # one agency only: its own figure
    only = exposure.herfindahl(**_period(), agency_ids=[world.agency.pk])
    assert only.city == _hhi(list(per_agency[world.agency.pk].values()))
    # a period with nothing paid: no concentration to speak of
    later = timezone.localdate() + timedelta(days=1)
    assert exposure.herfindahl(start=later, end=later) == exposure.Concentration(
        Decimal(0), Decimal(0), 0, {}
    )


def test_one_seller_is_a_monopoly(world):
    paid(world, items=[(world.beras, 3)])
    result = exposure.herfindahl(**_period())
    assert result.city == Decimal(10000) and result.agencies == {world.agency.pk: Decimal(10000)}


@pytest.mark.parametrize("large", [False, True])
def test_dual_channel_sellers(world, large, django_assert_num_queries):
    _build(world, large=large)
    # Ani sells to a resident too; Darto only to the city
    order_with_products(user=world.shopper, products=[world.beras])
    # a shop with personal orders only does not count
    _loner, cake = shop(name="Kue Bu Lina", kecamatan="Sawahan")
    order_with_products(user=world.shopper, products=[cake])
    # a suspended shop with both does not count
    world.darto.status = "dibekukan"
    world.darto.save(update_fields=["status"])
    order_with_products(user=world.shopper, products=[world.nasi])
    with django_assert_num_queries(1):
        count = exposure.dual_channel_sellers_count(**_period())
    assert count == 1
    # a rejected personal order does not count; neither does another agency's official order
    assert exposure.dual_channel_sellers_count(**_period(), agency_ids=[world.agency.pk]) == 1
    if large:
        assert exposure.dual_channel_sellers_count(**_period(), agency_ids=[world.b.agency.pk]) == 1
    Line.objects.filter(order__user=world.shopper, product=world.beras).update(status=OrderStatus.REJECTED)
    get_model("order", "Order").objects.filter(user=world.shopper, lines__product=world.beras).update(
        status=OrderStatus.REJECTED
    )
    assert exposure.dual_channel_sellers_count(**_period()) == 0


@pytest.mark.parametrize("large", [False, True])
def test_sellers_near_cap(world, large, settings, django_assert_num_queries):
    _build(world, large=False)
    if large:
        for n in range(5):
            _s, product = shop(name=f"Warung {n}", price=Decimal(1000))
            paid(world, items=[(product, 2)])
    # Ani got 2,610,000 + 300,000 from the lines, Darto 1,000,000
    settings.PEKEN_OFFICIAL_SELLER_CAP = 1_200_000
    with django_assert_num_queries(1):
        near = exposure.sellers_near_cap()
    assert [(s.seller_id, s.received, s.at_cap) for s in near] == [
        (world.ani.pk, Decimal(2_910_000), True),
        (world.darto.pk, Decimal(1_000_000), False),
    ]
    # the same count as the cap the catalogue enforces
    assert {s.seller_id for s in near if s.at_cap} == sellers_at_cap(seller_ids=[s.seller_id for s in near])
    # at 90% Darto (83%) is no longer near
    assert [s.seller_id for s in exposure.sellers_near_cap(near_percent=90)] == [world.ani.pk]
    # and the setting says how near is near when the caller does not
    settings.PEKEN_SELLER_CAP_NEAR_PERCENT = 90
    assert [s.seller_id for s in exposure.sellers_near_cap()] == [world.ani.pk]


@pytest.mark.parametrize("large", [False, True])
def test_idle_kecamatan(world, large, django_assert_num_queries):
    _build(world, large=large)
    shop(name="Toko Sepi", kecamatan="Tambaksari")
    shop(name="Toko Beku", kecamatan="Tegalsari", status="dibekukan")
    shop(name="Toko Tetangga", kecamatan="Wonokromo")  # Ani's kecamatan is busy
    _s, cake = shop(name="Kue Batal", kecamatan="Sawahan")
    order_with_products(user=world.shopper, products=[cake], status=OrderStatus.CANCELLED)
    with django_assert_num_queries(1):
        idle = exposure.idle_kecamatan(**_period())
    assert idle == [exposure.IdleKecamatan("Sawahan", 1), exposure.IdleKecamatan("Tambaksari", 1)]


@pytest.mark.parametrize("large", [False, True])
def test_personal_spend_in_aggregate(world, large, django_assert_num_queries):
    sembako = category_create("Sembako")
    world.beras.categories.add(sembako)
    _build(world, large=large)
    neighbour = UserFactory(email="wati@contoh.id", username="wati")
    order_with_products(user=world.shopper, products=[world.beras, world.minyak])
    order_with_products(user=neighbour, products=[world.beras])
    order_with_products(user=neighbour, products=[world.nasi])
    order_with_products(user=neighbour, products=[world.nasi], status=OrderStatus.REJECTED)
    if large:
        for _n in range(6):
            order_with_products(user=UserFactory(), products=[world.beras])
    expected = defaultdict(lambda: [set(), Decimal(0)])
    for line in Line.objects.filter(order__user__isnull=False).exclude(
        order__status__in=[OrderStatus.REJECTED, OrderStatus.CANCELLED]
    ):
        category = line.product.categories.order_by("path").first()
        month = timezone.localtime(line.order.date_placed).date().replace(day=1)
        key = (line.order.seller.kecamatan, category.name if category else "", month)
        expected[key][0].add(line.order_id)
        expected[key][1] += line.line_price_incl_tax
    # the daily summary shows them once beat has refreshed it, not before
    before = exposure.personal_spend(**_period())
    materialized_views_refresh()
    with django_assert_num_queries(1):
        rows = exposure.personal_spend(**_period())
    wanted = {k: (len(v[0]), v[1]) for k, v in expected.items()}
    assert {(r.kecamatan, r.category, r.month): (r.orders, r.amount) for r in rows} == wanted
    assert {(r.kecamatan, r.category, r.month): (r.orders, r.amount) for r in before} != wanted
    assert ("Wonokromo", "Sembako", timezone.localdate().replace(day=1)) in {
        (r.kecamatan, r.category, r.month) for r in rows
    }
    # never per person: nothing names a buyer
    assert {f.name for f in fields(exposure.PersonalSpend)} == {
        "kecamatan",
        "category",
        "month",
        "orders",
        "amount",
    }
