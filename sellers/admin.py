"""Shops and stock in Django's admin: staff read the status and edit the rest, on the record.

A shop's status moves only on the verification pages (seller_status_change,
with its decision record), so it is read-only here; every other edit of a
shop and every price or stock change is saved through sellers.services,
which records who changed what from what to what.
"""

from django.contrib import admin
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _
from oscar.apps.partner.admin import *  # noqa: F403
from oscar.apps.partner.admin import PartnerAdmin, StockRecordAdmin
from oscar.core.loading import get_model

from peken.admin import ReadOnlyAdminMixin
from sellers import services
from sellers.abstract_models import StaffTool, StockUpdateSource

Partner = get_model("partner", "Partner")
SellerDataChange = get_model("partner", "SellerDataChange")
SellerDecision = get_model("partner", "SellerDecision")
StockRecord = get_model("partner", "StockRecord")
StockUpdate = get_model("partner", "StockUpdate")


class RecordInline(ReadOnlyAdminMixin, admin.TabularInline):
    """An append-only record shown under its shop: nothing to add, change or delete."""

    extra = 0


class DecisionInline(RecordInline):
    model = SellerDecision
    fields = readonly_fields = ["date_created", "actor", "old_status", "new_status", "reason"]


class DataChangeInline(RecordInline):
    model = SellerDataChange
    fields = readonly_fields = ["date_created", "actor", "source", "changes"]


class SellerAdmin(PartnerAdmin):
    list_display = ("name", "code", "status", "kecamatan")
    list_filter = ("status", "kind")
    readonly_fields = ("status", "where_to_decide", "date_registered")
    inlines = [DecisionInline, DataChangeInline]

    @admin.display(description=_("Ubah status"))
    def where_to_decide(self, obj):
        if obj.pk is None:
            return "-"
        return format_html(
            '<a href="{}">{}</a>',
            reverse("sellers:verification-decide", args=[obj.pk]),
            _("Di halaman verifikasi toko, dengan alasan yang dikirim ke penjual"),
        )

    def save_model(self, request, obj, form, change):
        if not change:
            return super().save_model(request, obj, form, change)
        concrete = {field.name for field in Partner._meta.concrete_fields}
        services.seller_details_save(
            seller=obj,
            actor=request.user,
            source=StaffTool.ADMIN,
            changed=[name for name in form.changed_data if name in concrete],
        )
        return None


class StaffStockRecordAdmin(StockRecordAdmin):
    def save_model(self, request, obj, form, change):
        services.stock_record_staff_save(record=obj, actor=request.user, source=StockUpdateSource.ADMIN)


@admin.register(SellerDataChange)
class SellerDataChangeAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ("seller", "actor", "source", "date_created")
    list_filter = ("source",)
    search_fields = ("seller__name",)


@admin.register(StockUpdate)
class StockUpdateAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ("seller", "actor", "source", "rows_applied", "date_created")
    list_filter = ("source",)
    search_fields = ("seller__name", "file_name")


admin.site.unregister(Partner)
admin.site.register(Partner, SellerAdmin)
admin.site.unregister(StockRecord)
admin.site.register(StockRecord, StaffStockRecordAdmin)
