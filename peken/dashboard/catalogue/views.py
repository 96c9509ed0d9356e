"""The dashboard's product page, under the seller centre's rules.

A new product, or a change of its title, description, categories or
pictures, goes through listing_submit (held goods stay off sale until a
verifier approves them); every price and stock change is recorded with
its old and new values, as a seller's own are.
"""

from django.db import transaction
from oscar.apps.dashboard.catalogue import views
from oscar.core.loading import get_model

from catalogue_ext import services as listing_services
from sellers import services as seller_services
from sellers.abstract_models import StockUpdateSource

StockRecord = get_model("partner", "StockRecord")


class ProductCreateUpdateView(views.ProductCreateUpdateView):
    def forms_valid(self, form, formsets):
        with transaction.atomic():
            before = (
                {}
                if self.creating
                else seller_services.stock_values_locked(StockRecord.objects.filter(product=self.object))
            )
            response = super().forms_valid(form, formsets)
            seller_services.stock_staff_changes_record(
                actor=self.request.user,
                source=StockUpdateSource.DASHBOARD,
                before=before,
                records=StockRecord.objects.filter(product=self.object).select_related("product"),
            )
            changed = list(form.changed_data)
            changed += [
                field
                for field, formset in (("category", "category_formset"), ("images", "image_formset"))
                if formsets[formset].has_changed()
            ]
            listing_services.listing_submit(
                product=self.object, actor=self.request.user, changed=changed, new=self.creating
            )
        return response
