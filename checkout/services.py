"""Writes of the personal checkout: stock reservation and order confirmation."""

import logging

from django.conf import settings
from django.contrib.sites.models import Site
from django.db import transaction
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _
from oscar.apps.order.exceptions import UnableToPlaceOrder
from oscar.core.loading import get_class, get_model

from catalogue_ext.abstract_models import LISTING_ON_SALE
from peken import locks
from peken.mail import user_language
from sellers.abstract_models import SellerStatus

Basket = get_model("basket", "Basket")
StockRecord = get_model("partner", "StockRecord")
Order = get_model("order", "Order")
CommunicationEventType = get_model("communication", "CommunicationEventType")
OrderDispatcher = get_class("order.utils", "OrderDispatcher")
logger = logging.getLogger(__name__)


class OutOfStock(UnableToPlaceOrder):
    """Raised when another buyer took the stock between basket and order."""


class SellerOffSale(UnableToPlaceOrder):
    """Raised when a shop in the basket was suspended before the order was placed."""


class ListingOffSale(UnableToPlaceOrder):
    """Raised when a listing in the basket was held or rejected by curation before the order was placed."""


class BasketNotOpen(Exception):
    """The basket was checked out or submitted by another click, tab or device before this request."""

    def __init__(self, message: str, *, orders: list):
        super().__init__(message)
        self.orders = orders  # the checkout's orders when it was checked out; empty otherwise


def basket_lock_open(*, basket) -> None:
    """Lock the basket's row and check that it is still open; the first lock of every basket submission.

    Personal checkout and requisition submission both start here, inside their
    transaction, so two clicks, two tabs or two devices submitting one basket
    queue on this row and only the first finds it open: a basket becomes at
    most one thing. The status is read under the lock, never from the copy the
    request loaded. Raises BasketNotOpen, carrying the checkout's orders (in
    placement order) when the basket was checked out, none when it became a
    requisition or is gone.
    """
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("basket_lock_open must run inside transaction.atomic()")
    stored = locks.basket_lock(basket_id=basket.pk)
    if stored is not None and stored.status == Basket.OPEN:
        return
    orders = list(Order.objects.filter(basket_id=basket.pk).order_by("pk"))
    if orders:
        raise BasketNotOpen(
            _("Keranjang ini sudah dipesan dengan nomor %(reference)s. Lihat pesanan Anda.")
            % {"reference": orders[0].checkout_reference or orders[0].number},
            orders=orders,
        )
    raise BasketNotOpen(
        _(
            "Keranjang ini sudah diajukan dari tab atau perangkat lain, jadi tidak diproses lagi. "
            "Lihat pesanan atau permintaan Anda."
        ),
        orders=[],
    )


def stock_lock_for_basket(*, basket) -> None:
    """Lock the basket's stock records and check they still cover the basket.

    Oscar checks availability before the order transaction and allocates with
    an unchecked increment, so two buyers can both take the last unit
    (django-oscar #4524). Called inside the placement transaction, this takes
    row locks in primary-key order (no deadlocks between buyers) and re-reads
    the numbers under the lock. The allocation that follows in the order
    writer (orders.writer.orders_create) then happens while the locks are held. The sellers are
    locked before the stock, in the order peken/locks.py names.

    Raises OutOfStock naming the first product that no longer fits,
    SellerOffSale when a shop in the basket is no longer on sale, and
    ListingOffSale when curation has held or rejected a listing in it.
    """
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("stock_lock_for_basket must run inside transaction.atomic()")
    wanted: dict[int, int] = {}
    titles: dict[int, str] = {}
    for line in basket.all_lines():
        if line.stockrecord_id is None:
            continue
        wanted[line.stockrecord_id] = wanted.get(line.stockrecord_id, 0) + line.quantity
        titles[line.stockrecord_id] = line.product.get_title()
    locks.sellers_lock_shared(stockrecord_ids=wanted)
    records = locks.stock_records_lock(
        StockRecord.objects.filter(pk__in=wanted).select_related("product__product_class", "partner")
    )
    for record in records:
        if record.partner.status != SellerStatus.ACTIVE:
            raise SellerOffSale(
                _("Maaf, %(shop)s sedang tidak berjualan. Hapus %(product)s dari keranjang.")
                % {"shop": record.partner.name, "product": titles[record.pk]}
            )
        if record.product.listing_status not in LISTING_ON_SALE:
            raise ListingOffSale(
                _("Maaf, %(product)s sedang diperiksa petugas dan belum bisa dibeli. Hapus dari keranjang.")
                % {"product": titles[record.pk]}
            )
        if not record.product.get_product_class().track_stock:
            continue
        available = (record.num_in_stock or 0) - (record.num_allocated or 0)
        if wanted[record.pk] > available:
            raise OutOfStock(
                _("Maaf, stok %(product)s tinggal %(available)d. Kurangi jumlahnya di keranjang.")
                % {"product": titles[record.pk], "available": max(available, 0)}
            )


def order_confirmation_send(*, order_id: int) -> bool:
    """Send the "order placed" email once, however often the task is retried.

    The CommunicationEvent row Oscar writes after sending is the record that
    it went out; a second call finds it and sends nothing. Returns whether an
    email was sent.
    """
    order = Order.objects.select_related("user").get(pk=order_id)
    event_type, _created = CommunicationEventType.objects.get_or_create(
        code=OrderDispatcher.ORDER_PLACED_EVENT_CODE,
        defaults={"name": "Pesanan dibuat", "category": CommunicationEventType.ORDER_RELATED},
    )
    if order.communication_events.filter(event_type=event_type).exists():
        return False
    path = reverse("customer:order", kwargs={"order_number": order.number})
    site = Site.objects.get_current()
    context = {
        "user": order.user,
        "order": order,
        "lines": order.lines.all(),
        "status_path": path,
        "status_url": f"{settings.OSCAR_URL_SCHEMA}://{site.domain}{path}",
    }
    with translation.override(user_language(order.user)):
        OrderDispatcher(logger=logger).send_order_placed_email_for_user(order, context)
    return True
