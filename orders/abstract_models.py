"""Peken's orders: one per seller, grouped by the checkout that made them."""

from django.db import models
from django.utils.translation import gettext_lazy as _
from oscar.apps.order.abstract_models import AbstractOrder, AbstractOrderStatusChange
from oscar.apps.order.exceptions import InvalidOrderStatus

from checkout.shipping.methods import PICKUP
from orders.statuses import OrderStatus, Party
from peken.status_records import AbstractDecisionRecord


class AbstractSellerOrder(AbstractOrder):
    """An Oscar order holding the goods of exactly one seller."""

    seller = models.ForeignKey(
        "partner.Partner",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="orders",
        verbose_name=_("Penjual"),
    )
    # The buyer's one checkout of a basket with goods of several sellers.
    checkout_reference = models.CharField(_("Nomor checkout"), max_length=32, blank=True, db_index=True)
    date_paid = models.DateTimeField(_("Dibayar"), null=True, blank=True)
    date_status_changed = models.DateTimeField(_("Status berubah"), null=True, blank=True)

    class Meta(AbstractOrder.Meta):
        abstract = True
        indexes = [
            models.Index(fields=["seller", "-date_placed"], name="order_seller_placed"),
            models.Index(fields=["status", "date_status_changed"], name="order_status_changed"),
        ]

    def set_status(self, new_status):
        # Oscar's own status change (its dashboard) would skip who may move an
        # order, the stock and the refunds; every move goes through
        # orders.services.order_status_change instead.
        if new_status == self.status:
            return
        raise InvalidOrderStatus(_("Status pesanan diubah oleh penjual dan pembeli, bukan di dasbor."))

    @property
    def status_label(self) -> str:
        try:
            return OrderStatus(self.status).label
        except ValueError:
            return self.status

    @property
    def is_pickup(self) -> bool:
        return self.shipping_code == PICKUP


class AbstractStatusChange(AbstractOrderStatusChange, AbstractDecisionRecord):
    """Oscar's status change row (its from, to and date), plus who made the move, as which party, and why."""

    statuses = OrderStatus

    party = models.CharField(_("Pihak"), max_length=10, choices=Party.choices, blank=True)

    class Meta(AbstractOrderStatusChange.Meta):
        abstract = True
