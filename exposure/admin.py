from django.contrib import admin

from exposure.models import RecommendedListingRanked, SellerActivity


@admin.register(SellerActivity)
class SellerActivityAdmin(admin.ModelAdmin):
    list_display = ("seller", "recent_orders", "date_refreshed")
    readonly_fields = ("seller", "recent_orders", "date_refreshed")


@admin.register(RecommendedListingRanked)
class RecommendedListingRankedAdmin(admin.ModelAdmin):
    list_display = ("listing", "size", "date_refreshed")
    readonly_fields = ("listing", "size", "date_refreshed")
