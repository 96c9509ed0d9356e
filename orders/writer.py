"""The one writer of Oscar orders: a shopper's checkout and an approved requisition both place through it.

A caller describes each seller's order as data (an OrderSpec with its
LineSpecs): who it is for (a shopper, or nobody for an agency), its number
and checkout reference, its basket, delivery and fee, its lines at their
prices, who placed it and as which party, and how it is paid (a payment
source type, or none). orders_create writes every order of the batch, its
lines, their price breakdowns and options, the stock they allocate, the
first status row and the payment sources in a fixed number of statements
whatever the number of lines or sellers, and sends Oscar's order_placed.

What stays with the caller: locking and checking the stock, sellers and
money (peken/locks.py), choosing the numbers, and the emails after commit.
"""

from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser
from django.contrib.sites.models import Site
from django.db import transaction
from django.db.models import Case, F, IntegerField, Value, When
from django.db.models.functions import Coalesce
from django.utils import timezone
from oscar.apps.order.signals import order_placed
from oscar.core.loading import get_model

from orders.statuses import OrderStatus

Order = get_model("order", "Order")
Line = get_model("order", "Line")
LinePrice = get_model("order", "LinePrice")
LineAttribute = get_model("order", "LineAttribute")
OrderStatusChange = get_model("order", "OrderStatusChange")
Source = get_model("payment", "Source")
StockRecord = get_model("partner", "StockRecord")


@dataclass(frozen=True)
class LineSpec:
    """One order line: the stock record it comes from and what the buyer pays for it."""

    stockrecord: Any  # StockRecord with its partner and product (and product class) loaded
    product_id: int
    partner_id: int
    partner_name: str
    partner_sku: str
    title: str
    upc: str | None
    quantity: int
    unit_price_incl_tax: Decimal
    unit_price_excl_tax: Decimal
    line_price_incl_tax: Decimal
    line_price_excl_tax: Decimal
    line_price_before_discounts_incl_tax: Decimal
    line_price_before_discounts_excl_tax: Decimal
    tax_code: str | None = None
    # (unit price incl. tax, excl. tax, quantity) rows, as Oscar's LinePrice keeps them
    prices: tuple[tuple[Decimal, Decimal, int], ...] = ()
    # (option, value) the buyer chose for the product
    attributes: tuple[tuple[Any, Any], ...] = ()

    @classmethod
    def of_basket_line(cls, line) -> "LineSpec":
        """A basket line as Oscar's OrderCreator turns it into an order line."""
        record = line.stockrecord
        return cls(
            stockrecord=record,
            product_id=line.product_id,
            partner_id=record.partner_id,
            partner_name=record.partner.name,
            partner_sku=record.partner_sku,
            title=line.product.get_title(),
            upc=line.product.upc,
            quantity=line.quantity,
            unit_price_incl_tax=line.unit_price_incl_tax,
            unit_price_excl_tax=line.unit_price_excl_tax,
            line_price_incl_tax=line.line_price_incl_tax_incl_discounts,
            line_price_excl_tax=line.line_price_excl_tax_incl_discounts,
            line_price_before_discounts_incl_tax=line.line_price_incl_tax,
            line_price_before_discounts_excl_tax=line.line_price_excl_tax,
            tax_code=line.tax_code,
            prices=tuple(line.get_price_breakdown()),
            attributes=tuple((attribute.option, attribute.value) for attribute in line.attributes.all()),
        )


@dataclass
class OrderSpec:
    """One seller's order; the fields that differ between a checkout and an approval are data here."""

    number: str
    seller_id: int
    lines: list[LineSpec]
    total_incl_tax: Decimal
    total_excl_tax: Decimal
    shipping_method: str
    shipping_code: str
    party: str  # who placed it (orders.statuses.Party), on its first status row
    actor: AbstractBaseUser | None = None
    user: AbstractBaseUser | None = None  # None: an agency's order, in nobody's own history
    basket_id: int | None = None
    checkout_reference: str = ""
    shipping_incl_tax: Decimal = Decimal(0)
    shipping_excl_tax: Decimal = Decimal(0)
    shipping_tax_code: str | None = None
    # saved once here if new, and shared by every order of the batch that holds it
    shipping_address: Any = None
    billing_address: Any = None
    source_type: Any = None  # a payment SourceType: the order gets a Source for its total
    currency: str = field(default_factory=lambda: settings.OSCAR_DEFAULT_CURRENCY)


