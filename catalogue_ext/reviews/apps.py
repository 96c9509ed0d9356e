import oscar.apps.catalogue.reviews.apps as apps

from peken import personal


class CatalogueReviewsConfig(apps.CatalogueReviewsConfig):
    """Oscar's product reviews, open only to buyers who received the product."""

    name = "catalogue_ext.reviews"

    def ready(self):
        super().ready()
        # the product page's review offer, filled per shopper into a shared page (peken/personal.py);
        # imported here: it loads models, not ready while app configs are imported
        from catalogue_ext.reviews.parts import review_action_html

        personal.call_register("review", review_action_html)
