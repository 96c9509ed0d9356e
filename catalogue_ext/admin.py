"""Products in Django's admin: the curation status is read-only, edits go back to the verifiers.

A listing's status moves only through catalogue_ext.services (with its
ListingDecision): a new product, or a change of its title or description,
is put through listing_submit exactly as a seller's would be, so staff
cannot put held goods on sale by editing them here.
"""

from django.contrib import admin
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _
from oscar.apps.catalogue.admin import *  # noqa: F403
from oscar.apps.catalogue.admin import ProductAdmin
from oscar.core.loading import get_model

from catalogue_ext import services

Product = get_model("catalogue", "Product")
ProductCategory = get_model("catalogue", "ProductCategory")


class ListingAdmin(ProductAdmin):
    readonly_fields = ("listing_status", "where_to_decide")

    @admin.display(description=_("Ubah status kurasi"))
    def where_to_decide(self, obj):
        if obj.pk is None:
            return "-"
        url = reverse("sellers:verification-listing-decide", args=[obj.pk])
        return format_html(
            '<a href="{}">{}</a>',
            url,
            _("Di halaman verifikasi produk, dengan alasan yang dikirim ke penjual"),
        )

    def save_related(self, request, form, formsets, change):
        # After the inlines, so the held-category rule sees the product's categories.
        super().save_related(request, form, formsets, change)
        changed = list(form.changed_data)
        if any(formset.model is ProductCategory and formset.has_changed() for formset in formsets):
            changed.append("category")
        services.listing_submit(product=form.instance, actor=request.user, changed=changed, new=not change)


admin.site.unregister(Product)
admin.site.register(Product, ListingAdmin)
