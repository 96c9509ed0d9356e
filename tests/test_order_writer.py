"""orders.writer.orders_create: the one writer of Oscar orders, and the two paths that place through it."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from oscar.core.loading import get_model

import checkout.mixins
import procurement.services.official_orders
from orders.statuses import OrderStatus, Party
from orders.writer import LineSpec, OrderSpec, orders_create
from procurement.services import requisition_decide, requisition_submit_from_basket
from procurement.statuses import Decision
from tests.checkout_flow import basket_add, checkout_to_preview, order_place
from tests.factories import PartnerFactory, product_create
from tests.procurement_factories import approval_world, official_basket

Order = get_model("order", "Order")
StockRecord = get_model("partner", "StockRecord")


def _spec(number: str, records: list, **fields) -> OrderSpec:
    lines = [
        LineSpec(
            stockrecord=r,
            product_id=r.product_id,
            partner_id=r.partner_id,
            partner_name=r.partner.name,
            partner_sku=r.partner_sku,
            title=r.product.title,
            upc=r.product.upc,
            quantity=2,
            unit_price_incl_tax=r.price,
            unit_price_excl_tax=r.price,
            line_price_incl_tax=2 * r.price,
            line_price_excl_tax=2 * r.price,
            line_price_before_discounts_incl_tax=2 * r.price,
            line_price_before_discounts_excl_tax=2 * r.price,
            prices=((r.price, r.price, 2),),
        )
        for r in records
    ]
    total = sum((line.line_price_incl_tax for line in lines), Decimal(0))
    return OrderSpec(
        number=number,
        seller_id=records[0].partner_id,
        lines=lines,
        total_incl_tax=total,
        total_excl_tax=total,
        shipping_method="Ambil di toko",
        shipping_code="ambil-di-toko",
        party=Party.SYSTEM,
        **fields,
    )


def _records(products) -> list:
    return [
        StockRecord.objects.select_related("partner", "product__product_class").get(product=p)
        for p in products
    ]


def _writes(specs) -> int:
    with CaptureQueriesContext(connection) as captured, transaction.atomic():
        orders_create(specs=specs)
    return len(captured)


def test_the_writer_costs_the_same_queries_for_one_line_or_many_of_many_sellers(db):
    # given one product of one shop, and eight products of four shops
    shops = [PartnerFactory() for _ in range(4)]
    one = _records([product_create(partner=shops[0])])
    many = _records([product_create(partner=shops[n % 4]) for n in range(8)])
    _writes([_spec("W-0", _records([product_create(partner=shops[0])]))])  # warms the site cache
    # when one order of one line is written, then four orders of two lines each
    single = _writes([_spec("W-1", one)])
    several = _writes([_spec(f"W-2-{n}", many[n::4]) for n in range(4)])
    # then both take the same number of queries
    assert several == single, (single, several)
    # and every order is new, with its lines, price rows, first status row and allocated stock
    order = Order.objects.get(number="W-2-1")
    assert order.status == OrderStatus.NEW and order.total_incl_tax == 2 * (many[1].price + many[5].price)
    assert [line.stockrecord_id for line in order.lines.order_by("pk")] == [many[1].pk, many[5].pk]
    assert {line.status for line in order.lines.all()} == {OrderStatus.NEW}
    assert order.lines.first().prices.get().quantity == 2
    change = order.status_changes.get()
    assert (change.old_status, change.new_status, change.party) == ("", OrderStatus.NEW, Party.SYSTEM)
    assert StockRecord.objects.get(pk=many[1].pk).num_allocated == 2


def test_a_number_already_taken_writes_nothing(db):
    # given an order written under a number
    (record,) = _records([product_create()])
    with transaction.atomic():
        orders_create(specs=[_spec("W-9", [record])])
    # when another batch reuses it, then it is refused and nothing of the batch is written
    with pytest.raises(ValueError), transaction.atomic():
        orders_create(specs=[_spec("W-10", [record]), _spec("W-9", [record])])
    assert not Order.objects.filter(number="W-10").exists()
    assert StockRecord.objects.get(pk=record.pk).num_allocated == 2


def _watch(monkeypatch, module) -> list:
    calls = []

    def watched(**kwargs):
        calls.append(kwargs["specs"])
        return orders_create(**kwargs)

    monkeypatch.setattr(module, "orders_create", watched)
    return calls


def test_a_checkout_places_each_sellers_order_through_the_writer(
    shopper_client, shopper, indonesia, monkeypatch, django_capture_on_commit_callbacks
):
    # given a basket of two shops' goods at the preview, and the writer watched
    calls = _watch(monkeypatch, checkout.mixins)
    basket_add(shopper_client, product_create(partner=PartnerFactory()), quantity=2)
    basket_add(shopper_client, product_create(partner=PartnerFactory()))
    checkout_to_preview(shopper_client)
    # when the shopper places the order
    with django_capture_on_commit_callbacks(execute=True):
        assert order_place(shopper_client).status_code == 302
    # then one call wrote both sellers' orders, for the shopper, as the buyer, paid on delivery
    (specs,) = calls
    assert [(s.user, s.actor, s.party) for s in specs] == [(shopper, shopper, Party.BUYER)] * 2
    orders = list(Order.objects.filter(user=shopper).order_by("number"))
    assert [o.number for o in orders] == [s.number for s in specs]
    assert all(o.sources.get().amount_allocated == o.total_incl_tax for o in orders)


def test_a_final_approval_places_each_sellers_order_through_the_writer(
    db, indonesia, settings, monkeypatch, django_capture_on_commit_callbacks
):
    # given a requisition of two shops' goods waiting for its one approval, and the writer watched
    settings.PEKEN_OFFICIAL_SELLER_CAP = 10**12
    world = approval_world()
    products = [product_create(price=Decimal("20000"), partner=PartnerFactory()) for _ in range(2)]
    basket = official_basket(user=world.requester, items=[(products[0], 3), (products[1], 1)])
    with django_capture_on_commit_callbacks(execute=True):
        requisition = requisition_submit_from_basket(
            user=world.requester,
            agency=world.agency,
            basket=basket,
            budget_line=world.line,
            kode_rup="",
            purpose="Konsumsi rapat",
            delivery_address="Jl. Jimerto No. 25-27, Surabaya",
            needed_by=timezone.localdate() + timedelta(days=5),
            contact_name="Rina",
            contact_phone="0812-3456-7890",
        )
    calls = _watch(monkeypatch, procurement.services.official_orders)
    # when the procurement official approves it
    with django_capture_on_commit_callbacks(execute=True):
        requisition_decide(requisition=requisition, user=world.pp, decision=Decision.APPROVE)
    # then one call wrote both sellers' orders, for nobody's own history, by the system, unpaid
    (specs,) = calls
    assert [(s.user, s.actor, s.party, s.source_type) for s in specs] == [
        (None, world.pp, Party.SYSTEM, None)
    ] * 2
    orders = list(Order.objects.filter(checkout_reference=requisition.reference).order_by("number"))
    assert [o.number for o in orders] == [f"{requisition.reference}-1", f"{requisition.reference}-2"]
    assert [o.total_incl_tax for o in orders] == [Decimal("60000"), Decimal("20000")]
    assert orders[0].shipping_address_id == orders[1].shipping_address_id is not None
    assert not any(o.sources.exists() for o in orders)
