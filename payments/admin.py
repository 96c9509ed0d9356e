from django.contrib import admin

from payments.models import Payment, PaymentStatusChange, Refund, StripeEvent
from peken.admin import ReadOnlyAdminMixin


class ReadOnlyAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    """Money records change only through payments.services; the admin reads them."""


class StatusChangeInline(admin.TabularInline):
    model = PaymentStatusChange
    extra = 0
    can_delete = False
    readonly_fields = ["old_status", "new_status", "actor", "source", "created_at"]


@admin.register(Payment)
class PaymentAdmin(ReadOnlyAdmin):
    list_display = ["reference", "user", "amount", "amount_refunded", "status", "intent_id", "created_at"]
    list_filter = ["status"]
    search_fields = ["reference", "intent_id", "user__email"]
    inlines = [StatusChangeInline]


@admin.register(Refund)
class RefundAdmin(ReadOnlyAdmin):
    list_display = ["payment", "amount", "status", "actor", "stripe_refund_id", "created_at"]
    list_filter = ["status"]


@admin.register(StripeEvent)
class StripeEventAdmin(ReadOnlyAdmin):
    list_display = ["event_id", "type", "received_at", "processed_at"]
    list_filter = ["type"]
    search_fields = ["event_id"]
