from django.contrib import admin

from buyers.models import BuyerProfile, BuyerProfileChange


@admin.register(BuyerProfile)
class BuyerProfileAdmin(admin.ModelAdmin):
    list_display = ("user", "kecamatan", "date_updated")
    search_fields = ("user__email",)
    readonly_fields = ("user", "kecamatan", "date_updated")  # changed only through buyers.services


@admin.register(BuyerProfileChange)
class BuyerProfileChangeAdmin(admin.ModelAdmin):
    list_display = ("profile", "old_kecamatan", "new_kecamatan", "actor", "date_created")
    readonly_fields = ("profile", "old_kecamatan", "new_kecamatan", "actor", "date_created")