def orders_create(*, specs: list[OrderSpec]) -> list[Order]:
    """Write one Oscar order per spec, new and unpaid, in bulk; returns them in the specs' order.

    Runs inside the caller's transaction, which has locked and checked the
    stock records (and the sellers before them) as peken/locks.py says: the
    lines' stock is allocated by one UPDATE relative to what is stored, so
    it stays right whichever copy of the records the caller holds. Each
    order gets a first status row (old status empty, new Baru) by the spec's
    actor and party, which the seller's new-order email later marks as sent,
    and a payment source for its total when the spec names a source type.
    Raises ValueError, as Oscar's OrderCreator does, for an order without
    lines or a number already taken.
    """
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("orders_create must run inside transaction.atomic()")
    if any(not spec.lines for spec in specs):
        raise ValueError("Empty baskets cannot be submitted")
    numbers = [spec.number for spec in specs]
    taken = Order.objects.filter(number__in=numbers).values_list("number", flat=True).first()
    if taken is not None:
        raise ValueError(f"There is already an order with number {taken}")
    for address in {id(a): a for s in specs for a in (s.shipping_address, s.billing_address) if a}.values():
        if address.pk is None:
            address.save()
    now, site = timezone.now(), Site.objects.get_current()
    orders = Order.objects.bulk_create(
        [
            Order(
                number=spec.number,
                site=site,
                user=spec.user,
                basket_id=spec.basket_id,
                seller_id=spec.seller_id,
                checkout_reference=spec.checkout_reference,
                currency=spec.currency,
                total_incl_tax=spec.total_incl_tax,
                total_excl_tax=spec.total_excl_tax,
                shipping_incl_tax=spec.shipping_incl_tax,
                shipping_excl_tax=spec.shipping_excl_tax,
                shipping_tax_code=spec.shipping_tax_code,
                shipping_method=spec.shipping_method,
                shipping_code=spec.shipping_code,
                shipping_address=spec.shipping_address,
                billing_address=spec.billing_address,
                status=OrderStatus.NEW,
                date_placed=now,
                date_status_changed=now,
            )
            for spec in specs
        ]
    )
    _lines_create(orders=orders, specs=specs)
    _stock_allocate(lines=[line for spec in specs for line in spec.lines])
    OrderStatusChange.objects.bulk_create(
        [
            OrderStatusChange(
                order=order, old_status="", new_status=OrderStatus.NEW, actor=spec.actor, party=spec.party
            )
            for order, spec in zip(orders, specs, strict=True)
        ]
    )
    sources = [
        Source(
            order=order,
            source_type=spec.source_type,
            currency=order.currency,
            amount_allocated=order.total_incl_tax,
            reference=order.checkout_reference,
        )
        for order, spec in zip(orders, specs, strict=True)
        if spec.source_type is not None
    ]
    if sources:
        Source.objects.bulk_create(sources)
    for order, spec in zip(orders, specs, strict=True):
        order_placed.send(sender=Order, order=order, user=spec.user)
    return orders


def _lines_create(*, orders: list[Order], specs: list[OrderSpec]) -> None:
    """The orders' lines in the specs' order (line pks keep the basket's order), with prices and options."""
    pairs = [(order, line) for order, spec in zip(orders, specs, strict=True) for line in spec.lines]
    rows = Line.objects.bulk_create(
        [
            Line(
                order=order,
                partner_id=line.partner_id,
                partner_name=line.partner_name,
                partner_sku=line.partner_sku,
                stockrecord=line.stockrecord,
                product_id=line.product_id,
                title=line.title,
                upc=line.upc,
                quantity=line.quantity,
                num_allocated=line.quantity,
                line_price_incl_tax=line.line_price_incl_tax,
                line_price_excl_tax=line.line_price_excl_tax,
                line_price_before_discounts_incl_tax=line.line_price_before_discounts_incl_tax,
                line_price_before_discounts_excl_tax=line.line_price_before_discounts_excl_tax,
                unit_price_incl_tax=line.unit_price_incl_tax,
                unit_price_excl_tax=line.unit_price_excl_tax,
                tax_code=line.tax_code,
                status=OrderStatus.NEW,
            )
            for order, line in pairs
        ]
    )
    prices = [
        LinePrice(
            order=order,
            line=row,
            quantity=quantity,
            price_incl_tax=incl,
            price_excl_tax=excl,
            tax_code=line.tax_code,
        )
        for (order, line), row in zip(pairs, rows, strict=True)
        for incl, excl, quantity in line.prices
    ]
    if prices:
        LinePrice.objects.bulk_create(prices)
    attributes = [
        LineAttribute(line=row, option=option, type=option.code, value=value)
        for (_order, line), row in zip(pairs, rows, strict=True)
        for option, value in line.attributes
    ]
    if attributes:
        LineAttribute.objects.bulk_create(attributes)


def _stock_allocate(*, lines: list[LineSpec]) -> None:
    """Allocate the lines' stock where the product tracks it, in one UPDATE over the (locked) records.

    A record with a low-stock threshold is re-read and announced as saved, so
    Oscar's low-stock alert follows it as it does after StockRecord.allocate.
    """
    wanted: dict[int, int] = defaultdict(int)
    records = {}
    for line in lines:
        if line.stockrecord.can_track_allocations:
            wanted[line.stockrecord.pk] += line.quantity
            records[line.stockrecord.pk] = line.stockrecord
    if not wanted:
        return
    StockRecord.objects.filter(pk__in=wanted).update(
        num_allocated=Coalesce(F("num_allocated"), 0)
        + Case(
            *[When(pk=pk, then=Value(quantity)) for pk, quantity in wanted.items()],
            default=Value(0),
            output_field=IntegerField(),
        )
    )
    for record in records.values():
        if record.low_stock_threshold is not None:
            record.refresh_from_db(fields=["num_allocated"])
            record.post_save_signal()
