"""Orders in Django's admin: status, payment date and status history are read-only.

An order's status moves only through orders.services.order_status_change,
which checks the move and who makes it, puts stock back, refunds and records
the change; an admin edit would skip all of that.
"""

from django.contrib import admin
from oscar.apps.order.admin import *  # noqa: F403
from oscar.apps.order.admin import LineAdmin, LineInline, OrderAdmin, OrderStatusAdmin
from oscar.core.loading import get_model

from peken.admin import ReadOnlyAdminMixin

Line = get_model("order", "Line")
Order = get_model("order", "Order")
OrderStatusChange = get_model("order", "OrderStatusChange")

FROZEN_ORDER_FIELDS = ("status", "seller", "date_paid", "date_status_changed")


class FrozenLineInline(LineInline):
    readonly_fields = ("status",)


class SellerOrderAdmin(OrderAdmin):
    readonly_fields = (*OrderAdmin.readonly_fields, *FROZEN_ORDER_FIELDS)
    list_display = (*OrderAdmin.list_display, "status")
    inlines = [FrozenLineInline]


class FrozenLineAdmin(LineAdmin):
    readonly_fields = ("status",)


class StatusChangeAdmin(ReadOnlyAdminMixin, OrderStatusAdmin):
    """The record of each move: read, never written here."""

    list_display = ("order", "old_status", "new_status", "party", "actor", "date_created")


for model, model_admin in (
    (Order, SellerOrderAdmin),
    (Line, FrozenLineAdmin),
    (OrderStatusChange, StatusChangeAdmin),
):
    admin.site.unregister(model)
    admin.site.register(model, model_admin)
