import oscar.apps.catalogue.apps as apps
from django.db.models.signals import post_delete, post_save
from django.urls import path

from peken import personal


class CatalogueConfig(apps.CatalogueConfig):
    name = "catalogue_ext"

    def get_urls(self):
        # imported here: the views load models, not ready while app configs are imported
        from catalogue_ext.views import ListingReportView

        return super().get_urls() + self.post_process_urls(
            [
                path("laporkan/<int:pk>/", ListingReportView.as_view(), name="report"),
            ]
        )

    def ready(self):
        super().ready()
        # imported here: these load models, not ready while app configs are imported
        from catalogue_ext.parts import listing_report_html
        from catalogue_ext.templatetags.peken_catalogue import category_menu_invalidate

        personal.call_register("report", listing_report_html)
        Category = self.get_model("Category")
        post_save.connect(category_menu_invalidate, sender=Category, dispatch_uid="peken-menu-save")
        post_delete.connect(category_menu_invalidate, sender=Category, dispatch_uid="peken-menu-delete")
