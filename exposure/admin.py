from django.contrib import admin

from exposure.models import SellerActivity


@admin.register(SellerActivity)
class SellerActivityAdmin(admin.ModelAdmin):
    list_display = ("seller", "recent_orders", "date_refreshed")
    readonly_fields = ("seller", "recent_orders", "date_refreshed")
